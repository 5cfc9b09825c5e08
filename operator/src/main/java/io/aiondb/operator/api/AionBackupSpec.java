package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What to back up and how; immutable once created (a different backup is a new object). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "an AionBackup's spec cannot change: create another AionBackup")
public class AionBackupSpec {
  public enum Target { PreferFollower, Leader }

  public enum DeletionPolicy { Retain, Delete }

  public enum Verify { None, Light, Deep }

  @Required
  @Size(max = 40)
  @Pattern("^[a-z]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription("The AionCluster to back up, in this namespace; it must have spec.backup.")
  private String cluster;

  @Default("PreferFollower")
  @JsonPropertyDescription("Which member takes the backup: a caught-up follower if there is one (the upload's load"
      + " stays off the leader), or the leader.")
  private Target target = Target.PreferFollower;

  @Default("Retain")
  @JsonPropertyDescription("Retain: deleting this object keeps the backup in the store. Delete: its manifest is"
      + " deleted too (its files go at the next sweep).")
  private DeletionPolicy deletionPolicy = DeletionPolicy.Retain;

  @Default("6h")
  @Pattern("^[0-9]{1,5}(s|m|h)$")
  @JsonPropertyDescription("A backup still running after this long fails (DeadlineExceeded), e.g. 6h.")
  private String deadline = "6h";

  @Default("None")
  @JsonPropertyDescription("Verify the backup once it completed: Light (every file present in the store with its size),"
      + " Deep (restored into a scratch directory on a member: every hash, RocksDB checksums, key count and digest),"
      + " None (default).")
  private Verify verify = Verify.None;

  @Size(max = 63)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription("One of the cluster's named stores (spec.backup.stores) instead of its default store"
      + " (spec.backup.s3), e.g. an archive bucket in another region.")
  private String store;

  public String getStore() { return store; }
  public void setStore(String store) { this.store = store; }
  public Verify getVerify() { return verify; }
  public void setVerify(Verify verify) { this.verify = verify; }
  public String getCluster() { return cluster; }
  public void setCluster(String cluster) { this.cluster = cluster; }
  public Target getTarget() { return target; }
  public void setTarget(Target target) { this.target = target; }
  public DeletionPolicy getDeletionPolicy() { return deletionPolicy; }
  public void setDeletionPolicy(DeletionPolicy deletionPolicy) { this.deletionPolicy = deletionPolicy; }
  public String getDeadline() { return deadline; }
  public void setDeadline(String deadline) { this.deadline = deadline; }
}
