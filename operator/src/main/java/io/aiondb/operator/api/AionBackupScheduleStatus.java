package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** What the schedule did and will do. Written only by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AionBackupScheduleStatus {
  private Long observedGeneration;
  /** The scheduled time of the newest run started (its AionBackup is named after it). */
  private String lastScheduleTime;
  /** The next time a backup is due; absent while suspended or invalid. */
  private String nextScheduleTime;
  /** The newest AionBackup this schedule created. */
  private String lastBackup;
  /** Runs started so far (spec.verify.every counts them). */
  private Long runs;
  private String lastSuccessfulBackup;
  private String lastSuccessfulTime;
  /** The AionBackup still Pending or Running, if any (a due run waits for it). */
  private String active;
  /** Retention deleted backups from the store; a sweep of their files is owed. */
  private Boolean sweepPending;
  private String lastSweepTime;
  /** Why the schedule does nothing: InvalidSchedule, ClusterNotFound. Absent when it works. */
  private String reason;
  private String message;

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public String getLastScheduleTime() { return lastScheduleTime; }
  public void setLastScheduleTime(String lastScheduleTime) { this.lastScheduleTime = lastScheduleTime; }
  public String getNextScheduleTime() { return nextScheduleTime; }
  public void setNextScheduleTime(String nextScheduleTime) { this.nextScheduleTime = nextScheduleTime; }
  public Long getRuns() { return runs; }
  public void setRuns(Long runs) { this.runs = runs; }
  public String getLastBackup() { return lastBackup; }
  public void setLastBackup(String lastBackup) { this.lastBackup = lastBackup; }
  public String getLastSuccessfulBackup() { return lastSuccessfulBackup; }
  public void setLastSuccessfulBackup(String lastSuccessfulBackup) { this.lastSuccessfulBackup = lastSuccessfulBackup; }
  public String getLastSuccessfulTime() { return lastSuccessfulTime; }
  public void setLastSuccessfulTime(String lastSuccessfulTime) { this.lastSuccessfulTime = lastSuccessfulTime; }
  public String getActive() { return active; }
  public void setActive(String active) { this.active = active; }
  public Boolean getSweepPending() { return sweepPending; }
  public void setSweepPending(Boolean sweepPending) { this.sweepPending = sweepPending; }
  public String getLastSweepTime() { return lastSweepTime; }
  public void setLastSweepTime(String lastSweepTime) { this.lastSweepTime = lastSweepTime; }
  public String getReason() { return reason; }
  public void setReason(String reason) { this.reason = reason; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }
}
