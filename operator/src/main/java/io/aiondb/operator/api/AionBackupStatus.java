package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** What happened to the backup. Written only by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AionBackupStatus {
  public enum Phase { Pending, Running, Completed, Failed }

  private Phase phase;
  /** The member that takes (took) it. */
  private String member;
  /** The engine's backup id (chosen by the operator, so that a repeated request starts nothing new). */
  private String backupId;
  private String startedAt;
  private String completedAt;
  private Long revision;
  private Long keyCount;
  private Long bytes;
  private Long bytesReused;
  private Long files;
  private Long filesReused;
  private Long bytesDone;
  private Long bytesTotal;
  /** Failed: a stable reason (ClusterNotFound, BackupNotConfigured, MemberGone, DeadlineExceeded, Engine). */
  private String reason;
  private String message;
  /** spec.verify, once the backup completed. */
  private Verification verification;

  /** A verification of the completed backup (docs/backup.md "Verify"). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Verification {
    public enum State { Running, Passed, Failed }

    private String level;
    private State state;
    /** The engine's operation, on {@link #member}. */
    private String operation;
    private String member;
    private String startedAt;
    private String completedAt;
    /** Failed: what is wrong (a missing or damaged file is named). */
    private String message;

    public String getLevel() { return level; }
    public void setLevel(String level) { this.level = level; }
    public State getState() { return state; }
    public void setState(State state) { this.state = state; }
    public String getOperation() { return operation; }
    public void setOperation(String operation) { this.operation = operation; }
    public String getMember() { return member; }
    public void setMember(String member) { this.member = member; }
    public String getStartedAt() { return startedAt; }
    public void setStartedAt(String startedAt) { this.startedAt = startedAt; }
    public String getCompletedAt() { return completedAt; }
    public void setCompletedAt(String completedAt) { this.completedAt = completedAt; }
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }
  }

  public Verification getVerification() { return verification; }
  public void setVerification(Verification verification) { this.verification = verification; }

  public Phase getPhase() { return phase; }
  public void setPhase(Phase phase) { this.phase = phase; }
  public String getMember() { return member; }
  public void setMember(String member) { this.member = member; }
  public String getBackupId() { return backupId; }
  public void setBackupId(String backupId) { this.backupId = backupId; }
  public String getStartedAt() { return startedAt; }
  public void setStartedAt(String startedAt) { this.startedAt = startedAt; }
  public String getCompletedAt() { return completedAt; }
  public void setCompletedAt(String completedAt) { this.completedAt = completedAt; }
  public Long getRevision() { return revision; }
  public void setRevision(Long revision) { this.revision = revision; }
  public Long getKeyCount() { return keyCount; }
  public void setKeyCount(Long keyCount) { this.keyCount = keyCount; }
  public Long getBytes() { return bytes; }
  public void setBytes(Long bytes) { this.bytes = bytes; }
  public Long getBytesReused() { return bytesReused; }
  public void setBytesReused(Long bytesReused) { this.bytesReused = bytesReused; }
  public Long getFiles() { return files; }
  public void setFiles(Long files) { this.files = files; }
  public Long getFilesReused() { return filesReused; }
  public void setFilesReused(Long filesReused) { this.filesReused = filesReused; }
  public Long getBytesDone() { return bytesDone; }
  public void setBytesDone(Long bytesDone) { this.bytesDone = bytesDone; }
  public Long getBytesTotal() { return bytesTotal; }
  public void setBytesTotal(Long bytesTotal) { this.bytesTotal = bytesTotal; }
  public String getReason() { return reason; }
  public void setReason(String reason) { this.reason = reason; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }
}
