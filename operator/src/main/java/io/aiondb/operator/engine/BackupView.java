package io.aiondb.operator.engine;

import java.util.Map;

/**
 * One backup operation as the engine's {@code /v1/backups/operations/{op}} (and {@code POST /v1/backups}) answers it
 * (docs/backup.md): its state, progress and, once done, result or error.
 */
public record BackupView(String id, String kind, String backup, String state, String startedAt, String finishedAt,
    String error, Map<String, Object> result, Progress progress) {

  public record Progress(long bytesDone, long bytesTotal, long filesDone, long filesTotal, long filesReused,
      long bytesReused, long bytesPerSecond) {}

  public boolean running() {
    return "running".equals(state);
  }

  public boolean succeeded() {
    return "succeeded".equals(state);
  }

  /** A number from {@link #result}, or null. */
  public Long resultLong(String field) {
    return result != null && result.get(field) instanceof Number n ? n.longValue() : null;
  }
}
