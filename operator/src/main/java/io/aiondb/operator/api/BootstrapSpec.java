package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** How a new cluster starts: empty (no bootstrap), or from a backup (docs/operator.md "Restore"). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BootstrapSpec {
  @JsonPropertyDescription("Start from a backup: every member of the first replicas restores it before its first start"
      + " and the cluster's revisions continue after the backup's.")
  private Restore restore;

  public Restore getRestore() { return restore; }
  public void setRestore(Restore restore) { this.restore = restore; }

  /** The backup to start from: an AionBackup by name, or a backup id and the store that holds it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "has(self.backup) != (has(self.backupId) && has(self.source))",
      message = "restore needs either backup (an AionBackup in this namespace) or backupId and source, not both")
  @ValidationRule(value = "has(self.backupId) == has(self.source)",
      message = "restore.backupId and restore.source go together: the id of a backup and the store that holds it")
  @ValidationRule(value = "!has(self.source) || !has(self.source.stores)", fieldPath = ".source.stores",
      message = "restore.source is the one store that holds the backup: it has no named stores")
  @ValidationRule(value = "!has(self.source) || has(self.source.s3.prefix)", fieldPath = ".source.s3.prefix",
      message = "source.s3.prefix is required: the prefix the backed-up cluster wrote to (its spec.backup.s3.prefix,"
          + " by default <namespace>/<cluster name>)")
  public static class Restore {
    /** backupId: the newest complete backup in source, resolved once into status.restoreSource. */
    public static final String LATEST = "latest";

    @Size(max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @JsonPropertyDescription("A Completed AionBackup in this namespace: its backup id and its cluster's store are"
        + " looked up once, when the cluster is created, and kept in status.restoreSource (the AionBackup and its"
        + " cluster may go afterwards).")
    private String backup;

    @Pattern("^(latest|[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8})$")
    @JsonPropertyDescription("The backup's id (an AionBackup's status.backupId, or from aion backup list), e.g."
        + " 20261206T201502Z-3f9c0a1e, or latest: the newest complete backup in source, looked up once by the"
        + " operator when the cluster is created and kept in status.restoreSource. Every member restores that same"
        + " backup.")
    private String backupId;

    @JsonPropertyDescription("The store that holds the backup, as the backed-up cluster's spec.backup (with its prefix"
        + " spelled out); its Secrets must exist in this namespace.")
    private BackupSpec source;

    public String getBackup() { return backup; }
    public void setBackup(String backup) { this.backup = backup; }
    public String getBackupId() { return backupId; }

    /** Resolved by the operator before anything is created: an AionBackup by name, or the latest in a store. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean needsResolving() {
      return backup != null || LATEST.equals(backupId);
    }

    public void setBackupId(String backupId) { this.backupId = backupId; }
    public BackupSpec getSource() { return source; }
    public void setSource(BackupSpec source) { this.source = source; }
  }
}
