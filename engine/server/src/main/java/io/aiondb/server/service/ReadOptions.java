package io.aiondb.server.service;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.consensus.ReadConsistency;

/**
 * How fresh a read must be: its consistency level and the revision it must at least reflect (0 for none).
 * A {@code STALE} read without a minimum revision starts at once on the local node.
 */
public record ReadOptions(ReadConsistency consistency, long minRevision) {
  public static final ReadOptions LINEARIZABLE = new ReadOptions(ReadConsistency.LINEARIZABLE, 0);

  public ReadOptions {
    if (consistency == null) consistency = ReadConsistency.LINEARIZABLE;
    if (minRevision < 0) throw new AionException(ErrorCode.BAD_REQUEST, "minRevision must be >= 0, not " + minRevision);
  }

  boolean immediate() {
    return consistency == ReadConsistency.STALE && minRevision == 0;
  }
}
