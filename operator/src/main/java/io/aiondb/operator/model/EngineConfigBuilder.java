package io.aiondb.operator.model;

import io.aiondb.operator.api.AionCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The engine's configuration file ({@code /etc/aion/aion.properties}) as a ConfigMap. The operator owns the
 * settings that follow from the cluster's shape (peers, ports, data directory); the user's {@code spec.config} adds
 * the rest. {@code cluster.peers} and {@code cluster.initial-members} come from the {@link Topology}: membership
 * keys, read by a member only when it starts (to find the others), so they are left out of {@link #hash}: scaling
 * rewrites the file but restarts no member. {@code node.id} differs per pod, so it is not in the file: each pod gets it as {@code AION_NODE_ID}
 * (its pod name), which the engine reads with higher precedence than the file.
 */
public final class EngineConfigBuilder {
  public static final String FILE_NAME = "aion.properties";
  public static final String MOUNT_PATH = "/etc/aion";
  public static final String DATA_PATH = "/var/lib/aion";

  /** Where the backup encryption key Secret is mounted, and the file name it gets there. */
  public static final String BACKUP_KEY_PATH = "/etc/aion-backup-key";
  public static final String BACKUP_KEY_FILE = "backup.key";

  private EngineConfigBuilder() {}

  /** spec.backup.s3.prefix, or {@code <namespace>/<name>}: clusters sharing a bucket never share a prefix by default. */
  public static String backupPrefix(AionCluster cluster) {
    String p = cluster.getSpec().getBackup().getS3().getPrefix();
    return p != null ? p : cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
  }

  /** Keys that change with scaling only and are read at start only: not part of {@link #hash}. */
  public static final java.util.Set<String> MEMBERSHIP_KEYS = java.util.Set.of("cluster.peers", "cluster.initial-members");

  /** The settings of a new cluster ({@link Topology#atCreation}), sorted by name. */
  public static Map<String, String> settings(AionCluster cluster) {
    return settings(cluster, Topology.atCreation(cluster));
  }

  /** The settings, sorted by name. */
  public static Map<String, String> settings(AionCluster cluster, Topology topology) {
    ClusterNames names = ClusterNames.of(cluster);
    Map<String, String> settings = new TreeMap<>();
    if (cluster.getSpec().getConfig() != null) {
      cluster.getSpec().getConfig().forEach(e -> settings.put(e.getName(), e.getValue()));
    }
    // Operator-owned settings last so that they win (validation rejects them in spec.config anyway).
    settings.put("cluster.peers", names.peers(topology.peerCount()));
    settings.put("cluster.initial-members", topology.initialMembersValue());
    settings.put("raft.port", Integer.toString(ClusterNames.RAFT_PORT));
    settings.put("http.host", "0.0.0.0");
    settings.put("raft.host", "0.0.0.0"); // peers reach this member by its pod DNS name
    settings.put("http.port", Integer.toString(ClusterNames.HTTP_PORT));
    settings.put("data.dir", DATA_PATH + "/data");
    io.aiondb.operator.api.BackupSpec backup = cluster.getSpec().getBackup();
    if (backup != null && backup.getS3() != null) {
      io.aiondb.operator.api.BackupSpec.S3 s3 = backup.getS3();
      settings.put("backup.s3.bucket", s3.getBucket());
      if (s3.getEndpoint() != null) settings.put("backup.s3.endpoint", s3.getEndpoint());
      settings.put("backup.s3.prefix", backupPrefix(cluster));
      settings.put("backup.s3.region", s3.getRegion() == null ? "us-east-1" : s3.getRegion());
      settings.put("backup.s3.path-style", Boolean.toString(Boolean.TRUE.equals(s3.getPathStyle())));
      if (backup.getEncryption() != null) {
        settings.put("backup.encryption-key-file", BACKUP_KEY_PATH + "/" + BACKUP_KEY_FILE);
      }
    }
    if (TlsBuilders.enabled(cluster)) {
      settings.put("tls.cert-file", TlsBuilders.MOUNT_PATH + "/" + TlsBuilders.CERT);
      settings.put("tls.key-file", TlsBuilders.MOUNT_PATH + "/" + TlsBuilders.KEY);
      settings.put("tls.ca-file", TlsBuilders.MOUNT_PATH + "/" + TlsBuilders.CA);
    }
    return settings;
  }

  public static String properties(AionCluster cluster) {
    return properties(cluster, Topology.atCreation(cluster));
  }

  public static String properties(AionCluster cluster, Topology topology) {
    StringBuilder file = new StringBuilder()
        .append("# Written by the Aion DB operator for AionCluster ")
        .append(cluster.getMetadata().getNamespace()).append('/').append(cluster.getMetadata().getName())
        .append(". Edit spec.config instead.\n")
        .append("# node.id is not here: each pod sets AION_NODE_ID to its own name.\n");
    settings(cluster, topology).forEach((k, v) -> file.append(k).append('=').append(v).append('\n'));
    return file.toString();
  }

  public static ConfigMap configMap(AionCluster cluster) {
    return configMap(cluster, Topology.atCreation(cluster));
  }

  public static ConfigMap configMap(AionCluster cluster, Topology topology) {
    return new ConfigMapBuilder()
        .withMetadata(Owners.metadata(cluster, ClusterNames.of(cluster).configMap()))
        .addToData(FILE_NAME, properties(cluster, topology))
        .build();
  }

  /**
   * A digest of the configuration, put on the pod template so a changed file shows as a changed template (and the
   * roller restarts the members). Leaves out {@link #MEMBERSHIP_KEYS}: changing the members restarts no member.
   */
  public static String hash(AionCluster cluster) {
    StringBuilder relevant = new StringBuilder();
    settings(cluster).forEach((k, v) -> {
      if (!MEMBERSHIP_KEYS.contains(k)) relevant.append(k).append('=').append(v).append('\n');
    });
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(relevant.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
