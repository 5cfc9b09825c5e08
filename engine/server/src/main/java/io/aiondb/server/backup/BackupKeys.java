package io.aiondb.server.backup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the backup encryption keys are ({@code backup.encryption-key-file}, {@code backup.encryption-old-key-files}):
 * paths only; the keys are read when the node starts, into {@link BackupCrypto}.
 */
public record BackupKeys(Path keyFile, List<Path> oldKeyFiles) {
  public BackupCrypto load() throws IOException {
    List<BackupCrypto.Kek> old = new ArrayList<>();
    for (Path p : oldKeyFiles) old.add(BackupCrypto.load(p));
    return new BackupCrypto(BackupCrypto.load(keyFile), old);
  }
}
