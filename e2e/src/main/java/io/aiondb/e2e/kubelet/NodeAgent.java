package io.aiondb.e2e.kubelet;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Node object and its heartbeats: registers the node Ready, renews its Lease in kube-node-lease every 10 s (the
 * node-lifecycle controller marks a node Unknown, taints it and evicts its pods when the lease runs out) and posts
 * its status every minute.
 */
final class NodeAgent {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
  static final String LEASE_NAMESPACE = "kube-node-lease";
  private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

  private final KubernetesClient client;
  private final String name;
  /** Where the API server finds the node's kubelet API ({@link LogServer}: container logs). */
  private final int kubeletPort;
  private final String bootId = UUID.randomUUID().toString();
  private final Instant since = Instant.now();
  private Instant lastStatus = Instant.EPOCH;

  NodeAgent(KubernetesClient client, String name, int kubeletPort) {
    this.client = client;
    this.name = name;
    this.kubeletPort = kubeletPort;
  }

  void register() {
    Node node = new NodeBuilder().withNewMetadata().withName(name).withLabels(Map.of(
            "kubernetes.io/hostname", name, "kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64",
            VolumeProvisioner.LABEL, "true"))
        .endMetadata().withNewSpec().endSpec().build();
    if (client.nodes().withName(name).get() == null) {
      client.nodes().resource(node).create();
      LOG.info("registered node {}", name);
    }
    heartbeat(true);
  }

  /** Renews the lease; posts the status when {@code force} or a minute has passed. */
  void heartbeat(boolean force) {
    Instant now = Instant.now();
    try {
      renewLease(now);
      if (force || now.isAfter(lastStatus.plusSeconds(60))) {
        postStatus(now);
        lastStatus = now;
      }
    } catch (KubernetesClientException e) {
      LOG.warn("node {} heartbeat failed: {}", name, e.getMessage());
    }
  }

  private void renewLease(Instant now) {
    String renew = MICRO.format(ZonedDateTime.ofInstant(now, ZoneOffset.UTC));
    var leases = client.leases().inNamespace(LEASE_NAMESPACE);
    Lease lease = leases.withName(name).get();
    if (lease == null) {
      Node node = client.nodes().withName(name).get();
      leases.resource(new LeaseBuilder().withNewMetadata().withName(name).withNamespace(LEASE_NAMESPACE)
          .addNewOwnerReference().withApiVersion("v1").withKind("Node").withName(name)
          .withUid(node.getMetadata().getUid()).endOwnerReference().endMetadata()
          .withNewSpec().withHolderIdentity(name).withLeaseDurationSeconds(40).endSpec().build()).create();
    }
    leases.withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"spec\":{\"holderIdentity\":\"" + name + "\",\"leaseDurationSeconds\":40,\"renewTime\":\"" + renew + "\"}}");
  }

  private void postStatus(Instant now) {
    String t = PodWorker.time(now);
    String from = PodWorker.time(since);
    List<NodeCondition> conditions = List.of(
        condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "process kubelet: not measured", t, from),
        condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "process kubelet: not measured", t, from),
        condition("PIDPressure", "False", "KubeletHasSufficientPID", "process kubelet: not measured", t, from),
        condition("Ready", "True", "KubeletReady", "process kubelet is posting ready status", t, from));
    Map<String, Quantity> capacity = Map.of(
        "cpu", new Quantity(Integer.toString(Runtime.getRuntime().availableProcessors())),
        "memory", new Quantity(Long.toString(physicalMemory())),
        "pods", new Quantity("110"),
        "ephemeral-storage", new Quantity("100Gi"));
    String version = client.getKubernetesVersion().getGitVersion();
    NodeStatus status = new NodeStatusBuilder()
        .withConditions(conditions)
        .withCapacity(capacity).withAllocatable(capacity)
        .addNewAddress().withType("InternalIP").withAddress(ProcessKubelet.HOST_IP).endAddress()
        .addNewAddress().withType("Hostname").withAddress(name).endAddress()
        .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(kubeletPort).endKubeletEndpoint().endDaemonEndpoints()
        .withNewNodeInfo().withKubeletVersion(version).withKubeProxyVersion("").withOperatingSystem("linux")
        .withArchitecture("amd64").withContainerRuntimeVersion("process://aion-e2e")
        .withOsImage(System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .withKernelVersion(System.getProperty("os.version")).withMachineID(name).withSystemUUID(name).withBootID(bootId)
        .endNodeInfo()
        .build();
    String json = client.getKubernetesSerialization().asJson(Map.of("status", status));
    client.nodes().withName(name).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  private static NodeCondition condition(String type, String status, String reason, String message, String now,
      String since) {
    return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastHeartbeatTime(now).withLastTransitionTime(since).build();
  }

  private static long physicalMemory() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getTotalMemorySize();
    return 8L << 30;
  }
}
