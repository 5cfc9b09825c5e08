package io.aiondb.server.query;

import io.aiondb.server.storage.Keys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Chooses the access path for a {@link Query}. Today there is one: a scan of the key range that
 * {@code prefix ∩ [start, end)} allows, in key order or reversed, with every other condition checked per version.
 * Secondary indexes will add index scans here; callers depend only on {@link Plan}.
 */
public final class Planner {
  public Plan plan(Query q) {
    byte[] lower = q.start();
    byte[] upper = q.end();
    if (q.prefix() != null && q.prefix().length > 0) {
      lower = max(lower, q.prefix());
      upper = min(upper, Keys.prefixEnd(q.prefix()));
    }
    boolean empty = lower != null && upper != null && Arrays.compareUnsigned(lower, upper) >= 0;
    List<String> filters = new ArrayList<>();
    if (q.afterMillis() != null) filters.add("commit time after " + java.time.Instant.ofEpochMilli(q.afterMillis()));
    if (q.beforeMillis() != null) filters.add("commit time before " + java.time.Instant.ofEpochMilli(q.beforeMillis()));
    for (Predicate p : q.where()) filters.add(p.describe());
    return new Plan("key-range-scan", lower, upper, empty, q.reverse(), List.copyOf(filters));
  }

  private static byte[] max(byte[] a, byte[] b) {
    if (a == null) return b;
    if (b == null) return a;
    return Arrays.compareUnsigned(a, b) >= 0 ? a : b;
  }

  private static byte[] min(byte[] a, byte[] b) {
    if (a == null) return b;
    if (b == null) return a;
    return Arrays.compareUnsigned(a, b) <= 0 ? a : b;
  }
}
