package io.aiondb.operator.model;

import io.aiondb.operator.api.AionCluster;
import java.util.ArrayList;
import java.util.List;

/** Names and addresses derived from a cluster's name and namespace. */
public record ClusterNames(String name, String namespace) {
  public static final int HTTP_PORT = 7070;
  public static final int RAFT_PORT = 7072;

  public static ClusterNames of(AionCluster cluster) {
    return new ClusterNames(cluster.getMetadata().getName(), cluster.getMetadata().getNamespace());
  }

  public String statefulSet() { return name; }
  public String clientService() { return name; }
  public String peerService() { return name + "-peers"; }
  public String configMap() { return name + "-config"; }
  public String podDisruptionBudget() { return name; }
  public String networkPolicy() { return name; }
  /** spec.tls.mode Generated: the cluster's CA (ca.crt, ca.key) and the members' certificate (kubernetes.io/tls). */
  public String caSecret() { return name + "-ca"; }
  public String tlsSecret() { return name + "-tls"; }
  /** spec.auth: the root user's password (key {@code password}, and {@code username}), made once by the operator. */
  public String rootSecret() { return name + "-root"; }
  /** spec.auth: the operator's own API key (key {@code api-key}), made once by the operator. */
  public String operatorKeySecret() { return name + "-operator-key"; }

  /** The key-encryption key the operator makes when spec.encryption.secretName is left out. */
  public String encryptionKeySecret() { return name + "-encryption-key"; }

  /** The client Service's DNS name inside the cluster. */
  public String clientHost() {
    return clientService() + "." + namespace + ".svc";
  }

  /** Pod (and engine node.id) of member {@code ordinal}. */
  public String member(int ordinal) { return name + "-" + ordinal; }

  /** Stable DNS name of a member through the headless peer Service. */
  public String memberHost(int ordinal) {
    return member(ordinal) + "." + peerService() + "." + namespace + ".svc";
  }

  /** {@code cluster.peers}: {@code id=host:raftPort,...} for members 0..replicas-1. */
  public String peers(int replicas) {
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      peers.add(member(i) + "=" + memberHost(i) + ":" + RAFT_PORT);
    }
    return String.join(",", peers);
  }
}
