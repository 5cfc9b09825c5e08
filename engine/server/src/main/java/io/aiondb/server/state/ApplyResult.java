package io.aiondb.server.state;

import io.aiondb.server.ErrorCode;

/** What applying one {@link LogEntry} produced. Deterministic: every replica computes the same result. */
public sealed interface ApplyResult {

  /** A put that wrote a new version. */
  record Written(long revision, long createRevision, long version, long timestampMillis) implements ApplyResult {}

  /** A delete. {@code existed=false} means the key was absent: nothing was written and {@code revision} is current. */
  record Deleted(boolean existed, long revision, long timestampMillis) implements ApplyResult {}

  record NamespaceCreated(boolean created, int id, long createdMillis) implements ApplyResult {}

  record NamespaceDropped(boolean existed) implements ApplyResult {}

  /** One compaction step. {@code nextKey} is where the next step starts, or null when the namespace is done. */
  record Compacted(int keysScanned, long versionsRemoved, byte[] nextKey) implements ApplyResult {}

  /** The command was valid but its preconditions did not hold; nothing was written. */
  record Rejected(ErrorCode code, String message) implements ApplyResult {}
}
