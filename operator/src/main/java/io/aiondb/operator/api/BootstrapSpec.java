package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** How a new cluster starts: empty (no bootstrap), or from a backup (docs/operator.md "Restore"). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BootstrapSpec {
  @JsonPropertyDescription("Start from a backup: every member of the first replicas restores it before its first start"
      + " and the cluster's revisions continue after the backup's.")
  private Restore restore;

  public Restore getRestore() { return restore; }
  public void setRestore(Restore restore) { this.restore = restore; }

  /** The backup to start from and the store that holds it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "has(self.source.s3.prefix)", fieldPath = ".source.s3.prefix",
      message = "source.s3.prefix is required: the prefix the backed-up cluster wrote to (its spec.backup.s3.prefix,"
          + " by default <namespace>/<cluster name>)")
  public static class Restore {
    @Required
    @Pattern("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")
    @JsonPropertyDescription("The backup's id (an AionBackup's status.backupId, or from aion backup list), e.g."
        + " 20261206T201502Z-3f9c0a1e. Every member restores this same backup.")
    private String backupId;

    @Required
    @JsonPropertyDescription("The store that holds the backup, as the backed-up cluster's spec.backup (with its prefix"
        + " spelled out); its Secrets must exist in this namespace.")
    private BackupSpec source;

    public String getBackupId() { return backupId; }
    public void setBackupId(String backupId) { this.backupId = backupId; }
    public BackupSpec getSource() { return source; }
    public void setSource(BackupSpec source) { this.source = source; }
  }
}
