package io.aiondb.operator.model;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AuthSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;

/**
 * What spec.auth means for a cluster's objects (docs/operator.md "Authentication"): whether the members run with
 * {@code auth.enabled}, the two Secrets the operator makes once ({@code <name>-root}: the root user's password;
 * {@code <name>-operator-key}: the operator's own API key, service account {@code aion-operator}), and how the members
 * mount them. Pure: the secret values are made elsewhere and passed in.
 *
 * <p>spec.auth.enabled left out means on for a new cluster, and for a cluster whose StatefulSet exists, what it runs
 * now ({@link #resolve}): a cluster created by an operator version without this field keeps running without auth
 * after the operator is upgraded, so no client is locked out by an upgrade.
 */
public final class AuthBuilders {
  public static final String ROOT_VOLUME = "auth-root";
  public static final String OPERATOR_VOLUME = "auth-operator";
  public static final String ROOT_PATH = "/etc/aion-auth/root";
  public static final String OPERATOR_PATH = "/etc/aion-auth/operator";
  /** Keys of the two Secrets. */
  public static final String USERNAME = "username";
  public static final String PASSWORD = "password";
  public static final String API_KEY = "api-key";
  /** The engine's name for the user created from auth.root-password-file. */
  public static final String ROOT_USER = "root";

  private AuthBuilders() {}

  /** Whether the members run with auth: spec.auth.enabled, or on when left out (see {@link #resolve}). */
  public static boolean enabled(AionCluster cluster) {
    AuthSpec auth = cluster.getSpec().getAuth();
    return auth == null || auth.getEnabled() == null || auth.getEnabled();
  }

  /**
   * spec.auth.enabled if set; otherwise on for a new cluster ({@code running} null) and, for a running one, whether its
   * pod template mounts the operator's key (an operator version that made it turned auth on).
   */
  public static boolean resolve(AionCluster cluster, StatefulSet running) {
    AuthSpec auth = cluster.getSpec().getAuth();
    if (auth != null && auth.getEnabled() != null) return auth.getEnabled();
    if (running == null || running.getSpec() == null || running.getSpec().getTemplate() == null
        || running.getSpec().getTemplate().getSpec() == null) {
      return true;
    }
    var volumes = running.getSpec().getTemplate().getSpec().getVolumes();
    return volumes != null && volumes.stream().anyMatch(v -> OPERATOR_VOLUME.equals(v.getName()));
  }

  /** The engine settings for auth (none with auth off: the engine's default is off). */
  public static Map<String, String> settings(AionCluster cluster) {
    if (!enabled(cluster)) return Map.of();
    return Map.of("auth.enabled", "true",
        "auth.root-password-file", ROOT_PATH + "/" + PASSWORD,
        "auth.operator-key-file", OPERATOR_PATH + "/" + API_KEY);
  }

  /** The two Secrets as volumes readable by the engine's group only (only the one key each that the engine reads). */
  public static List<Volume> volumes(AionCluster cluster) {
    if (!enabled(cluster)) return List.of();
    ClusterNames names = ClusterNames.of(cluster);
    return List.of(
        new VolumeBuilder().withName(ROOT_VOLUME).withNewSecret().withSecretName(names.rootSecret()).withDefaultMode(0440)
            .addNewItem().withKey(PASSWORD).withPath(PASSWORD).endItem().endSecret().build(),
        new VolumeBuilder().withName(OPERATOR_VOLUME).withNewSecret().withSecretName(names.operatorKeySecret())
            .withDefaultMode(0440).addNewItem().withKey(API_KEY).withPath(API_KEY).endItem().endSecret().build());
  }

  public static List<VolumeMount> mounts(AionCluster cluster) {
    if (!enabled(cluster)) return List.of();
    return List.of(
        new VolumeMountBuilder().withName(ROOT_VOLUME).withMountPath(ROOT_PATH).withReadOnly(true).build(),
        new VolumeMountBuilder().withName(OPERATOR_VOLUME).withMountPath(OPERATOR_PATH).withReadOnly(true).build());
  }

  /** {@code <name>-root}: {@code username: root}, {@code password}. Like CloudNativePG's {@code <name>-superuser}. */
  public static Secret rootSecret(AionCluster cluster, String password) {
    return secret(cluster, ClusterNames.of(cluster).rootSecret(), Map.of(USERNAME, ROOT_USER, PASSWORD, password));
  }

  /** {@code <name>-operator-key}: {@code api-key}, the operator's key (service account aion-operator). */
  public static Secret operatorKeySecret(AionCluster cluster, String apiKey) {
    return secret(cluster, ClusterNames.of(cluster).operatorKeySecret(), Map.of(API_KEY, apiKey));
  }

  /**
   * Owned by the cluster (deleted with it) only with storage.reclaimPolicy Delete. With Retain the members' volumes
   * outlive the cluster, and with them the root user and the operator's account: the Secrets stay too, so a cluster
   * created again on those volumes gets the credentials its data knows.
   */
  static Secret secret(AionCluster cluster, String name, Map<String, String> values) {
    var data = new java.util.TreeMap<String, String>();
    values.forEach((k, v) -> data.put(k, java.util.Base64.getEncoder()
        .encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    var storage = cluster.getSpec().getStorage();
    var metadata = Owners.metadata(cluster, name);
    if (storage == null || storage.getReclaimPolicy() != io.aiondb.operator.api.StorageSpec.ReclaimPolicy.Delete) {
      metadata.setOwnerReferences(null);
    }
    return new SecretBuilder().withMetadata(metadata).withType("Opaque").withData(data).build();
  }
}
