package io.aiondb.server.query;

import java.time.Duration;

/**
 * What one query page may cost before it ends early with a cursor (settings {@code query.*}, docs/configuration.md).
 *
 * @param maxExamined    keys, versions and index entries looked at per page — live or deleted, current or history,
 *                       matching or not
 * @param maxReadBytes   bytes of stored values read per page (every version read, not only the rows returned)
 * @param maxEvaluations condition evaluations per page (each version checked counts one per {@code where} condition)
 * @param timeout        wall-clock time per page
 * @param maxConcurrent  queries running at once on this node; more answer 503 UNAVAILABLE at once
 */
public record QueryLimits(long maxExamined, long maxReadBytes, long maxEvaluations, Duration timeout, int maxConcurrent) {
  public static final QueryLimits DEFAULT = new QueryLimits(100_000, 64L << 20, 1_000_000, Duration.ofSeconds(5), 8);

  public QueryLimits {
    if (maxExamined < 1 || maxReadBytes < 1 || maxEvaluations < 1 || maxConcurrent < 1) {
      throw new IllegalArgumentException("query limits must be positive");
    }
    if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("query.timeout must be positive");
  }
}
