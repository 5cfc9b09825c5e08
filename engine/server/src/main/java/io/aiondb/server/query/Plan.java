package io.aiondb.server.query;

import java.util.List;

/**
 * How a query will run. {@code access} is {@code key-range-scan} today; index scans arrive with secondary indexes.
 *
 * @param lower   inclusive lower key bound, or null for the first key of the namespace
 * @param upper   exclusive upper key bound, or null for past the last key
 * @param empty   true when the bounds exclude every key (nothing is read)
 * @param filters conditions checked on each version read (time bounds and where conditions)
 */
public record Plan(String access, byte[] lower, byte[] upper, boolean empty, boolean reverse, List<String> filters) {}
