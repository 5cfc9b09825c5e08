package io.aiondb.server.query;

import java.util.List;

/**
 * A page of results. {@code cursor} is null when the range is exhausted; otherwise pass it back for the next page
 * (a page may hold fewer than {@code limit} rows when filters reject many keys: keep paging while a cursor comes back).
 */
public record QueryResult(long revision, List<Row> rows, String cursor, Plan plan, String source) {}
