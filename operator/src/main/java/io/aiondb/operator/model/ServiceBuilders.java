package io.aiondb.operator.model;

import io.aiondb.operator.api.AionCluster;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;

/** The two Services of a cluster. */
public final class ServiceBuilders {
  private ServiceBuilders() {}

  /**
   * Headless Service giving each member a stable DNS name ({@code name-0.name-peers.ns.svc}). It publishes
   * not-ready addresses: members must find each other to elect a leader before any of them is ready.
   */
  public static Service peerService(AionCluster cluster) {
    ClusterNames names = ClusterNames.of(cluster);
    return new ServiceBuilder()
        .withMetadata(Owners.metadata(cluster, names.peerService()))
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(Labels.selector(cluster))
        .withPorts(port("http", ClusterNames.HTTP_PORT), port("raft", ClusterNames.RAFT_PORT))
        .endSpec()
        .build();
  }

  /** Service clients use: the HTTP API of the ready members. */
  public static Service clientService(AionCluster cluster) {
    ClusterNames names = ClusterNames.of(cluster);
    return new ServiceBuilder()
        .withMetadata(Owners.metadata(cluster, names.clientService()))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(Labels.selector(cluster))
        .withPorts(port("http", ClusterNames.HTTP_PORT))
        .endSpec()
        .build();
  }

  private static ServicePort port(String name, int port) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(port)
        .withTargetPort(new IntOrString(name))
        .withProtocol("TCP")
        .build();
  }
}
