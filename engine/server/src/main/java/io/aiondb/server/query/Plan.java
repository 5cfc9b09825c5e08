package io.aiondb.server.query;

import java.util.List;

/**
 * How a query will run: {@code key-range-scan} (every key in the bounds, in order) or {@code index-scan} (the
 * candidates of one ready secondary index, then read in key order and checked like a scan, so the rows are exactly
 * those of the scan).
 *
 * @param lower   inclusive lower key bound, or null for the first key of the namespace
 * @param upper   exclusive upper key bound, or null for past the last key
 * @param empty   true when the bounds exclude every key (nothing is read)
 * @param filters conditions checked on each version read (time bounds and where conditions)
 * @param index   the index scanned, or null for a key-range scan
 */
public record Plan(String access, byte[] lower, byte[] upper, boolean empty, boolean reverse, List<String> filters,
    IndexScan index) {

  public Plan(String access, byte[] lower, byte[] upper, boolean empty, boolean reverse, List<String> filters) {
    this(access, lower, upper, empty, reverse, filters, null);
  }

  /**
   * A range of one index: encoded values from {@code from} to {@code to}, both inclusive (null: unbounded), and how
   * it reads in {@code explain}.
   */
  public record IndexScan(io.aiondb.server.storage.IndexDef def, byte[] from, byte[] to, String describe) {}

  public Plan withAccess(String access, IndexScan index) {
    return new Plan(access, lower, upper, empty, reverse, filters, index);
  }
}
