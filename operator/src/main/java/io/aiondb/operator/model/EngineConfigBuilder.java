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

  /** Each member's audit log (docs/security.md "Audit log"), on its data volume next to the data directory. */
  public static final String AUDIT_FILE = DATA_PATH + "/audit/audit.log";

  /** spec.backup.stores: the engine's backup.stores-file, a second key of the ConfigMap. */
  public static final String STORES_FILE = "backup-stores.properties";
  /** Where each named store's credentials and key are mounted: {@code <path>/<name>/credentials}, {@code .../key}. */
  public static final String STORES_PATH = "/etc/aion-backup-stores";

  private EngineConfigBuilder() {}

  /** A named store's prefix: its s3.prefix, or {@code <namespace>/<cluster name>} like the default store's. */
  public static String storePrefix(AionCluster cluster, io.aiondb.operator.api.BackupSpec.NamedStore store) {
    String p = store.getS3().getPrefix();
    return p != null ? p : cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
  }

  /**
   * spec.backup.stores as the engine's backup.stores-file ({@code <name>.<setting>}, docs/backup.md "Named stores"),
   * sorted by name; null when there are none. Credentials and keys are files in the members' projected Secret volume.
   */
  public static String storesFile(AionCluster cluster) {
    var backup = cluster.getSpec().getBackup();
    if (backup == null || backup.getStores() == null || backup.getStores().isEmpty()) return null;
    StringBuilder f = new StringBuilder("# spec.backup.stores of AionCluster ").append(cluster.getMetadata().getNamespace())
        .append('/').append(cluster.getMetadata().getName()).append(", written by the operator.\n");
    backup.getStores().stream().sorted(java.util.Comparator.comparing(io.aiondb.operator.api.BackupSpec.NamedStore::getName))
        .forEach(st -> {
          var s3 = st.getS3();
          String n = st.getName();
          f.append(n).append(".bucket=").append(s3.getBucket()).append('\n');
          if (s3.getEndpoint() != null) f.append(n).append(".endpoint=").append(s3.getEndpoint()).append('\n');
          f.append(n).append(".prefix=").append(storePrefix(cluster, st)).append('\n');
          f.append(n).append(".region=").append(s3.getRegion() == null ? "us-east-1" : s3.getRegion()).append('\n');
          f.append(n).append(".path-style=").append(Boolean.TRUE.equals(s3.getPathStyle())).append('\n');
          f.append(n).append(".credentials-dir=").append(STORES_PATH).append('/').append(n).append("/credentials\n");
          if (st.getEncryption() != null) {
            f.append(n).append(".encryption-key-file=").append(STORES_PATH).append('/').append(n).append("/key/")
                .append(BACKUP_KEY_FILE).append('\n');
          }
        });
    return f.toString();
  }

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
    // Secure by default, unless spec.config says otherwise (an empty audit.file turns it off): every member keeps an
    // audit log of privileged operations on its data volume (docs/operator.md "Audit log").
    settings.putIfAbsent("audit.file", AUDIT_FILE);
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
      if (storesFile(cluster) != null) settings.put("backup.stores-file", MOUNT_PATH + "/" + STORES_FILE);
    }
    settings.putAll(AuthBuilders.settings(cluster));
    settings.putAll(EncryptionBuilders.settings(cluster));
    if (TlsBuilders.enabled(cluster)) {
      settings.put("tls.cert-file", TlsBuilders.MOUNT_PATH + "/" + TlsBuilders.CERT);
      settings.put("tls.key-file", TlsBuilders.MOUNT_PATH + "/" + TlsBuilders.KEY);
      settings.put("tls.ca-file", TlsBuilders.MOUNT_PATH + "/" + TlsBuilders.CA);
      if (TlsBuilders.peersByUri(cluster)) settings.put("tls.peer-identity", "uri");
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
    ConfigMapBuilder b = new ConfigMapBuilder()
        .withMetadata(Owners.metadata(cluster, ClusterNames.of(cluster).configMap()))
        .addToData(FILE_NAME, properties(cluster, topology));
    String stores = storesFile(cluster);
    if (stores != null) b.addToData(STORES_FILE, stores);
    return b.build();
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
    String stores = storesFile(cluster); // read by the engine at start too: a change restarts the members
    if (stores != null) relevant.append(stores);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(relevant.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
