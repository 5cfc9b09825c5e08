package io.aiondb.server.state;

import io.aiondb.server.ErrorCode;

/** What applying one {@link LogEntry} produced. Deterministic: every replica computes the same result. */
public sealed interface ApplyResult {

  /** A put that wrote a new version. */
  record Written(long revision, long createRevision, long version, long timestampMillis) implements ApplyResult {}

  /** A delete. {@code existed=false} means the key was absent: nothing was written and {@code revision} is current. */
  record Deleted(boolean existed, long revision, long timestampMillis) implements ApplyResult {}

  /** A batch of puts ({@link Command.PutAll}): {@code count} keys written, all at {@code revision}. */
  record BatchWritten(long revision, int count, long timestampMillis) implements ApplyResult {}

  record NamespaceCreated(boolean created, int id, long createdMillis) implements ApplyResult {}

  record NamespaceDropped(boolean existed) implements ApplyResult {}

  /** An auth record written or removed; {@code changed} false when {@code ifAbsent} found one, or a removal none. */
  record AuthWritten(boolean changed) implements ApplyResult {}

  /** One compaction step. {@code nextKey} is where the next step starts, or null when the namespace is done. */
  record Compacted(int keysScanned, long versionsRemoved, byte[] nextKey) implements ApplyResult {}

  /**
   * A transaction. {@code revision} is the revision its writes got, or the current revision when it wrote nothing;
   * {@code results} has one entry per operation of the branch that ran.
   */
  record TxnDone(boolean succeeded, long revision, long timestampMillis, java.util.List<OpResult> results)
      implements ApplyResult {}

  /** The outcome of one transaction operation. */
  sealed interface OpResult {
    record Put(long revision, long createRevision, long version) implements OpResult {}

    record Delete(boolean existed) implements OpResult {}

    /** {@code version} is null when the key does not exist. */
    record Get(io.aiondb.server.storage.VersionRecord version) implements OpResult {}

    record Range(java.util.List<KeyVersion> items, boolean more) implements OpResult {}
  }

  record KeyVersion(byte[] key, io.aiondb.server.storage.VersionRecord version) {}

  record IndexCreated(boolean created, io.aiondb.server.storage.IndexDef index) implements ApplyResult {}

  record IndexDropped(boolean existed) implements ApplyResult {}

  /** One backfill step; {@code state} is the index's state after it. */
  record Backfilled(int keys, io.aiondb.server.storage.IndexDef.State state) implements ApplyResult {}

  /** The command was valid but its preconditions did not hold; nothing was written. */
  record Rejected(ErrorCode code, String message) implements ApplyResult {}
}
