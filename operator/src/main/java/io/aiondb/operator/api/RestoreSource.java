package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What spec.bootstrap.restore.backup (an AionBackup by name) resolved to when the cluster was created: the backup id
 * and the store that holds it (its cluster's spec.backup, prefix spelled out). Kept in the status so the members'
 * pod template never changes when the AionBackup or its cluster goes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestoreSource {
  private String backup;
  private String backupId;
  private BackupSpec source;

  public String getBackup() { return backup; }
  public void setBackup(String backup) { this.backup = backup; }
  public String getBackupId() { return backupId; }
  public void setBackupId(String backupId) { this.backupId = backupId; }
  public BackupSpec getSource() { return source; }
  public void setSource(BackupSpec source) { this.source = source; }
}
