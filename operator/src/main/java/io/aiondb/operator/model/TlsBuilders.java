package io.aiondb.operator.model;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.TlsSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What TLS means for a cluster's objects: which Secret the members mount, the names their certificate must cover,
 * and the Secrets of {@code spec.tls.mode: Generated}. Pure: the certificates themselves are made elsewhere
 * ({@link io.aiondb.operator.tls.Certificates}) and passed in.
 */
public final class TlsBuilders {
  /** Keys of a kubernetes.io/tls Secret as cert-manager writes them. */
  public static final String CERT = "tls.crt";
  public static final String KEY = "tls.key";
  public static final String CA = "ca.crt";
  public static final String CA_KEY = "ca.key";
  public static final String MOUNT_PATH = "/etc/aion/tls";
  /** The name a member's certificate carries for the Raft port's peer check (tls.peer-identity=uri). */
  public static final String PEER_URI = "aion://peer";
  /** On the pod template: the members run with tls.peer-identity=uri. */
  public static final String PEER_ANNOTATION = "aiondb.io/peer-identity";

  private TlsBuilders() {}

  /** spec.tls.mode, or Generated when it is left out (see {@link #resolve}). */
  public static TlsSpec.Mode mode(AionCluster cluster) {
    TlsSpec tls = cluster.getSpec().getTls();
    return tls == null || tls.getMode() == null ? TlsSpec.Mode.Generated : tls.getMode();
  }

  /**
   * spec.tls.mode if set; otherwise Generated for a new cluster ({@code running} null) and, for a running one, what its
   * pod template mounts: the generated Secret, Generated; no TLS volume, Disabled (a cluster made while the default was
   * Disabled keeps running as it is: switching TLS in a rolling restart would lose quorum).
   */
  public static TlsSpec.Mode resolve(AionCluster cluster, io.fabric8.kubernetes.api.model.apps.StatefulSet running) {
    TlsSpec tls = cluster.getSpec().getTls();
    if (tls != null && tls.getMode() != null) return tls.getMode();
    if (running == null || running.getSpec() == null || running.getSpec().getTemplate() == null
        || running.getSpec().getTemplate().getSpec() == null) {
      return TlsSpec.Mode.Generated;
    }
    var volumes = running.getSpec().getTemplate().getSpec().getVolumes();
    boolean mounted = volumes != null && volumes.stream().anyMatch(v -> StatefulSetBuilders.TLS_VOLUME.equals(v.getName())
        && v.getSecret() != null && ClusterNames.of(cluster).tlsSecret().equals(v.getSecret().getSecretName()));
    return mounted ? TlsSpec.Mode.Generated : TlsSpec.Mode.Disabled;
  }

  /**
   * spec.tls.peerIdentity, or when left out (see {@link #resolvePeerIdentity}) Uri with a Generated certificate (it
   * names {@link #PEER_URI}) and Any with the user's Secret (whose certificates may not).
   */
  public static TlsSpec.PeerIdentity peerIdentity(AionCluster cluster) {
    TlsSpec tls = cluster.getSpec().getTls();
    if (tls != null && tls.getPeerIdentity() != null) return tls.getPeerIdentity();
    return mode(cluster) == TlsSpec.Mode.Generated ? TlsSpec.PeerIdentity.Uri : TlsSpec.PeerIdentity.Any;
  }

  /**
   * spec.tls.peerIdentity if set; left out, what {@link #peerIdentity} says for a new cluster, and for a running one
   * what its members run (the pod template's {@value #PEER_ANNOTATION}): an operator upgrade does not change it.
   */
  public static TlsSpec.PeerIdentity resolvePeerIdentity(AionCluster cluster, io.fabric8.kubernetes.api.model.apps.StatefulSet running) {
    TlsSpec tls = cluster.getSpec().getTls();
    if (tls != null && tls.getPeerIdentity() != null) return tls.getPeerIdentity();
    if (running == null) return peerIdentity(cluster);
    var meta = running.getSpec() == null || running.getSpec().getTemplate() == null ? null
        : running.getSpec().getTemplate().getMetadata();
    boolean uri = meta != null && meta.getAnnotations() != null && "uri".equals(meta.getAnnotations().get(PEER_ANNOTATION));
    return uri ? TlsSpec.PeerIdentity.Uri : TlsSpec.PeerIdentity.Any;
  }

  /** True when the members run with tls.peer-identity=uri (TLS on and peer identity Uri). */
  public static boolean peersByUri(AionCluster cluster) {
    return enabled(cluster) && peerIdentity(cluster) == TlsSpec.PeerIdentity.Uri;
  }

  public static boolean enabled(AionCluster cluster) {
    return mode(cluster) != TlsSpec.Mode.Disabled;
  }

  /** The Secret the members mount (tls.crt, tls.key, ca.crt), or null with TLS off. */
  public static String secretName(AionCluster cluster) {
    return switch (mode(cluster)) {
      case Disabled -> null;
      case Generated -> ClusterNames.of(cluster).tlsSecret();
      case Secret -> cluster.getSpec().getTls().getSecretName();
    };
  }

  /** Host names peers and in-cluster clients dial, which the members' certificate must name. */
  public static List<String> requiredNames(AionCluster cluster) {
    ClusterNames names = ClusterNames.of(cluster);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < cluster.getSpec().replicasOrDefault(); i++) out.add(names.memberHost(i));
    out.add(names.clientHost());
    return out;
  }

  /**
   * The names of a Generated certificate: every member now and after scaling (a wildcard under the peer Service),
   * and the client Service by its short and full names.
   */
  public static List<String> generatedNames(AionCluster cluster) {
    ClusterNames n = ClusterNames.of(cluster);
    String peers = n.peerService() + "." + n.namespace() + ".svc";
    return List.of(n.clientHost(), "*." + peers, "*." + peers + ".cluster.local", n.clientService(),
        n.clientService() + "." + n.namespace(), n.clientHost() + ".cluster.local", "localhost");
  }

  public static Secret caSecret(AionCluster cluster, String caCertPem, String caKeyPem) {
    return secret(cluster, ClusterNames.of(cluster).caSecret(), "Opaque", Map.of(CA, caCertPem, CA_KEY, caKeyPem));
  }

  public static Secret memberSecret(AionCluster cluster, String certPem, String keyPem, String caCertPem) {
    return secret(cluster, ClusterNames.of(cluster).tlsSecret(), "kubernetes.io/tls",
        Map.of(CERT, certPem, KEY, keyPem, CA, caCertPem));
  }

  private static Secret secret(AionCluster cluster, String name, String type, Map<String, String> values) {
    Map<String, String> data = new LinkedHashMap<>();
    values.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
        data.put(e.getKey(), Base64.getEncoder().encodeToString(e.getValue().getBytes(StandardCharsets.US_ASCII))));
    return new SecretBuilder().withMetadata(Owners.metadata(cluster, name)).withType(type).withData(data).build();
  }
}
