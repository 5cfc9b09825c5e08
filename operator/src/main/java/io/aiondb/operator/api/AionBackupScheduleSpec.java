package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** When to back up a cluster and how many backups to keep. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.cluster == oldSelf.cluster",
    message = "spec.cluster cannot change: create another AionBackupSchedule")
public class AionBackupScheduleSpec {
  public enum OwnerReference { none, self, cluster }

  /**
   * As a CronJob's: only Forbid, the next run waits while one is Pending or Running. Allow would find the member busy
   * (the engine runs one backup operation per node) and Replace has no engine operation to cancel.
   */
  public enum ConcurrencyPolicy { Forbid }

  @Required
  @Size(max = 40)
  @Pattern("^[a-z]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription("The AionCluster to back up, in this namespace; it must have spec.backup.")
  private String cluster;

  @Required
  @Size(min = 1, max = 100)
  @JsonPropertyDescription("When to back up, in Kubernetes CronJob syntax: five fields (minute hour day-of-month month"
      + " day-of-week, e.g. '0 3 * * *') or @hourly, @daily, @weekly, @monthly, @yearly. Missed runs (the operator was"
      + " down) collapse into one catch-up backup.")
  private String schedule;

  @Size(max = 64)
  @Pattern("^[A-Za-z][A-Za-z0-9_+/-]*$")
  @JsonPropertyDescription("The IANA time zone the schedule is read in (e.g. Europe/Berlin); default UTC.")
  private String timeZone;

  @Default("false")
  @JsonPropertyDescription("true: no new backups are started (retention still applies); false: resume.")
  private boolean suspend;

  @Default("false")
  @JsonPropertyDescription("true: take the first backup as soon as the schedule is created, not at its first time.")
  private boolean immediate;

  @Default("PreferFollower")
  @JsonPropertyDescription("Which member takes each backup (as AionBackup spec.target).")
  private AionBackupSpec.Target target = AionBackupSpec.Target.PreferFollower;

  @Default("Delete")
  @JsonPropertyDescription("The deletionPolicy of the AionBackups it creates. Delete (default): when retention deletes"
      + " an AionBackup its backup leaves the store too. Retain: retention deletes only the objects.")
  private AionBackupSpec.DeletionPolicy deletionPolicy = AionBackupSpec.DeletionPolicy.Delete;

  @Default("6h")
  @Pattern("^[0-9]{1,5}(s|m|h)$")
  @JsonPropertyDescription("Each backup fails if still running after this long (as AionBackup spec.deadline).")
  private String deadline = "6h";

  @Size(max = 63)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription("One of the cluster's named stores (spec.backup.stores) for every run instead of its default"
      + " store (as AionBackup spec.store); retention's sweep of unreferenced files runs there.")
  private String store;

  public String getStore() { return store; }
  public void setStore(String store) { this.store = store; }

  @Default("Forbid")
  @JsonPropertyDescription("Forbid (the only policy): a due run waits while an earlier run is Pending or Running, so"
      + " two backups of the schedule never run at once; missed runs collapse into one.")
  private ConcurrencyPolicy concurrencyPolicy = ConcurrencyPolicy.Forbid;

  public ConcurrencyPolicy getConcurrencyPolicy() { return concurrencyPolicy; }
  public void setConcurrencyPolicy(ConcurrencyPolicy concurrencyPolicy) { this.concurrencyPolicy = concurrencyPolicy; }

  @Default("none")
  @JsonPropertyDescription("Who owns the AionBackups it creates, for Kubernetes garbage collection: none (default: they"
      + " outlive this schedule), self (deleted with this schedule) or cluster (deleted with the AionCluster).")
  private OwnerReference backupOwnerReference = OwnerReference.none;

  @JsonPropertyDescription("Which completed backups to keep; without it every completed backup is kept. Failed"
      + " backups: the newest 3 are kept.")
  private Retention retention;

  @JsonPropertyDescription("Verify some of the backups once they completed (as AionBackup spec.verify).")
  private Verify verify;

  /** Which runs are verified, and how. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Verify {
    @Default("1")
    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("Verify every Nth run (1: each one), counted from the schedule's first run.")
    private int every = 1;

    @Default("Light")
    @JsonPropertyDescription("Light (every file present with its size) or Deep (restored to scratch and checked).")
    private AionBackupSpec.Verify level = AionBackupSpec.Verify.Light;

    public int getEvery() { return every; }
    public void setEvery(int every) { this.every = every; }
    public AionBackupSpec.Verify getLevel() { return level; }
    public void setLevel(AionBackupSpec.Verify level) { this.level = level; }
  }

  public Verify getVerify() { return verify; }
  public void setVerify(Verify verify) { this.verify = verify; }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "has(self.keepLast) || has(self.maxAge)", message = "retention needs keepLast, maxAge or both")
  public static class Retention {
    @Min(1)
    @Max(10000)
    @JsonPropertyDescription("Keep at most this many completed backups of this schedule (the newest).")
    private Integer keepLast;

    @Pattern("^[0-9]{1,5}(m|h|d)$")
    @JsonPropertyDescription("Delete completed backups older than this (e.g. 30d, 12h), except the newest minKeep.")
    private String maxAge;

    @Default("1")
    @Min(0)
    @Max(10000)
    @JsonPropertyDescription("Always keep at least this many of the newest completed backups, whatever their age.")
    private int minKeep = 1;

    public Integer getKeepLast() { return keepLast; }
    public void setKeepLast(Integer keepLast) { this.keepLast = keepLast; }
    public String getMaxAge() { return maxAge; }
    public void setMaxAge(String maxAge) { this.maxAge = maxAge; }
    public int getMinKeep() { return minKeep; }
    public void setMinKeep(int minKeep) { this.minKeep = minKeep; }
  }

  public String getCluster() { return cluster; }
  public void setCluster(String cluster) { this.cluster = cluster; }
  public String getSchedule() { return schedule; }
  public void setSchedule(String schedule) { this.schedule = schedule; }
  public String getTimeZone() { return timeZone; }
  public void setTimeZone(String timeZone) { this.timeZone = timeZone; }
  public boolean isSuspend() { return suspend; }
  public void setSuspend(boolean suspend) { this.suspend = suspend; }
  public boolean isImmediate() { return immediate; }
  public void setImmediate(boolean immediate) { this.immediate = immediate; }
  public AionBackupSpec.Target getTarget() { return target; }
  public void setTarget(AionBackupSpec.Target target) { this.target = target; }
  public AionBackupSpec.DeletionPolicy getDeletionPolicy() { return deletionPolicy; }
  public void setDeletionPolicy(AionBackupSpec.DeletionPolicy deletionPolicy) { this.deletionPolicy = deletionPolicy; }
  public String getDeadline() { return deadline; }
  public void setDeadline(String deadline) { this.deadline = deadline; }
  public OwnerReference getBackupOwnerReference() { return backupOwnerReference; }
  public void setBackupOwnerReference(OwnerReference backupOwnerReference) { this.backupOwnerReference = backupOwnerReference; }
  public Retention getRetention() { return retention; }
  public void setRetention(Retention retention) { this.retention = retention; }
}
