package io.aiondb.operator.reconcile;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.EncryptionSpec;
import io.aiondb.operator.model.EncryptionBuilders;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The "encryption key" step (docs/operator.md "Encryption at rest"). With spec.encryption on and no secretName it
 * makes Secret {@code <name>-encryption-key} once (32 random bytes as 64 hex digits) and never changes it: the members'
 * data is sealed under it. Blockers: a key Secret (the user's, an old one, or ours) missing or not holding a 32-byte key
 * — the members would not start, or could no longer read their data. Calls: get and create of Secrets.
 */
final class EncryptionStep {
  static final String ENCRYPTION_KEY_INVALID = "EncryptionKeyInvalid";

  private final KubernetesClient client;
  private final SecureRandom random;

  EncryptionStep(KubernetesClient client) {
    this(client, new SecureRandom());
  }

  EncryptionStep(KubernetesClient client, SecureRandom random) {
    this.client = client;
    this.random = random;
  }

  /** Blockers for the key Secrets the members would mount; nothing is changed. */
  List<Blocker> check(AionCluster cluster) {
    if (EncryptionBuilders.phase(cluster) == EncryptionBuilders.Phase.OFF) return List.of();
    String ns = cluster.getMetadata().getNamespace();
    List<Blocker> out = new ArrayList<>();
    String bad = invalid(ns, EncryptionBuilders.secretName(cluster), EncryptionBuilders.secretKey(cluster),
        EncryptionBuilders.generated(cluster));
    if (bad != null) out.add(new Blocker(ENCRYPTION_KEY_INVALID, bad));
    EncryptionSpec e = cluster.getSpec().getEncryption();
    if (e != null && e.getOldKeys() != null) {
      for (EncryptionSpec.OldKey k : e.getOldKeys()) {
        bad = invalid(ns, k.getSecretName(), k.getKey() == null ? EncryptionBuilders.GENERATED_KEY : k.getKey(), false);
        if (bad != null) out.add(new Blocker(ENCRYPTION_KEY_INVALID, "spec.encryption.oldKeys: " + bad));
      }
    }
    return out;
  }

  /** Creates {@code <name>-encryption-key} when the operator makes the key and it is missing; what was done. */
  List<String> ensure(AionCluster cluster) {
    if (EncryptionBuilders.phase(cluster) == EncryptionBuilders.Phase.OFF || !EncryptionBuilders.generated(cluster)) {
      return List.of();
    }
    String name = EncryptionBuilders.secretName(cluster);
    if (client.secrets().inNamespace(cluster.getMetadata().getNamespace()).withName(name).get() != null) return List.of();
    byte[] key = new byte[32];
    random.nextBytes(key);
    try {
      client.resource(EncryptionBuilders.generatedSecret(cluster, HexFormat.of().formatHex(key))).create();
    } catch (KubernetesClientException ex) {
      if (ex.getCode() == 409) return List.of(); // made meanwhile: keep that one
      throw ex;
    }
    return List.of("Created Secret " + name + " with the cluster's key-encryption key (keep a copy: the data and the "
        + "backups cannot be read without it).");
  }

  /** Why the Secret cannot serve, or null. A missing Secret of ours is fine: {@link #ensure} makes it. */
  private String invalid(String namespace, String name, String key, boolean ours) {
    Secret s = client.secrets().inNamespace(namespace).withName(name).get();
    if (s == null) {
      return ours ? null : "Secret " + name + " (the key-encryption key) does not exist; the members could not start. "
          + "Nothing was changed.";
    }
    String v = s.getData() == null ? null : s.getData().get(key);
    String text = null;
    if (v != null) {
      try {
        text = new String(Base64.getDecoder().decode(v), StandardCharsets.US_ASCII).strip();
      } catch (IllegalArgumentException e) {
        text = null;
      }
    } else if (s.getStringData() != null && s.getStringData().get(key) != null) {
      text = s.getStringData().get(key).strip();
    }
    if (text == null || text.isEmpty()) {
      return "Secret " + name + " has no '" + key + "' (the key-encryption key); nothing was changed.";
    }
    if (!text.matches("[0-9a-fA-F]{64}") && !isBase64Key(text)) {
      return "Secret " + name + ": '" + key + "' is not a 32-byte key (64 hex digits or base64, e.g. openssl rand -hex "
          + "32); the members would not start with it; nothing was changed.";
    }
    return null;
  }

  private static boolean isBase64Key(String text) {
    try {
      return Base64.getDecoder().decode(text).length == 32;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
