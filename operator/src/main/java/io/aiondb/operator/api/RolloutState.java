package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * {@code status.rollout}: the change being carried out, one member at a time (io.aiondb.operator.rollout.RolloutStatus
 * is the roller's view of the same fields). Absent when the cluster matches its spec.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutState {
  @JsonPropertyDescription("StatefulSet update revision every member is being moved to.")
  private String targetRevision;
  @JsonPropertyDescription("spec.replicas being scaled to.")
  private Integer targetReplicas;
  @JsonPropertyDescription("spec.version being rolled out, if any.")
  private String targetVersion;
  @JsonPropertyDescription("When this rollout was first seen (RFC 3339).")
  private String startedAt;
  @JsonPropertyDescription("Members already on the target revision.")
  private Integer updatedMembers;
  @JsonPropertyDescription("The member last restarted, replaced or added.")
  private String currentMember;
  @JsonPropertyDescription("When that happened: the pod-ready timeout counts from here (RFC 3339).")
  private String currentSince;
  @JsonPropertyDescription("The member that stalled the rollout; set only while halted.")
  private String haltedMember;
  @JsonPropertyDescription("The last thing the halted member's pod said.")
  private String haltMessage;
  @JsonPropertyDescription("The aiondb.io/retry-rollout annotation's value when the rollout halted; annotating the cluster with another value lifts the halt.")
  private String haltRetry;

  public String getTargetRevision() { return targetRevision; }
  public void setTargetRevision(String targetRevision) { this.targetRevision = targetRevision; }
  public Integer getTargetReplicas() { return targetReplicas; }
  public void setTargetReplicas(Integer targetReplicas) { this.targetReplicas = targetReplicas; }
  public String getTargetVersion() { return targetVersion; }
  public void setTargetVersion(String targetVersion) { this.targetVersion = targetVersion; }
  public String getStartedAt() { return startedAt; }
  public void setStartedAt(String startedAt) { this.startedAt = startedAt; }
  public Integer getUpdatedMembers() { return updatedMembers; }
  public void setUpdatedMembers(Integer updatedMembers) { this.updatedMembers = updatedMembers; }
  public String getCurrentMember() { return currentMember; }
  public void setCurrentMember(String currentMember) { this.currentMember = currentMember; }
  public String getCurrentSince() { return currentSince; }
  public void setCurrentSince(String currentSince) { this.currentSince = currentSince; }
  public String getHaltedMember() { return haltedMember; }
  public void setHaltedMember(String haltedMember) { this.haltedMember = haltedMember; }
  public String getHaltMessage() { return haltMessage; }
  public void setHaltMessage(String haltMessage) { this.haltMessage = haltMessage; }
  public String getHaltRetry() { return haltRetry; }
  public void setHaltRetry(String haltRetry) { this.haltRetry = haltRetry; }
}
