package io.aiondb.server.query;

import java.util.function.LongSupplier;

/**
 * The work one query page has done and may still do (see {@link QueryLimits}). Readers charge every entry they look
 * at ({@link #examine}), every value byte they read ({@link #read}) and every condition they evaluate
 * ({@link #evaluate}), and ask {@link #exhausted} between keys; once it is true the page ends with a cursor just
 * after the last key examined, and {@link #reason} says why. Not thread-safe: one page, one thread.
 */
public final class WorkBudget {
  /** Why a page ended before its limit: JSON {@code "truncated": "budget"} or {@code "deadline"}. */
  public enum Reason {
    BUDGET, DEADLINE;

    public String json() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final QueryLimits limits;
  private final LongSupplier nanoClock;
  private final long deadline;
  private long examined;
  private long readBytes;
  private long evaluations;
  private Reason reason;

  WorkBudget(QueryLimits limits, LongSupplier nanoClock) {
    this.limits = limits;
    this.nanoClock = nanoClock;
    this.deadline = nanoClock.getAsLong() + limits.timeout().toNanos();
  }

  public void examine(long entries) {
    examined += entries;
  }

  public void read(long bytes) {
    readBytes += bytes;
  }

  public void evaluate(long conditions) {
    evaluations += conditions;
  }

  /** True (and stays true) once any limit or the deadline is reached. */
  public boolean exhausted() {
    if (reason != null) return true;
    if (examined >= limits.maxExamined() || readBytes >= limits.maxReadBytes() || evaluations >= limits.maxEvaluations()) {
      reason = Reason.BUDGET;
    } else if (nanoClock.getAsLong() - deadline >= 0) {
      reason = Reason.DEADLINE;
    }
    return reason != null;
  }

  /** Entries examined so far that leave at least half of what remains: a bound for one speculative step. */
  long halfRemaining() {
    return examined + Math.max(1, (limits.maxExamined() - examined) / 2);
  }

  /** Why the budget ran out, or null while it has not. */
  public Reason reason() {
    return reason;
  }

  public long examined() {
    return examined;
  }

  public long readBytes() {
    return readBytes;
  }

  public long evaluations() {
    return evaluations;
  }
}
