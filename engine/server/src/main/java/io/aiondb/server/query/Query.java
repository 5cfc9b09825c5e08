package io.aiondb.server.query;

import java.util.List;

/**
 * A parsed, validated query on one namespace. Key bounds are raw key bytes; {@code start} inclusive, {@code end}
 * exclusive, intersected with {@code prefix}. Times are commit times in epoch milliseconds ({@code after}
 * exclusive, {@code before} exclusive). {@code hash} identifies the query's filters and order, so a cursor can only
 * continue the query that issued it.
 */
public record Query(
    byte[] prefix,
    byte[] start,
    byte[] end,
    Long afterMillis,
    Long beforeMillis,
    List<Predicate> where,
    boolean keysOnly,
    boolean reverse,
    int limit,
    long maxBytes,
    String cursor,
    boolean explain,
    long hash) {

  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 10_000;
  /**
   * The largest {@code maxBytes}, and its default: half the binary protocol's 16 MiB frame, so a page's JSON (values
   * in base64 are 4/3 larger, plus each row's fields) fits one frame.
   */
  public static final long MAX_MAX_BYTES = 8L << 20;
  public static final long DEFAULT_MAX_BYTES = MAX_MAX_BYTES;
}
