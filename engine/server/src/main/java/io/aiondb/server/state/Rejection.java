package io.aiondb.server.state;

import io.aiondb.server.ErrorCode;

/**
 * Thrown inside {@code apply} when a command turns out, part way through, to be one that must not take effect (a
 * transaction whose reads exceed their budget after it has written to its batch). {@link EntryApplier} discards the
 * entry's batch and records the entry as {@link ApplyResult.Rejected} with this code and message. Deterministic:
 * it depends only on the entry and the stored state, so every replica rejects the same entry the same way.
 */
public final class Rejection extends RuntimeException {
  private final ErrorCode code;

  public Rejection(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
