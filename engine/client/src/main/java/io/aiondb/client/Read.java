package io.aiondb.client;

/**
 * How to read: {@code linearizable} (default: reflects every write acknowledged before the read started) or
 * {@code stale} (the node's local state at once), optionally at a past {@code revision} and only once the node has
 * applied {@code minRevision} (read-your-writes on any node).
 */
public record Read(boolean allowStale, long revision, long minRevision) {
  public Read {
    if (revision < 0 || minRevision < 0) throw new IllegalArgumentException("revisions are >= 0");
  }

  public static Read linearizable() {
    return new Read(false, 0, 0);
  }

  public static Read stale() {
    return new Read(true, 0, 0);
  }

  /** The value as of a past revision (0: current). */
  public Read atRevision(long r) {
    return new Read(allowStale, r, minRevision);
  }

  public Read minRevision(long r) {
    return new Read(allowStale, revision, r);
  }
}
