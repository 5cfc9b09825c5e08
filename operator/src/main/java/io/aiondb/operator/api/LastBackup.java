package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The newest Completed AionBackup of a cluster, as its status shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LastBackup {
  /** The AionBackup object. */
  private String name;
  private String backupId;
  private String completedAt;
  private Long revision;

  public LastBackup() {}

  public LastBackup(String name, String backupId, String completedAt, Long revision) {
    this.name = name;
    this.backupId = backupId;
    this.completedAt = completedAt;
    this.revision = revision;
  }

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getBackupId() { return backupId; }
  public void setBackupId(String backupId) { this.backupId = backupId; }
  public String getCompletedAt() { return completedAt; }
  public void setCompletedAt(String completedAt) { this.completedAt = completedAt; }
  public Long getRevision() { return revision; }
  public void setRevision(Long revision) { this.revision = revision; }

  /** The newest Completed backup among {@code backups} (any cluster's: filter first), or null. */
  public static LastBackup newest(java.util.Collection<AionBackup> backups) {
    return backups.stream()
        .filter(b -> b.getStatus() != null && b.getStatus().getPhase() == AionBackupStatus.Phase.Completed
            && b.getStatus().getCompletedAt() != null && b.getMetadata().getDeletionTimestamp() == null)
        .max(java.util.Comparator.comparing(b -> java.time.Instant.parse(b.getStatus().getCompletedAt())))
        .map(b -> new LastBackup(b.getMetadata().getName(), b.getStatus().getBackupId(), b.getStatus().getCompletedAt(),
            b.getStatus().getRevision()))
        .orElse(null);
  }
}
