package io.aiondb.server.query;

import java.util.List;

/**
 * A page of results. {@code cursor} is null when the range is exhausted; otherwise pass it back for the next page
 * (a page may hold fewer than {@code limit} rows when filters reject many keys: keep paging while a cursor comes back).
 * {@code truncated} says why a page ended before its limit with more to read — its work budget or its deadline ran
 * out ({@code query.*} settings) — or is null; {@code examined} counts the entries the page looked at (keys,
 * versions and index entries, live or deleted).
 */
public record QueryResult(long revision, List<Row> rows, String cursor, Plan plan, String source,
    WorkBudget.Reason truncated, long examined) {}
