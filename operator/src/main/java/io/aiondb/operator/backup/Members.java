package io.aiondb.operator.backup;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.engine.ClusterView;
import io.aiondb.operator.engine.EngineAddresses;
import io.aiondb.operator.engine.EngineClient;
import io.aiondb.operator.engine.EngineUnavailableException;
import io.aiondb.operator.model.TlsBuilders;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** How the backup and user controllers reach a cluster's members: their addresses, the CA they present, who they are. */
public final class Members {
  private final KubernetesClient client;
  private final EngineClient engine;
  private final EngineAddresses addresses;

  public Members(KubernetesClient client, EngineClient engine, EngineAddresses addresses) {
    this.client = client;
    this.engine = engine;
    this.addresses = addresses;
  }

  /**
   * The cluster with its left-out secure defaults decided as the cluster reconciler decides them (from its running
   * StatefulSet): whether its members speak TLS and need the operator's key. Every method here takes this.
   */
  public AionCluster resolved(AionCluster cluster) {
    var running = client.apps().statefulSets().inNamespace(cluster.getMetadata().getNamespace())
        .withName(io.aiondb.operator.model.ClusterNames.of(cluster).statefulSet()).get();
    return io.aiondb.operator.model.Defaults.resolve(cluster, running);
  }

  public URI of(AionCluster cluster, String pod) {
    return addresses.member(cluster, pod);
  }

  /** The members as the engine lists them, or null when it does not answer. */
  List<BackupStep.Member> list(AionCluster cluster, io.aiondb.operator.engine.EngineAccess access) {
    try {
      ClusterView view = engine.members(addresses.cluster(cluster), access);
      List<BackupStep.Member> out = new ArrayList<>();
      for (ClusterView.Member m : view.members()) {
        out.add(new BackupStep.Member(m.id(), ordinal(m.id()), "LEADER".equals(m.role()),
            Boolean.TRUE.equals(m.caughtUp()), Boolean.TRUE.equals(m.voting())));
      }
      return out;
    } catch (EngineUnavailableException e) {
      return null;
    }
  }

  private static int ordinal(String pod) {
    int dash = pod.lastIndexOf('-');
    try {
      return dash < 0 ? Integer.MAX_VALUE : Integer.parseInt(pod.substring(dash + 1));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  /** How to reach the members: the CA they present and the operator's API key (docs/operator.md "Authentication"). */
  public io.aiondb.operator.engine.EngineAccess access(AionCluster cluster) {
    return new io.aiondb.operator.engine.EngineAccess(caPem(cluster),
        io.aiondb.operator.engine.OperatorKey.read(client, cluster));
  }

  /** The CA the cluster's members present (from the Secret they mount), or null with TLS off. */
  private String caPem(AionCluster cluster) {
    String secret = TlsBuilders.secretName(cluster);
    if (secret == null) return null;
    Secret s = client.secrets().inNamespace(cluster.getMetadata().getNamespace()).withName(secret).get();
    String ca = s == null || s.getData() == null ? null : s.getData().get(TlsBuilders.CA);
    return ca == null ? null : new String(Base64.getDecoder().decode(ca), StandardCharsets.UTF_8);
  }
}
