package io.aiondb.operator.users;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.engine.EngineAccess;
import io.aiondb.operator.engine.EngineClient;
import io.aiondb.operator.engine.EngineRefusedException;
import io.aiondb.operator.engine.EngineUnavailableException;
import io.aiondb.operator.model.AuthBuilders;
import io.aiondb.operator.model.ClusterNames;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's root session on each cluster, for user administration (the operator's own API key has no
 * user-admin, by design: docs/operator.md "Users"). Logs in with the password of Secret {@code <name>-root} (which
 * the operator made) and keeps the token until 5 minutes before it expires, or until that Secret changes: one
 * login (an Argon2 hash on a member, tens of milliseconds) per cluster and hour, not one per AionUser.
 */
final class RootSession {
  static final Duration MARGIN = Duration.ofMinutes(5);

  /** The root Secret is missing or has no password: the cluster reconciler makes it (or the user broke it). */
  static final class NoRootPassword extends Exception {
    private static final long serialVersionUID = 1L;

    NoRootPassword(String message) {
      super(message);
    }
  }

  private record Held(String token, java.time.Instant renewAt, String secretVersion) {}

  /** A refused login, answered again without asking until {@code until} or a new root Secret. */
  private record Refused(EngineRefusedException error, java.time.Instant until, String secretVersion) {}

  /**
   * How long a refused login is not tried again: the engine locks a user name out after 10 failed logins in a minute
   * (docs/security.md "Tokens"), and root is also the human administrator's account: however many AionUsers wait,
   * the operator fails at most three logins per cluster and minute (a new cluster writes root a few seconds
   * after its first leader is elected: the first logins of a cluster made with its AionUsers are refused).
   */
  static final Duration REFUSED_PAUSE = Duration.ofSeconds(20);

  private final KubernetesClient client;
  private final EngineClient engine;
  private final Clock clock;
  private final Map<String, Held> byCluster = new ConcurrentHashMap<>();
  private final Map<String, Refused> refused = new ConcurrentHashMap<>();

  RootSession(KubernetesClient client, EngineClient engine, Clock clock) {
    this.client = client;
    this.engine = engine;
    this.clock = clock;
  }

  /** {@code access} with root's token as its bearer credential, logging in when no usable token is held. */
  EngineAccess access(AionCluster cluster, URI base, EngineAccess access)
      throws NoRootPassword, EngineUnavailableException, EngineRefusedException {
    ClusterNames names = ClusterNames.of(cluster);
    Secret root = client.secrets().inNamespace(names.namespace()).withName(names.rootSecret()).get();
    String encoded = root == null || root.getData() == null ? null : root.getData().get(AuthBuilders.PASSWORD);
    if (encoded == null || encoded.isBlank()) {
      throw new NoRootPassword("Secret " + names.rootSecret() + " with the root password is missing or has no '"
          + AuthBuilders.PASSWORD + "'");
    }
    String key = key(cluster);
    String version = root.getMetadata().getResourceVersion();
    Held held = byCluster.get(key);
    if (held != null && held.secretVersion().equals(version) && clock.instant().isBefore(held.renewAt())) {
      return access.withApiKey(held.token());
    }
    Refused no = refused.get(key);
    if (no != null && no.secretVersion().equals(version) && clock.instant().isBefore(no.until())) throw no.error();
    char[] password = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8).strip().toCharArray();
    EngineClient.Token t;
    try {
      t = engine.login(base, AuthBuilders.ROOT_USER, password, access);
    } catch (EngineRefusedException e) {
      refused.put(key, new Refused(e, clock.instant().plus(REFUSED_PAUSE), version));
      throw e;
    } finally {
      java.util.Arrays.fill(password, '\0');
    }
    refused.remove(key);
    byCluster.put(key, new Held(t.token(), t.expiresAt().minus(MARGIN), version));
    return access.withApiKey(t.token());
  }

  /** Drops the held token (the engine answered 401: expired early, revoked, or a cluster made again). */
  void forget(AionCluster cluster) {
    byCluster.remove(key(cluster));
  }

  private static String key(AionCluster cluster) {
    return cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName() + "/" + cluster.getMetadata().getUid();
  }
}
