package io.aiondb.operator.model;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.EncryptionSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What spec.encryption means for a cluster's objects (docs/operator.md "Encryption at rest"): the key Secret, how the
 * members mount it, and in which {@link Phase} they run. Pure.
 *
 * <p>A leader that seals log entries needs every member able to open them, so a running cluster turns encryption on
 * in two rollouts: {@link Phase#OPENING} (the key in {@code encryption.old-key-files}: open sealed data, seal nothing),
 * then, once every member runs that, {@link Phase#SEALING} ({@code encryption.key-file}). A new cluster starts sealing.
 * The phase the members run is the pod template's {@value #MEMBERS_ANNOTATION} annotation; the phase to build is
 * decided from it by {@link #resolve} on every reconcile and carried, in memory only, by the resolved copy of the
 * cluster ({@link Defaults}). Sealing never goes back: values sealed could not be read without the key.
 */
public final class EncryptionBuilders {
  public enum Phase { OFF, OPENING, SEALING }

  /** On the pod template: the phase the members run. */
  public static final String MEMBERS_ANNOTATION = "aiondb.io/encryption";
  /** On the resolved in-memory copy only (never written): the phase to build. */
  static final String RESOLVED_ANNOTATION = "aiondb.io/encryption-resolved";
  public static final String VOLUME = "encryption-key";
  public static final String MOUNT_PATH = "/etc/aion-encryption";
  public static final String KEY_FILE = "key";
  /** The key of the Secret the operator makes. */
  public static final String GENERATED_KEY = "key";

  private EncryptionBuilders() {}

  /** spec.encryption.enabled. */
  public static boolean wanted(AionCluster cluster) {
    EncryptionSpec e = cluster.getSpec().getEncryption();
    return e != null && Boolean.TRUE.equals(e.getEnabled());
  }

  /** The phase to build: as {@link #resolve} decided, or for a cluster not resolved, SEALING when wanted. */
  public static Phase phase(AionCluster cluster) {
    var annotations = cluster.getMetadata().getAnnotations();
    String resolved = annotations == null ? null : annotations.get(RESOLVED_ANNOTATION);
    if (resolved != null) return Phase.valueOf(resolved);
    return wanted(cluster) ? Phase.SEALING : Phase.OFF;
  }

  /** The phase the running members were built for (OFF without the annotation: made before, or without encryption). */
  public static Phase running(StatefulSet sts) {
    if (sts == null || sts.getSpec() == null || sts.getSpec().getTemplate() == null
        || sts.getSpec().getTemplate().getMetadata() == null || sts.getSpec().getTemplate().getMetadata().getAnnotations() == null) {
      return Phase.OFF;
    }
    String v = sts.getSpec().getTemplate().getMetadata().getAnnotations().get(MEMBERS_ANNOTATION);
    if ("opening".equals(v)) return Phase.OPENING;
    if ("sealing".equals(v)) return Phase.SEALING;
    return Phase.OFF;
  }

  /**
   * The phase to build next: a new cluster seals from the start when wanted; a running one goes OFF → OPENING →
   * SEALING, the second step only once every member runs the first (its rollout complete); SEALING stays.
   */
  public static Phase resolve(AionCluster cluster, StatefulSet running) {
    boolean wanted = wanted(cluster);
    if (running == null) return wanted ? Phase.SEALING : Phase.OFF;
    return switch (running(running)) {
      case SEALING -> Phase.SEALING;
      case OPENING -> !wanted ? Phase.OFF : rolledOut(running) ? Phase.SEALING : Phase.OPENING;
      case OFF -> wanted ? Phase.OPENING : Phase.OFF;
    };
  }

  /** Every replica runs the current template and is ready. */
  static boolean rolledOut(StatefulSet sts) {
    var st = sts.getStatus();
    if (st == null || sts.getSpec().getReplicas() == null) return false;
    int replicas = sts.getSpec().getReplicas();
    Long observed = st.getObservedGeneration();
    Long generation = sts.getMetadata() == null ? null : sts.getMetadata().getGeneration();
    return (generation == null || (observed != null && observed >= generation))
        && st.getUpdatedReplicas() != null && st.getUpdatedReplicas() == replicas
        && st.getReadyReplicas() != null && st.getReadyReplicas() == replicas;
  }

  /** The copy {@link Defaults} builds from carries {@code phase}. */
  static void carry(AionCluster copy, Phase phase) {
    Map<String, String> a = copy.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(copy.getMetadata().getAnnotations());
    a.put(RESOLVED_ANNOTATION, phase.name());
    copy.getMetadata().setAnnotations(a);
  }

  /** The Secret and key holding the current key-encryption key. */
  public static String secretName(AionCluster cluster) {
    EncryptionSpec e = cluster.getSpec().getEncryption();
    return e != null && e.getSecretName() != null ? e.getSecretName() : ClusterNames.of(cluster).encryptionKeySecret();
  }

  public static String secretKey(AionCluster cluster) {
    EncryptionSpec e = cluster.getSpec().getEncryption();
    return e != null && e.getSecretName() != null && e.getKey() != null ? e.getKey() : GENERATED_KEY;
  }

  /** True when the operator makes the key Secret (spec.encryption.secretName left out). */
  public static boolean generated(AionCluster cluster) {
    EncryptionSpec e = cluster.getSpec().getEncryption();
    return e == null || e.getSecretName() == null;
  }

  private static List<EncryptionSpec.OldKey> oldKeys(AionCluster cluster) {
    EncryptionSpec e = cluster.getSpec().getEncryption();
    return e == null || e.getOldKeys() == null ? List.of() : e.getOldKeys();
  }

  /** The pod template annotation for the phase built (none when off). */
  public static Map<String, String> podAnnotations(AionCluster cluster) {
    Phase p = phase(cluster);
    return p == Phase.OFF ? Map.of() : Map.of(MEMBERS_ANNOTATION, p == Phase.OPENING ? "opening" : "sealing");
  }

  /** The engine settings: opening lists every key in encryption.old-key-files; sealing names the current one. */
  public static Map<String, String> settings(AionCluster cluster) {
    Phase p = phase(cluster);
    if (p == Phase.OFF) return Map.of();
    List<String> old = new ArrayList<>();
    for (int i = 0; i < oldKeys(cluster).size(); i++) old.add(MOUNT_PATH + "/old-" + i + "/" + KEY_FILE);
    Map<String, String> s = new LinkedHashMap<>();
    String current = MOUNT_PATH + "/current/" + KEY_FILE;
    if (p == Phase.SEALING) {
      s.put("encryption.key-file", current);
    } else {
      old.add(0, current);
    }
    if (!old.isEmpty()) s.put("encryption.old-key-files", String.join(",", old));
    return s;
  }

  /** The current key and each old one, one Secret volume each, readable by the engine's group only. */
  public static List<Volume> volumes(AionCluster cluster) {
    if (phase(cluster) == Phase.OFF) return List.of();
    List<Volume> out = new ArrayList<>();
    out.add(volume(VOLUME, secretName(cluster), secretKey(cluster)));
    List<EncryptionSpec.OldKey> old = oldKeys(cluster);
    for (int i = 0; i < old.size(); i++) {
      out.add(volume(VOLUME + "-old-" + i, old.get(i).getSecretName(), old.get(i).getKey() == null ? GENERATED_KEY : old.get(i).getKey()));
    }
    return out;
  }

  private static Volume volume(String name, String secret, String key) {
    return new VolumeBuilder().withName(name).withNewSecret().withSecretName(secret).withDefaultMode(0440)
        .addNewItem().withKey(key).withPath(KEY_FILE).endItem().endSecret().build();
  }

  public static List<VolumeMount> mounts(AionCluster cluster) {
    if (phase(cluster) == Phase.OFF) return List.of();
    List<VolumeMount> out = new ArrayList<>();
    out.add(new VolumeMountBuilder().withName(VOLUME).withMountPath(MOUNT_PATH + "/current").withReadOnly(true).build());
    for (int i = 0; i < oldKeys(cluster).size(); i++) {
      out.add(new VolumeMountBuilder().withName(VOLUME + "-old-" + i).withMountPath(MOUNT_PATH + "/old-" + i)
          .withReadOnly(true).build());
    }
    return out;
  }

  /**
   * {@code <name>-encryption-key}: 64 hex digits. Owned by the cluster only with storage.reclaimPolicy Delete (with
   * Retain the volumes it opens outlive the cluster, and so does it).
   */
  public static Secret generatedSecret(AionCluster cluster, String hexKey) {
    return AuthBuilders.secret(cluster, ClusterNames.of(cluster).encryptionKeySecret(), Map.of(GENERATED_KEY, hexKey));
  }
}
