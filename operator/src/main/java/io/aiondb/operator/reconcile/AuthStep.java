package io.aiondb.operator.reconcile;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.model.AuthBuilders;
import io.aiondb.operator.model.ClusterNames;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The "credentials" step (docs/operator.md "Authentication"). With auth on it makes, once, Secret {@code <name>-root}
 * (a random 32-character root password) and Secret {@code <name>-operator-key} (a random API key in the engine's
 * format, {@code aion_<12 base32hex>_<43 base64url>}, 256 random bits), and never changes them afterwards: the members
 * register both at their first start, so a new value would lock the root user or the operator out. A Secret that
 * exists but lacks its key is a blocker (the members could not start, or the operator could not reach them). Calls:
 * get and create of Secrets.
 */
final class AuthStep {
  static final String AUTH_SECRET_INVALID = "AuthSecretInvalid";
  private static final String BASE32HEX = "0123456789abcdefghijklmnopqrstuv";

  private final KubernetesClient client;
  private final SecureRandom random;

  AuthStep(KubernetesClient client) {
    this(client, new SecureRandom());
  }

  AuthStep(KubernetesClient client, SecureRandom random) {
    this.client = client;
    this.random = random;
  }

  /** Blockers: a Secret of ours that exists without the key the members read. Nothing is changed. */
  List<Blocker> check(AionCluster cluster) {
    if (!AuthBuilders.enabled(cluster)) return List.of();
    ClusterNames names = ClusterNames.of(cluster);
    List<Blocker> out = new ArrayList<>();
    String bad = invalid(names.namespace(), names.rootSecret(), AuthBuilders.PASSWORD);
    if (bad != null) out.add(new Blocker(AUTH_SECRET_INVALID, bad));
    bad = invalid(names.namespace(), names.operatorKeySecret(), AuthBuilders.API_KEY);
    if (bad != null) out.add(new Blocker(AUTH_SECRET_INVALID, bad));
    return out;
  }

  /** Creates whichever of the two Secrets is missing; returns what was done (for events). */
  List<String> ensure(AionCluster cluster) {
    if (!AuthBuilders.enabled(cluster)) return List.of();
    ClusterNames names = ClusterNames.of(cluster);
    List<String> actions = new ArrayList<>();
    if (create(AuthBuilders.rootSecret(cluster, newPassword()))) {
      actions.add("Created Secret " + names.rootSecret() + " with the password of the user root.");
    }
    if (create(AuthBuilders.operatorKeySecret(cluster, newApiKey()))) {
      actions.add("Created Secret " + names.operatorKeySecret() + " with the operator's API key (service account "
          + "aion-operator).");
    }
    return actions;
  }

  /** 32 characters of base64url: 192 random bits (the engine wants at least 12 characters). */
  String newPassword() {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** {@code aion_<12 chars of base32hex>_<43 chars of unpadded base64url: 32 random bytes>}, the engine's API key. */
  String newApiKey() {
    StringBuilder k = new StringBuilder("aion_");
    byte[] id = new byte[12];
    random.nextBytes(id);
    for (byte b : id) k.append(BASE32HEX.charAt(b & 31));
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    return k.append('_').append(Base64.getUrlEncoder().withoutPadding().encodeToString(secret)).toString();
  }

  private boolean create(Secret desired) {
    String ns = desired.getMetadata().getNamespace();
    if (client.secrets().inNamespace(ns).withName(desired.getMetadata().getName()).get() != null) return false;
    try {
      client.resource(desired).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) return false; // made meanwhile (another reconcile): keep that one
      throw e;
    }
  }

  private String invalid(String namespace, String name, String key) {
    Secret s = client.secrets().inNamespace(namespace).withName(name).get();
    if (s == null) return null; // made by ensure()
    String v = s.getData() == null ? null : s.getData().get(key);
    if (v == null && s.getStringData() != null) v = s.getStringData().get(key);
    if (v == null || v.isBlank()) {
      return "Secret " + name + " exists but has no '" + key + "'; the operator made it with one and never changes it: "
          + "put the value back (or delete the Secret of a cluster that has never started); nothing was changed.";
    }
    if (AuthBuilders.API_KEY.equals(key)) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8).strip();
      } catch (IllegalArgumentException e) {
        decoded = "";
      }
      if (!decoded.matches("aion_[0-9a-v]{12}_[A-Za-z0-9_-]{43}")) {
        return "Secret " + name + ": '" + key + "' is not an API key (aion_<12 id chars>_<43 secret chars>); the "
            + "members would not start with it; nothing was changed.";
      }
    }
    return null;
  }
}
