package io.aiondb.server.backup;

import java.time.Instant;
import java.util.Map;

/** One backup, verification or prune running (or done) on this node, as {@code /v1/backups/operations} shows it. */
public final class Operation {
  public enum Kind {
    CREATE("create"), VERIFY("verify-light"), VERIFY_DEEP("verify-deep"), PRUNE("prune");

    private final String text;

    Kind(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  public enum State { RUNNING, SUCCEEDED, FAILED }

  private final String id;
  private final Kind kind;
  private final String backupId;
  private final Instant startedAt;
  private final Progress progress = new Progress();
  private volatile State state = State.RUNNING;
  private volatile Instant finishedAt;
  private volatile String error;
  private volatile Map<String, Object> result = Map.of();

  Operation(String id, Kind kind, String backupId, Instant startedAt) {
    this.id = id;
    this.kind = kind;
    this.backupId = backupId;
    this.startedAt = startedAt;
  }

  void succeed(Instant at) {
    finishedAt = at;
    state = State.SUCCEEDED;
  }

  void fail(Instant at, String message) {
    error = message;
    finishedAt = at;
    state = State.FAILED;
  }

  void result(Map<String, Object> r) {
    result = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(r));
  }

  public String id() { return id; }
  public Kind kind() { return kind; }
  /** The backup it made or checks; null for a prune. */
  public String backupId() { return backupId; }
  public Instant startedAt() { return startedAt; }
  public Instant finishedAt() { return finishedAt; }
  public State state() { return state; }
  public String error() { return error; }
  public Map<String, Object> result() { return result; }
  public Progress progress() { return progress; }

  String summary() {
    return result.toString();
  }
}
