package io.aiondb.server.auth;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a request does, as roles grant it. Each has a stable wire name (role definitions, the API, audit records).
 * The cluster-level ones ({@link #isClusterLevel()}) concern no namespace: they are checked with namespace
 * {@code null} and granted only by rules on namespaces {@code ["*"]}.
 */
public enum Operation {
  READ("read"),
  WRITE("write"),
  DELETE("delete"),
  QUERY("query"),
  WATCH("watch"),
  TXN("txn"),
  INDEX_ADMIN("index-admin"),
  NAMESPACE_ADMIN("namespace-admin"),
  USER_ADMIN("user-admin"),
  /** Reading the cluster's state: status, members, nodes, health, backups listed (monitoring, the operator). */
  CLUSTER_READ("cluster-read"),
  CLUSTER_ADMIN("cluster-admin"),
  BACKUP("backup");

  private final String wire;

  Operation(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** Whether this operation concerns the cluster rather than a namespace: user-admin, cluster-read, cluster-admin, backup. */
  public boolean isClusterLevel() {
    return this == USER_ADMIN || this == CLUSTER_READ || this == CLUSTER_ADMIN || this == BACKUP;
  }

  /** The operation with this wire name (exact, lower-case); {@link IllegalArgumentException} naming the valid ones. */
  public static Operation fromWire(String wire) {
    for (Operation o : values()) {
      if (o.wire.equals(wire)) return o;
    }
    throw new IllegalArgumentException("unknown operation '" + wire + "'; the operations are "
        + Arrays.stream(values()).map(Operation::wire).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return wire;
  }
}
