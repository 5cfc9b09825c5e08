package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed. Written only by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AionClusterStatus {
  public enum Phase { Creating, Running, Upgrading, Scaling, Degraded, Failed, Paused }

  private Long observedGeneration;
  private Phase phase;
  @StatusReplicas
  private Integer replicas;
  private Integer readyReplicas;
  private Integer updatedReplicas;
  private String leader;
  private List<MemberStatus> members = new ArrayList<>();
  private String currentVersion;
  @LabelSelector
  private String selector;
  private List<Condition> conditions = new ArrayList<>();
  private RolloutState rollout;
  /** The newest Completed AionBackup of this cluster (absent: none). */
  private LastBackup lastBackup;
  /**
   * spec.bootstrap.restore.backup resolved at creation: the backup id and the store (its cluster's spec.backup with
   * the prefix spelled out), kept so that the members' pod template never changes when the AionBackup goes.
   */
  private RestoreSource restoreSource;

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public Phase getPhase() { return phase; }
  public void setPhase(Phase phase) { this.phase = phase; }
  public Integer getReplicas() { return replicas; }
  public void setReplicas(Integer replicas) { this.replicas = replicas; }
  public Integer getReadyReplicas() { return readyReplicas; }
  public void setReadyReplicas(Integer readyReplicas) { this.readyReplicas = readyReplicas; }
  public Integer getUpdatedReplicas() { return updatedReplicas; }
  public void setUpdatedReplicas(Integer updatedReplicas) { this.updatedReplicas = updatedReplicas; }
  public RestoreSource getRestoreSource() { return restoreSource; }
  public void setRestoreSource(RestoreSource restoreSource) { this.restoreSource = restoreSource; }
  public LastBackup getLastBackup() { return lastBackup; }
  public void setLastBackup(LastBackup lastBackup) { this.lastBackup = lastBackup; }
  public RolloutState getRollout() { return rollout; }
  public void setRollout(RolloutState rollout) { this.rollout = rollout; }
  public String getLeader() { return leader; }
  public void setLeader(String leader) { this.leader = leader; }
  public List<MemberStatus> getMembers() { return members; }
  public void setMembers(List<MemberStatus> members) { this.members = members; }
  public String getCurrentVersion() { return currentVersion; }
  public void setCurrentVersion(String currentVersion) { this.currentVersion = currentVersion; }
  public String getSelector() { return selector; }
  public void setSelector(String selector) { this.selector = selector; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
}
