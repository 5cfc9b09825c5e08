package io.aiondb.operator.backup;

import io.aiondb.operator.api.BackupSpec;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * The complete backups an object store holds under a cluster's prefix, as the engine writes them (docs/backup.md
 * "What is stored": {@code <prefix>/backups/<id>/manifest.json}, written last, so a manifest means a complete backup).
 * The operator reads it once, to resolve {@code spec.bootstrap.restore.backupId: latest} before it creates anything.
 */
public interface BackupCatalog {
  /** A complete backup: its id and when it was started (the engine's order: {@code createdAt}, then id). */
  record Stored(String id, Instant createdAt) {}

  /**
   * Every complete backup under {@code store}'s prefix, oldest first.
   *
   * @throws IOException the store cannot be reached, refuses the credentials, or holds a manifest that cannot be read
   *     (named in the message; never the credentials)
   */
  List<Stored> list(BackupSpec.S3 store, String accessKeyId, String secretAccessKey) throws IOException;
}
