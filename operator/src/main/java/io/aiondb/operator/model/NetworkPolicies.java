package io.aiondb.operator.model;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.NetworkPolicySpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The members' NetworkPolicy (docs/operator.md "Network policy"), ingress only: the Raft port from the cluster's own
 * members; the HTTP port and the binary protocol's port from {@code spec.networkPolicy.apiFrom} plus the members (they
 * call each other's API) and the operator's pods, or from anyone when {@code apiFrom} is left out. Every other port of
 * the members is closed to ingress. Pure.
 */
public final class NetworkPolicies {
  /** The engine's protocol.port default (docs/configuration.md). */
  static final int DEFAULT_PROTOCOL_PORT = 7071;
  /** The operator's pods: the chart's selector label. */
  static final String OPERATOR_NAME = "aion-operator";

  private NetworkPolicies() {}

  public static boolean enabled(AionCluster cluster) {
    NetworkPolicySpec spec = cluster.getSpec().getNetworkPolicy();
    return spec == null || spec.isEnabled();
  }

  /**
   * The policy, or null with {@code spec.networkPolicy.enabled: false}.
   *
   * @param operatorNamespace where the operator runs (its pods are admitted to the API ports); empty: any namespace
   */
  public static NetworkPolicy networkPolicy(AionCluster cluster, Optional<String> operatorNamespace) {
    if (!enabled(cluster)) return null;
    ClusterNames names = ClusterNames.of(cluster);
    NetworkPolicyPeer members = new NetworkPolicyPeerBuilder()
        .withPodSelector(new LabelSelectorBuilder().withMatchLabels(Labels.selector(cluster)).build()).build();
    List<NetworkPolicyPort> apiPorts = new ArrayList<>(List.of(port(ClusterNames.HTTP_PORT)));
    int protocol = protocolPort(cluster);
    if (protocol > 0) apiPorts.add(port(protocol));
    List<NetworkPolicyPeer> apiFrom = cluster.getSpec().getNetworkPolicy() == null ? null
        : cluster.getSpec().getNetworkPolicy().getApiFrom();
    List<NetworkPolicyPeer> from = null; // none: anyone
    if (apiFrom != null) {
      from = new ArrayList<>(apiFrom);
      from.add(members);
      from.add(new NetworkPolicyPeerBuilder()
          .withNamespaceSelector(new LabelSelectorBuilder().withMatchLabels(operatorNamespace
              .map(ns -> Map.of("kubernetes.io/metadata.name", ns)).orElse(Map.of())).build())
          .withPodSelector(new LabelSelectorBuilder().withMatchLabels(Map.of(Labels.NAME, OPERATOR_NAME)).build())
          .build());
    }
    return new NetworkPolicyBuilder()
        .withMetadata(Owners.metadata(cluster, names.networkPolicy()))
        .withNewSpec()
        .withNewPodSelector().withMatchLabels(Labels.selector(cluster)).endPodSelector()
        .withPolicyTypes("Ingress")
        .addNewIngress().withFrom(members).withPorts(port(ClusterNames.RAFT_PORT)).endIngress()
        .addNewIngress().withFrom(from).withPorts(apiPorts).endIngress()
        .endSpec()
        .build();
  }

  /** spec.config's protocol.port if it is a number, else the engine's default; -1 (off) or 0 (random) closes it. */
  static int protocolPort(AionCluster cluster) {
    if (cluster.getSpec().getConfig() != null) {
      for (var e : cluster.getSpec().getConfig()) {
        if ("protocol.port".equals(e.getName())) {
          try {
            return Integer.parseInt(e.getValue().trim());
          } catch (NumberFormatException ignored) {
            return DEFAULT_PROTOCOL_PORT; // the engine refuses to start with it anyway
          }
        }
      }
    }
    return DEFAULT_PROTOCOL_PORT;
  }

  private static NetworkPolicyPort port(int port) {
    return new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(port)).build();
  }
}
