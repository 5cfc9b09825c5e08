package io.aiondb.operator.model;

import io.aiondb.operator.api.AionCluster;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The membership facts the builders need besides the spec: how many pods the StatefulSet runs now (the roller alone
 * moves it, one member at a time), how many members {@code cluster.peers} lists (every pod that may run: the larger
 * of spec.replicas and the pods), and the members that formed the cluster ({@code cluster.initial-members}: written
 * once, at creation, kept on the StatefulSet in {@link #INITIAL_MEMBERS_ANNOTATION} so a restarted operator writes
 * the same value). A pod not listed there — one added by scaling — starts as a joiner and never forms a cluster of
 * its own.
 */
public record Topology(int podReplicas, int peerCount, List<String> initialMembers) {
  public static final String INITIAL_MEMBERS_ANNOTATION = "aiondb.io/initial-members";

  public Topology {
    if (podReplicas < 0 || peerCount < 1 || peerCount < podReplicas) {
      throw new IllegalArgumentException("need 0 <= podReplicas <= peerCount and peerCount >= 1, got " + podReplicas
          + " and " + peerCount);
    }
    initialMembers = List.copyOf(initialMembers);
    if (initialMembers.isEmpty()) {
      throw new IllegalArgumentException("initialMembers must not be empty");
    }
  }

  /** A new cluster: spec.replicas pods, all of them initial members. */
  public static Topology atCreation(AionCluster cluster) {
    int replicas = cluster.getSpec().replicasOrDefault();
    return new Topology(replicas, replicas, members(cluster, replicas));
  }

  /**
   * A running cluster: its StatefulSet's replicas, and the initial members from its annotation (a StatefulSet made
   * before the annotation existed: the members it ran, which all had data then).
   */
  public static Topology of(AionCluster cluster, StatefulSet running) {
    if (running == null || running.getSpec() == null) {
      return atCreation(cluster);
    }
    int pods = running.getSpec().getReplicas() == null ? 1 : running.getSpec().getReplicas();
    String recorded = running.getMetadata().getAnnotations() == null ? null
        : running.getMetadata().getAnnotations().get(INITIAL_MEMBERS_ANNOTATION);
    List<String> initial = recorded == null || recorded.isBlank()
        ? members(cluster, Math.max(1, pods)) : List.of(recorded.split(","));
    return new Topology(pods, Math.max(Math.max(1, pods), cluster.getSpec().replicasOrDefault()), initial);
  }

  public String initialMembersValue() {
    return String.join(",", initialMembers);
  }

  private static List<String> members(AionCluster cluster, int replicas) {
    ClusterNames names = ClusterNames.of(cluster);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      out.add(names.member(i));
    }
    return out;
  }
}
