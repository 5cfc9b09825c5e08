package io.aiondb.operator.users;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.operator.OperatorConfig;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AionUser;
import io.aiondb.operator.api.AionUserSpec;
import io.aiondb.operator.api.AionUserStatus;
import io.aiondb.operator.backup.Members;
import io.aiondb.operator.engine.EngineAccess;
import io.aiondb.operator.engine.EngineAddresses;
import io.aiondb.operator.engine.EngineClient;
import io.aiondb.operator.engine.EngineRefusedException;
import io.aiondb.operator.engine.EngineUnavailableException;
import io.aiondb.operator.model.AuthBuilders;
import io.aiondb.operator.model.ClusterNames;
import io.aiondb.operator.model.TlsBuilders;
import io.aiondb.operator.reconcile.EventRecorder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.inject.Inject;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Makes the engine's account match an AionUser (docs/operator.md "Users"), in named steps: find the cluster (auth
 * on), log in as root ({@link RootSession}), drop an account of the other kind when spec.authentication.type
 * changed, keep the inline role {@code aionuser.<name>} equal to spec.rules, then the account itself with its roles
 * and credentials. Level-triggered: every object is checked again each minute, so a password Secret changed by its
 * owner, or an account changed or removed through the API, is put back to what the object says. Deleting the object
 * removes the account and its inline role (a finalizer), unless the cluster is gone.
 *
 * <p>Credentials: type password with spec.authentication.passwordSecret uses the user's Secret (a new resourceVersion
 * sets the password again, which revokes the user's tokens); without it the operator generates a password into
 * Secret {@code <name>} (delete that Secret to have a new one made). Type apiKey keeps exactly one key on the
 * service account, the one in Secret {@code <name>}: a missing or foreign Secret value gets a new key, and every
 * other key of the account is removed. Calls: get, create, update of Secrets; get, patch of AionUsers; the engine's
 * {@code /v1/auth/...}.
 */
@ControllerConfiguration(name = AionUserReconciler.NAME)
public class AionUserReconciler implements Reconciler<AionUser>, Cleaner<AionUser> {
  public static final String NAME = "aionuser";
  /** Checked again after (aion.operator.user-resync-interval, 60 s). */
  private final Duration recheck;
  /** Retried after, when the engine is not reachable (10 s). */
  private final Duration retry;
  /** Retried after, when waiting on the user (a Secret, a role, a conflict: 30 s). */
  private final Duration waitUser;

  private final KubernetesClient client;
  private final EngineClient engine;
  private final Members members;
  private final EngineAddresses addresses;
  private final RootSession root;
  private final EventRecorder events;
  private final SecureRandom random = new SecureRandom();

  @Inject
  public AionUserReconciler(KubernetesClient client, OperatorConfig config,
      @ConfigProperty(name = "HOSTNAME", defaultValue = "aion-operator") String instance) {
    this.client = client;
    this.engine = new EngineClient(config.engineTimeout());
    this.addresses = new EngineAddresses(config.engineUrlTemplate(), config.engineMemberUrlTemplate());
    this.members = new Members(client, engine, addresses);
    this.root = new RootSession(client, engine, Clock.systemUTC());
    this.events = new EventRecorder(client, instance);
    this.recheck = config.userResyncInterval();
    this.retry = recheck.dividedBy(6);
    this.waitUser = recheck.dividedBy(2);
  }

  /** Not Ready, for a reason the status names; checked again after {@code after}. */
  private static final class NotReady extends Exception {
    private static final long serialVersionUID = 1L;
    final String reason;
    final Duration after;

    NotReady(String reason, String message, Duration after) {
      super(message);
      this.reason = reason;
      this.after = after;
    }
  }

  /** The cluster, its engine address and root's access to it. */
  private record Session(AionCluster cluster, URI base, EngineAccess access) {}

  @Override
  public UpdateControl<AionUser> reconcile(AionUser user, Context<AionUser> context) {
    AionUserStatus status = user.getStatus() == null ? new AionUserStatus() : user.getStatus();
    user.setStatus(status);
    try {
      Session s = session(user);
      List<String> done = new ArrayList<>();
      dropOtherKind(user, s, status, done);
      inlineRole(user, s, status, done);
      if (UserBuilders.type(user) == AionUserSpec.Type.password) {
        passwordUser(user, s, status, done);
      } else {
        serviceAccount(user, s, status, done);
      }
      status.setType(UserBuilders.type(user).name());
      done.forEach(d -> events.normal(user, "Updated", d));
      ready(user, "True", "Ready", done.isEmpty() ? "the engine's account matches" : String.join(" ", done));
      return UpdateControl.patchStatus(user).rescheduleAfter(recheck);
    } catch (NotReady e) {
      if (!"False".equals(readyStatus(status)) || !e.reason.equals(readyReason(status))) {
        events.warning(user, e.reason, e.getMessage());
      }
      ready(user, "False", e.reason, e.getMessage());
      return UpdateControl.patchStatus(user).rescheduleAfter(e.after);
    }
  }

  /** The cluster with auth on, and root's token for it. */
  private Session session(AionUser user) throws NotReady {
    String ns = user.getMetadata().getNamespace();
    AionCluster found = client.resources(AionCluster.class).inNamespace(ns).withName(user.getSpec().getCluster()).get();
    if (found == null) {
      throw new NotReady("ClusterNotFound", "AionCluster " + user.getSpec().getCluster() + " does not exist in namespace "
          + ns, waitUser);
    }
    AionCluster cluster = members.resolved(found);
    if (!AuthBuilders.enabled(cluster)) {
      throw new NotReady("AuthDisabled", "AionCluster " + cluster.getMetadata().getName() + " runs without auth"
          + " (spec.auth.enabled: false): every client may do everything, there are no accounts to make", recheck);
    }
    URI base = addresses.cluster(cluster);
    try {
      return new Session(cluster, base, root.access(cluster, base, members.access(cluster).withApiKey(null)));
    } catch (RootSession.NoRootPassword e) {
      throw new NotReady("ClusterNotReady", e.getMessage(), retry);
    } catch (EngineUnavailableException e) {
      throw new NotReady("ClusterUnavailable", e.getMessage(), retry);
    } catch (EngineRefusedException e) {
      throw new NotReady("RootLoginFailed", "could not log in as root with Secret "
          + ClusterNames.of(cluster).rootSecret() + " (the members set root's password from it at their start): "
          + e.getMessage(), retry);
    }
  }

  /** One engine call; a 401 drops root's token (retried at once), other refusals and failures are NotReady. */
  private JsonNode call(Session s, String method, String path, JsonNode body, boolean nullIfMissing) throws NotReady {
    try {
      return engine.auth(method, s.base(), path, body, nullIfMissing, s.access());
    } catch (EngineUnavailableException e) {
      throw new NotReady("ClusterUnavailable", e.getMessage(), retry);
    } catch (EngineRefusedException e) {
      if (e.status() == 401) {
        root.forget(s.cluster());
        throw new NotReady("ClusterUnavailable", "root's token was refused; logging in again: " + e.getMessage(),
            Duration.ofSeconds(1));
      }
      if (e.status() == 400 && e.getMessage().contains("no role '")) {
        throw new NotReady("RoleNotFound", e.getMessage() + " (make the role through the API, or use spec.rules)",
            waitUser);
      }
      throw new NotReady("Refused", e.getMessage(), waitUser);
    }
  }

  private static String userPath(String name) { return "/v1/auth/users/" + name; }
  private static String servicePath(String name) { return "/v1/auth/services/" + name; }
  private static String rolePath(String name) { return "/v1/auth/roles/" + name; }

  /** spec.authentication.type changed: the account of the former kind goes. */
  private void dropOtherKind(AionUser user, Session s, AionUserStatus status, List<String> done) throws NotReady {
    String was = status.getType();
    if (was == null || was.equals(UserBuilders.type(user).name())) return;
    String name = user.getMetadata().getName();
    boolean wasUser = AionUserSpec.Type.password.name().equals(was);
    JsonNode r = call(s, "DELETE", wasUser ? userPath(name) : servicePath(name), null, true);
    if (r != null && r.path("deleted").asBoolean(false)) {
      done.add("Removed the " + (wasUser ? "user" : "service account") + " " + name + " (spec.authentication.type is now "
          + UserBuilders.type(user) + ").");
    }
    status.setPasswordVersion(null);
    status.setKeyId(null);
    status.setType(null);
  }

  /** The role aionuser.&lt;name&gt; equal to spec.rules; removed when spec.rules is emptied. */
  private void inlineRole(AionUser user, Session s, AionUserStatus status, List<String> done) throws NotReady {
    String role = UserBuilders.inlineRole(user);
    if (UserBuilders.hasRules(user)) {
      JsonNode wanted = UserBuilders.roleBody(user);
      JsonNode held = call(s, "GET", rolePath(role), null, true);
      if (!UserBuilders.sameRules(held, wanted)) {
        call(s, "PUT", rolePath(role), wanted, false);
        done.add((held == null ? "Created" : "Updated") + " role " + role + " from spec.rules.");
      }
      status.setInlineRole(true);
    } else if (Boolean.TRUE.equals(status.getInlineRole())) {
      call(s, "DELETE", rolePath(role), null, true);
      done.add("Removed role " + role + " (spec.rules is empty).");
      status.setInlineRole(null);
    }
  }

  private void passwordUser(AionUser user, Session s, AionUserStatus status, List<String> done) throws NotReady {
    String name = user.getMetadata().getName();
    List<String> roles = UserBuilders.roles(user);
    Secret secret = passwordSecret(user, s);
    var ref = user.getSpec().getAuthentication() == null ? null : user.getSpec().getAuthentication().getPasswordSecret();
    String key = ref == null ? UserBuilders.PASSWORD : ref.getKey();
    String password = UserBuilders.value(secret, key);
    String secretName = secret.getMetadata().getName();
    if (password == null || password.strip().length() < 8) {
      throw new NotReady("PasswordSecretInvalid", "Secret " + secretName + " has no '" + key + "' of at least 8"
          + " characters", waitUser);
    }
    String version = secret.getMetadata().getResourceVersion();
    JsonNode held = call(s, "GET", userPath(name), null, true);
    if (held == null || !version.equals(status.getPasswordVersion())) {
      var body = UserBuilders.rolesBody(roles).put("password", password.strip());
      call(s, "PUT", userPath(name), body, false);
      done.add(held == null ? "Created user " + name + " with the password in Secret " + secretName + "."
          : "Set the password of user " + name + " from Secret " + secretName + " (its tokens are revoked).");
      status.setPasswordVersion(version);
    } else if (!UserBuilders.sameRoles(held, roles)) {
      call(s, "PUT", userPath(name), UserBuilders.rolesBody(roles), false);
      done.add("Bound user " + name + " to roles " + roles + ".");
    }
    status.setSecret(secretName);
    status.setKeyId(null);
  }

  /** The user's own Secret (spec.authentication.passwordSecret), or Secret &lt;name&gt; made with a new password. */
  private Secret passwordSecret(AionUser user, Session s) throws NotReady {
    String ns = user.getMetadata().getNamespace();
    var ref = user.getSpec().getAuthentication() == null ? null : user.getSpec().getAuthentication().getPasswordSecret();
    if (ref != null) {
      Secret own = client.secrets().inNamespace(ns).withName(ref.getName()).get();
      if (own == null) {
        throw new NotReady("PasswordSecretInvalid", "Secret " + ref.getName() + " (spec.authentication.passwordSecret)"
            + " does not exist", waitUser);
      }
      return own;
    }
    Secret made = ownedSecret(user);
    Secret wanted = UserBuilders.credentials(user, UserBuilders.PASSWORD, newPassword(), endpoint(s.cluster()));
    if (made == null) return create(wanted);
    if (UserBuilders.value(made, UserBuilders.PASSWORD) != null) return made;
    made.setData(wanted.getData()); // it held an API key (spec.authentication.type was apiKey): now a password
    return client.resource(made).update();
  }

  private void serviceAccount(AionUser user, Session s, AionUserStatus status, List<String> done) throws NotReady {
    String name = user.getMetadata().getName();
    List<String> roles = UserBuilders.roles(user);
    JsonNode held = call(s, "GET", servicePath(name), null, true);
    if (held == null || !UserBuilders.sameRoles(held, roles)) {
      held = call(s, "PUT", servicePath(name), UserBuilders.rolesBody(roles), false);
      done.add((held.path("keys").isEmpty() ? "Created" : "Updated") + " service account " + name + " with roles "
          + roles + ".");
    }
    Secret secret = ownedSecret(user);
    String keyId = UserBuilders.keyId(UserBuilders.value(secret, UserBuilders.API_KEY));
    List<String> keys = new ArrayList<>();
    held.path("keys").forEach(k -> keys.add(k.path("keyId").asText()));
    if (keyId == null || !keys.contains(keyId)) {
      JsonNode made = call(s, "POST", servicePath(name) + "/keys", null, false);
      String key = made.path("key").asText();
      keyId = made.path("keyId").asText();
      Secret wanted = UserBuilders.credentials(user, UserBuilders.API_KEY, key, endpoint(s.cluster()));
      if (secret == null) {
        create(wanted);
      } else {
        secret.setData(wanted.getData());
        client.resource(secret).update(); // guarded by its resourceVersion: a concurrent change fails this reconcile
      }
      done.add("Made a new API key " + keyId + " for service account " + name + " in Secret " + name + ".");
    }
    for (String other : keys) {
      if (!other.equals(keyId)) {
        call(s, "DELETE", servicePath(name) + "/keys/" + other, null, true);
        done.add("Removed API key " + other + " of service account " + name + " (only the key in Secret " + name
            + " is kept).");
      }
    }
    status.setKeyId(keyId);
    status.setSecret(name);
    status.setPasswordVersion(null);
  }

  /** Secret &lt;name&gt; if this AionUser made it; null if missing; NotReady if someone else's is in the way. */
  private Secret ownedSecret(AionUser user) throws NotReady {
    String name = user.getMetadata().getName();
    Secret s = client.secrets().inNamespace(user.getMetadata().getNamespace()).withName(name).get();
    if (s == null) return null;
    if (!UserBuilders.owned(user, s)) {
      throw new NotReady("SecretConflict", "Secret " + name + " exists and was not made for this AionUser: the"
          + " operator writes the credentials there; rename one of them (nothing was changed)", waitUser);
    }
    return s;
  }

  private Secret create(Secret desired) throws NotReady {
    try {
      return client.resource(desired).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new NotReady("SecretConflict", "Secret " + desired.getMetadata().getName() + " was made meanwhile; trying"
            + " again", Duration.ofSeconds(1));
      }
      throw e;
    }
  }

  /** How an application in the cluster reaches the members: the client Service, https with TLS on. */
  static String endpoint(AionCluster cluster) {
    return (TlsBuilders.enabled(cluster) ? "https://" : "http://") + ClusterNames.of(cluster).clientHost() + ":"
        + ClusterNames.HTTP_PORT;
  }

  /** 32 characters of base64url: 192 random bits. */
  private String newPassword() {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String readyStatus(AionUserStatus s) {
    return s.getConditions() == null ? null : s.getConditions().stream().filter(c -> "Ready".equals(c.getType()))
        .map(Condition::getStatus).findFirst().orElse(null);
  }

  private static String readyReason(AionUserStatus s) {
    return s.getConditions() == null ? null : s.getConditions().stream().filter(c -> "Ready".equals(c.getType()))
        .map(Condition::getReason).findFirst().orElse(null);
  }

  private static void ready(AionUser user, String value, String reason, String message) {
    AionUserStatus s = user.getStatus();
    String since = Instant.now().toString();
    if (value.equals(readyStatus(s))) {
      since = s.getConditions().stream().filter(c -> "Ready".equals(c.getType())).map(Condition::getLastTransitionTime)
          .findFirst().orElse(since);
    }
    Long generation = user.getMetadata().getGeneration();
    s.setConditions(new ArrayList<>(List.of(new ConditionBuilder().withType("Ready").withStatus(value).withReason(reason)
        .withMessage(message.length() > 1024 ? message.substring(0, 1024) : message).withLastTransitionTime(since)
        .withObservedGeneration(generation).build())));
    s.setObservedGeneration(generation);
  }

  /** Removes the account and its inline role; with the cluster (or auth) gone there is nothing to remove. */
  @Override
  public DeleteControl cleanup(AionUser user, Context<AionUser> context) {
    Session s;
    try {
      s = session(user);
    } catch (NotReady e) {
      if (e.reason.equals("ClusterNotFound") || e.reason.equals("AuthDisabled")) return DeleteControl.defaultDelete();
      events.warning(user, "DeleteRetried", "Could not remove the account yet: " + e.getMessage());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(retry);
    }
    String name = user.getMetadata().getName();
    try {
      String kind = user.getStatus() != null && user.getStatus().getType() != null ? user.getStatus().getType()
          : UserBuilders.type(user).name();
      boolean wasUser = AionUserSpec.Type.password.name().equals(kind);
      call(s, "DELETE", wasUser ? userPath(name) : servicePath(name), null, true);
      call(s, "DELETE", rolePath(UserBuilders.inlineRole(user)), null, true);
      events.normal(user, "Deleted", "Removed " + (wasUser ? "user " : "service account ") + name + " and role "
          + UserBuilders.inlineRole(user) + " from AionCluster " + user.getSpec().getCluster() + ".");
      return DeleteControl.defaultDelete();
    } catch (NotReady e) {
      events.warning(user, "DeleteRetried", "Could not remove the account yet: " + e.getMessage());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(retry);
    }
  }
}
