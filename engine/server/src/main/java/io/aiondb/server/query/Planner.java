package io.aiondb.server.query;

import io.aiondb.server.state.Timestamps;
import io.aiondb.server.state.IndexValues;
import io.aiondb.server.storage.Keys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Chooses the access path for a {@link Query}: a scan of the key range that {@code prefix ∩ [start, end)} allows, or
 * a scan of a ready secondary index when a {@code where} condition compares its field with {@code eq}, {@code lt},
 * {@code lte}, {@code gt} or {@code gte} and an operand the index can order (a number for a number index, a
 * timestamp for a timestamp index, a string that is not a timestamp for a string index — or any string with
 * {@code eq} —, a boolean with {@code eq}). Every condition is still checked on each row read, so the plan changes
 * the cost of a query, never its answer. Equality is preferred over ranges, unique indexes over others.
 */
public final class Planner {
  public Plan plan(Query q) {
    return plan(q, java.util.List.of());
  }

  public Plan plan(Query q, java.util.Collection<io.aiondb.server.storage.IndexDef> indexes) {
    Plan scan = scanPlan(q);
    if (scan.empty()) return scan;
    Plan.IndexScan best = null;
    int bestScore = -1;
    for (io.aiondb.server.storage.IndexDef def : indexes) {
      if (def.state() != io.aiondb.server.storage.IndexDef.State.READY) continue;
      Plan.IndexScan candidate = indexScan(def, q.where());
      if (candidate == null) continue;
      int score = (candidate.from() != null && java.util.Arrays.equals(candidate.from(), candidate.to()) ? 2 : 0)
          + (def.unique() ? 1 : 0);
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    return best == null ? scan : scan.withAccess("index-scan", best);
  }

  /** The tightest range of {@code def} that the conditions on its field allow, or null when none applies. */
  private static Plan.IndexScan indexScan(io.aiondb.server.storage.IndexDef def, List<Predicate> where) {
    byte[] from = null;
    byte[] to = null;
    List<String> used = new ArrayList<>();
    for (Predicate p : where) {
      if (!(p instanceof Predicate.Field f) || !f.path().text().equals(def.field()) || !usable(def, f)) continue;
      byte[] v = IndexValues.encode(def.type(), f.operand());
      if (v == null) continue;
      switch (f.op()) {
        case EQ -> {
          from = maxOf(from, v);
          to = minOf(to, v);
        }
        case GT, GTE -> from = maxOf(from, v); // inclusive: rounding to the index's encoding never loses a row
        case LT, LTE -> to = minOf(to, v);
        default -> {
          continue;
        }
      }
      used.add(f.describe());
    }
    if (used.isEmpty()) return null;
    return new Plan.IndexScan(def, from, to, "index " + def.name() + " (" + def.field() + " "
        + def.type().name().toLowerCase(java.util.Locale.ROOT) + ") for " + String.join(" and ", used));
  }

  private static boolean usable(io.aiondb.server.storage.IndexDef def, Predicate.Field f) {
    var o = f.operand();
    boolean eq = f.op() == Predicate.Op.EQ;
    boolean range = switch (f.op()) {
      case LT, LTE, GT, GTE -> true;
      default -> false;
    };
    if (!eq && !range) return false;
    return switch (def.type()) {
      case NUMBER -> o.isNumber();
      case BOOLEAN -> eq && o.isBoolean();
      case STRING -> o.isTextual() && (eq || Timestamps.parse(o.textValue()) == null);
      case TIMESTAMP -> o.isTextual() && Timestamps.parse(o.textValue()) != null;
    };
  }

  private static byte[] maxOf(byte[] a, byte[] b) {
    return a == null || Arrays.compareUnsigned(b, a) > 0 ? b : a;
  }

  private static byte[] minOf(byte[] a, byte[] b) {
    return a == null || Arrays.compareUnsigned(b, a) < 0 ? b : a;
  }

  private Plan scanPlan(Query q) {
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
