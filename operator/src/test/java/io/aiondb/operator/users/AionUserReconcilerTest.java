package io.aiondb.operator.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aiondb.operator.Clusters;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AionUser;
import io.aiondb.operator.api.AionUserSpec;
import io.aiondb.operator.kube.ControlPlane;
import io.aiondb.operator.kube.ControlPlane.AuditEvent;
import io.aiondb.operator.kube.ControlPlaneResource;
import io.aiondb.operator.kube.InjectControlPlane;
import io.aiondb.operator.packaging.Chart;
import io.aiondb.operator.packaging.Rule;
import io.aiondb.operator.reconcile.FakeAuth;
import io.aiondb.operator.reconcile.FakeEngine;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The AionUser controller against the real API server (the chart's RBAC; shared with the other reconciler tests) and
 * {@link FakeAuth}, the engine's user API in its terms. aion.operator.user-resync-interval is 3 s here.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
@WithTestResource(FakeEngine.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AionUserReconcilerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NS = "people";

  @InjectControlPlane
  ControlPlane controlPlane;

  private KubernetesClient client;

  @BeforeEach
  void namespace() {
    client = controlPlane.admin();
    controlPlane.createNamespace(NS);
  }

  /** A cluster with auth on (the default), its root Secret made before it, and the fake engine's user API for it. */
  private FakeAuth cluster(String name) {
    String password = "root-password-" + name;
    client.resource(new SecretBuilder().withNewMetadata().withName(name + "-root").withNamespace(NS).endMetadata()
        .addToData("username", b64("root")).addToData("password", b64(password)).build()).create();
    AionCluster c = Clusters.cluster(name, 3, "0.1.0");
    c.getMetadata().setNamespace(NS);
    c.getMetadata().setUid(null);
    c.getMetadata().setGeneration(null);
    client.resource(c).create();
    FakeEngine.GROUPS.put(NS + "/" + name, FakeEngine.Group.of(name + "-0", name + "-0", name + "-1", name + "-2"));
    FakeAuth auth = new FakeAuth(password);
    FakeEngine.AUTH.put(NS + "/" + name, auth);
    return auth;
  }

  private AionUser user(String name, String cluster, Consumer<AionUserSpec> edit) {
    AionUser u = new AionUser();
    u.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    AionUserSpec spec = new AionUserSpec();
    spec.setCluster(cluster);
    edit.accept(spec);
    u.setSpec(spec);
    return client.resource(u).create();
  }

  private AionUser get(String name) {
    return client.resources(AionUser.class).inNamespace(NS).withName(name).get();
  }

  /**
   * Edits the spec as a user would. The operator writes the object too (finalizer, status), so a write between the
   * read and the patch is a 409 Conflict: read again and retry, as kubectl edit makes its user do.
   */
  private void edit(String name, Consumer<AionUserSpec> edit) {
    retryOnConflict(() -> client.resources(AionUser.class).inNamespace(NS).withName(name).edit(u -> {
      edit.accept(u.getSpec());
      return u;
    }));
  }

  /** Edits a Secret's data, retrying on a 409 Conflict (the operator writes the Secrets it owns). */
  private void editSecret(String name, Consumer<Map<String, String>> edit) {
    retryOnConflict(() -> client.secrets().inNamespace(NS).withName(name).edit(s -> {
      edit.accept(s.getData());
      return s;
    }));
  }

  private static void retryOnConflict(Runnable write) {
    await().atMost(WAIT).ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k && k.getCode() == 409)
        .until(() -> {
          write.run();
          return true;
        });
  }

  private Condition ready(String name) {
    AionUser u = get(name);
    if (u == null || u.getStatus() == null || u.getStatus().getConditions() == null) return null;
    return u.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
  }

  /** Waits until Ready has {@code status} and {@code reason} for the object's current generation. */
  private Condition awaitReady(String name, String status, String reason) {
    return awaitReady(name, status, reason, "");
  }

  /** As above, with a message that contains {@code message}. */
  private Condition awaitReady(String name, String status, String reason, String message) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
      Condition c = ready(name);
      AionUser u = get(name);
      return c != null && status.equals(c.getStatus()) && reason.equals(c.getReason())
          && u.getMetadata().getGeneration().equals(c.getObservedGeneration()) && c.getMessage().contains(message);
    });
    return ready(name);
  }

  private String secretValue(String secret, String key) {
    Secret s = client.secrets().inNamespace(NS).withName(secret).get();
    return s == null || s.getData() == null || s.getData().get(key) == null ? null
        : new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static AionUserSpec.Rule rule(String namespace, String prefix, AionUserSpec.Rule.Operation... ops) {
    AionUserSpec.Rule r = new AionUserSpec.Rule();
    r.setNamespaces(List.of(namespace));
    if (prefix != null) r.setKeyPrefixes(List.of(prefix));
    r.setOperations(List.of(ops));
    return r;
  }

  @Test
  @Order(1)
  void aPasswordUserGetsAGeneratedSecretItsRolesAndItsInlineRoleAndGoesWithTheObject() {
    FakeAuth engine = cluster("alpha");
    user("orders-api", "alpha", s -> {
      s.setRoles(List.of("readonly"));
      s.setRules(List.of(rule("orders", "eu/", AionUserSpec.Rule.Operation.read, AionUserSpec.Rule.Operation.write)));
    });
    awaitReady("orders-api", "True", "Ready");
    // the engine's user: the generated password (the one in Secret orders-api), spec.roles and the inline role
    String password = secretValue("orders-api", "password");
    assertThat(password).hasSize(32);
    assertThat(engine.passwords.get("orders-api")).isEqualTo(password);
    assertThat(engine.userRoles.get("orders-api")).containsExactly("readonly", "aionuser.orders-api");
    assertThat(engine.roles.get("aionuser.orders-api").toString())
        .isEqualTo("[{\"namespaces\":[\"orders\"],\"keyPrefixes\":[\"eu/\"],\"operations\":[\"read\",\"write\"]}]");
    Secret secret = client.secrets().inNamespace(NS).withName("orders-api").get();
    assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(get("orders-api").getMetadata().getUid()));
    assertThat(secretValue("orders-api", "username")).isEqualTo("orders-api");
    assertThat(secretValue("orders-api", "endpoint")).isEqualTo("http://alpha.people.svc:7070"); // TLS off here
    assertThat(get("orders-api").getStatus().getSecret()).isEqualTo("orders-api");
    // one login serves every call (the token is kept)
    assertThat(engine.logins).isEqualTo(1);

    // a re-check that finds everything in place changes nothing (no password set again: it would revoke tokens)
    int calls = engine.calls.size();
    int reads = engine.reads;
    await().atMost(WAIT).until(() -> engine.reads >= reads + 4); // two re-checks (each reads the role and the user)
    assertThat(engine.calls.subList(calls, engine.calls.size())).isEmpty();

    // the grants change: the inline role follows; emptied, it goes and the binding with it
    edit("orders-api", s -> s.setRules(List.of(rule("orders", null, AionUserSpec.Rule.Operation.query))));
    await().atMost(WAIT).until(() -> engine.roles.get("aionuser.orders-api").toString().contains("query"));
    edit("orders-api", s -> s.setRules(List.of()));
    await().atMost(WAIT).until(() -> !engine.roles.containsKey("aionuser.orders-api")
        && engine.userRoles.get("orders-api").equals(List.of("readonly")));
    assertThat(engine.passwords.get("orders-api")).as("a role change keeps the password").isEqualTo(password);

    // the Secret deleted: a new password is made and set
    client.secrets().inNamespace(NS).withName("orders-api").delete();
    await().atMost(WAIT).until(() -> {
      String now = secretValue("orders-api", "password");
      return now != null && !now.equals(password) && now.equals(engine.passwords.get("orders-api"));
    });

    // the account removed through the API behind the operator's back: made again at the next check
    engine.userRoles.remove("orders-api");
    await().atMost(WAIT).until(() -> engine.userRoles.containsKey("orders-api"));

    // root's token revoked (e.g. its password changed): the operator logs in again
    engine.revokeTokens();
    edit("orders-api", s -> s.setRoles(List.of("readwrite")));
    await().atMost(WAIT).until(() -> engine.userRoles.get("orders-api").equals(List.of("readwrite")));
    assertThat(engine.logins).isEqualTo(2);

    client.resources(AionUser.class).inNamespace(NS).withName("orders-api").delete();
    await().atMost(WAIT).until(() -> get("orders-api") == null);
    assertThat(engine.userRoles).doesNotContainKey("orders-api");
    assertThat(engine.calls).contains("DELETE /v1/auth/users/orders-api");
  }

  @Test
  @Order(2)
  void aServiceAccountKeepsExactlyTheKeyInItsSecret() {
    FakeAuth engine = cluster("bravo");
    user("ci", "bravo", s -> {
      s.getAuthentication().setType(AionUserSpec.Type.apiKey);
      s.setRoles(List.of("readwrite"));
    });
    awaitReady("ci", "True", "Ready");
    String key = secretValue("ci", "api-key");
    String id = get("ci").getStatus().getKeyId();
    assertThat(key).startsWith("aion_" + id + "_");
    assertThat(engine.keys.get("ci")).containsOnlyKeys(id).containsEntry(id, key);
    assertThat(engine.serviceRoles.get("ci")).containsExactly("readwrite");

    // a key made by hand through the API is removed: the Secret's is the account's only key
    String stray = engine.addKey("ci");
    edit("ci", s -> s.setRoles(List.of("readwrite", "readonly")));
    await().atMost(WAIT).until(() -> !engine.keys.get("ci").containsKey(stray));
    assertThat(engine.keys.get("ci")).containsOnlyKeys(id);
    assertThat(engine.serviceRoles.get("ci")).containsExactly("readwrite", "readonly");

    // the Secret's key removed: a new key is made, the old one removed from the engine
    editSecret("ci", d -> d.remove("api-key"));
    await().atMost(WAIT).until(() -> {
      String now = secretValue("ci", "api-key");
      return now != null && !now.equals(key) && engine.keys.get("ci").size() == 1
          && now.equals(engine.keys.get("ci").values().iterator().next());
    });
    assertThat(engine.keys.get("ci")).doesNotContainKey(id);

    // the type changes: the service account goes, a user comes
    edit("ci", s -> s.getAuthentication().setType(AionUserSpec.Type.password));
    awaitReady("ci", "True", "Ready");
    assertThat(engine.serviceRoles).doesNotContainKey("ci");
    assertThat(engine.userRoles).containsKey("ci");
    assertThat(engine.passwords.get("ci")).isEqualTo(secretValue("ci", "password")).hasSize(32);
    assertThat(secretValue("ci", "api-key")).as("the key is gone from the Secret").isNull();
  }

  @Test
  @Order(3)
  void waitsWithAReasonForWhatIsMissingAndTouchesNoSecretOfAnother() {
    FakeAuth engine = cluster("charlie");
    // a role that does not exist yet
    user("reporting", "charlie", s -> s.setRoles(List.of("reports")));
    awaitReady("reporting", "False", "RoleNotFound", "no role 'reports'");
    engine.roles.put("reports", FakeAuthJson.rules());
    awaitReady("reporting", "True", "Ready");

    // the user's own password Secret: missing, then too short, then used; a new value is set again
    user("batch", "charlie", s -> {
      AionUserSpec.SecretKey ref = new AionUserSpec.SecretKey();
      ref.setName("batch-password");
      ref.setKey("pw");
      s.getAuthentication().setPasswordSecret(ref);
    });
    awaitReady("batch", "False", "PasswordSecretInvalid", "does not exist");
    client.resource(new SecretBuilder().withNewMetadata().withName("batch-password").withNamespace(NS).endMetadata()
        .addToData("pw", b64("short")).build()).create();
    awaitReady("batch", "False", "PasswordSecretInvalid", "at least 8");
    editSecret("batch-password", d -> d.put("pw", b64("a-good-long-password")));
    awaitReady("batch", "True", "Ready");
    assertThat(engine.passwords.get("batch")).isEqualTo("a-good-long-password");
    assertThat(client.secrets().inNamespace(NS).withName("batch").get()).as("no Secret made for a user's own").isNull();
    editSecret("batch-password", d -> d.put("pw", b64("the-rotated-password")));
    await().atMost(WAIT).until(() -> "the-rotated-password".equals(engine.passwords.get("batch")));

    // a Secret of the same name that is not the operator's: left alone
    client.resource(new SecretBuilder().withNewMetadata().withName("mine").withNamespace(NS).endMetadata()
        .addToData("password", b64("not-the-operators")).build()).create();
    user("mine", "charlie", s -> { });
    awaitReady("mine", "False", "SecretConflict", "not made for this AionUser");
    assertThat(secretValue("mine", "password")).isEqualTo("not-the-operators");
    assertThat(engine.userRoles).doesNotContainKey("mine");

    // the root Secret's password is wrong: the login is refused, and not tried again at every reconcile
    FakeAuth delta = cluster("delta");
    delta.rootPassword = "something-else";
    user("dave", "delta", s -> { });
    awaitReady("dave", "False", "RootLoginFailed", "delta-root");
    user("dana", "delta", s -> { });
    awaitReady("dana", "False", "RootLoginFailed", "wrong user name or password");
    assertThat(delta.logins).as("refused logins for two AionUsers (one per cluster and 20 s)").isEqualTo(1);

    // no cluster; a cluster without auth
    user("orphan", "nowhere", s -> { });
    awaitReady("orphan", "False", "ClusterNotFound");
    AionCluster open = Clusters.cluster("echo", 3, "0.1.0");
    open.getMetadata().setNamespace(NS);
    open.getMetadata().setUid(null);
    open.getMetadata().setGeneration(null);
    open.getSpec().setAuth(new io.aiondb.operator.api.AuthSpec(false));
    client.resource(open).create();
    user("eve", "echo", s -> { });
    awaitReady("eve", "False", "AuthDisabled");
    // deleting them needs no engine
    client.resources(AionUser.class).inNamespace(NS).withName("orphan").delete();
    client.resources(AionUser.class).inNamespace(NS).withName("eve").delete();
    await().atMost(WAIT).until(() -> get("orphan") == null && get("eve") == null);
  }

  /** The chart's RBAC granted every call the AionUser controller made (the audit log of the API server). */
  @Test
  @Order(4)
  void theChartsRbacAllowsEveryUserCall() {
    List<AuditEvent> calls = controlPlane.audit(controlPlane.operatorUser());
    assertThat(calls.stream().filter(c -> c.code() == 403).map(c -> c.permission() + " " + c.uri()).toList())
        .as("requests the API server refused (403)").isEmpty();
    Set<String> used = new java.util.TreeSet<>();
    calls.stream().filter(c -> c.permission().contains("aionusers")).forEach(c -> used.add(c.permission()));
    assertThat(used).contains("watch aiondb.io/aionusers", "patch aiondb.io/aionusers/status");
    Set<Rule> granted = Chart.clusterRules();
    assertThat(used).allMatch(p -> granted.stream().anyMatch(r -> r.toString().equals(p)), "granted: " + Rule.sorted(granted));
  }

  /** A custom role's rules as the fake engine stores them. */
  static final class FakeAuthJson {
    static com.fasterxml.jackson.databind.JsonNode rules() {
      try {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(
            "[{\"namespaces\":[\"reports\"],\"keyPrefixes\":[],\"operations\":[\"read\"]}]");
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    }
  }
}
