package io.aiondb.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;

/**
 * Makes an object in the cluster match what a builder returned. The builder's output is hashed and the hash kept in
 * an annotation: equal hash, nothing to do; otherwise the object is created or replaced (optimistic locking on the
 * resourceVersion read just before). Fields set by the API server (a Service's clusterIP, defaults) are not part of
 * the hash, so they never cause an update. Calls: get, create, update, delete.
 */
public class Applier {
  public static final String HASH_ANNOTATION = "aiondb.io/applied-hash";

  public enum Action { CREATED, UPDATED, UNCHANGED, DELETED }

  public record Result<T>(Action action, T object) {}

  private final KubernetesClient client;

  public Applier(KubernetesClient client) {
    this.client = client;
  }

  public <T extends HasMetadata> Result<T> apply(T desired) {
    String hash = hash(desired);
    if (desired.getMetadata().getAnnotations() == null) {
      desired.getMetadata().setAnnotations(new LinkedHashMap<>());
    }
    desired.getMetadata().getAnnotations().put(HASH_ANNOTATION, hash);
    T existing = client.resource(desired).get();
    if (existing == null) {
      return new Result<>(Action.CREATED, client.resource(desired).create());
    }
    String existingHash = existing.getMetadata().getAnnotations() == null ? null
        : existing.getMetadata().getAnnotations().get(HASH_ANNOTATION);
    if (hash.equals(existingHash)) {
      return new Result<>(Action.UNCHANGED, existing);
    }
    desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
    return new Result<>(Action.UPDATED, client.resource(desired).update());
  }

  /** Deletes {@code type/name} if it exists; returns DELETED or UNCHANGED. */
  public <T extends HasMetadata> Action deleteIfExists(Class<T> type, String namespace, String name) {
    T existing = client.resources(type).inNamespace(namespace).withName(name).get();
    if (existing == null) {
      return Action.UNCHANGED;
    }
    client.resources(type).inNamespace(namespace).withName(name).delete();
    return Action.DELETED;
  }

  static String hash(HasMetadata desired) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(Serialization.asJson(desired).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
