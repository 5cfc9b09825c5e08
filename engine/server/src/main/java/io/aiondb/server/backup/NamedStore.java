package io.aiondb.server.backup;

import java.nio.file.Path;

/**
 * A store besides the node's default one ({@code backup.stores-file}, docs/backup.md "Named stores"): a caller picks
 * it by name ({@code ?store=NAME}) for one backup, e.g. an archive bucket in another region.
 *
 * @param name           1-63 of a-z 0-9 - (a DNS label), unique on the node
 * @param target         where its objects go
 * @param credentialsDir a directory holding the files {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} (a
 *                       mounted Secret), read at every request so a rotated Secret takes effect; null: the AWS SDK's
 *                       default chain, as for the default store
 * @param keys           its encryption keys, or null: its backups are not encrypted
 */
public record NamedStore(String name, BackupTarget target, Path credentialsDir, BackupKeys keys) {
  public static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
}
