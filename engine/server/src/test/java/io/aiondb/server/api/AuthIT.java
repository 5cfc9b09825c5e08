package io.aiondb.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.it.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication and access control end to end over HTTP on one node with auth.enabled (docs/security.md
 * "Authentication and access control"): login, tokens and their revocation, built-in and custom roles with key
 * prefixes, cluster-level routes, and refusals that do not depend on whether the thing asked for exists.
 */
class AuthIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String ROOT_PASSWORD = "root-secret-pw";
  @TempDir static Path dir;
  private static TestServer server;
  private static String root;
  /** auth.operator-key-file's key: the service account aion-operator is created with it at the first start. */
  private static final String OPERATOR_KEY = io.aiondb.server.auth.ApiKeys.generate().key();

  record Res(int status, String body, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + body);
      }
    }

    String code() {
      return json().path("code").asText();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    Path pw = Files.writeString(dir.resolve("root-password"), ROOT_PASSWORD + "\n");
    Path operatorKey = Files.writeString(dir.resolve("operator-key"), OPERATOR_KEY + "\n");
    server = new TestServer(dir.resolve("data"), "--auth.enabled=true", "--auth.root-password-file=" + pw,
        "--auth.operator-key-file=" + operatorKey, "--audit.file=" + dir.resolve("audit.log"));
    // the root user and the signing key are written through the log right after the start
    org.awaitility.Awaitility.await("root can log in").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> login("root", ROOT_PASSWORD).status() == 200);
    root = login("root", ROOT_PASSWORD).json().path("token").asText();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  static Res call(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    if (token != null) b.header("Authorization", "Bearer " + token);
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Res(r.statusCode(), r.body(), r);
  }

  static Res login(String user, String password) throws Exception {
    return call("POST", "/v1/auth/login", null,
        JSON.createObjectNode().put("user", user).put("password", password).toString());
  }

  static String token(String user, String password) throws Exception {
    Res r = login(user, password);
    assertThat(r.status()).as("login of %s: %s", user, r.body()).isEqualTo(200);
    return r.json().path("token").asText();
  }

  static void ok(Res r) {
    assertThat(r.status()).as(r.body()).isBetween(200, 299);
  }

  @Test
  void anonymousRequestsNeedCredentialsExceptThePublicRoutes() throws Exception {
    Res r = call("GET", "/v1/ns/orders/keys/x", null, null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("UNAUTHENTICATED");
    assertThat(r.raw().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(call("PUT", "/v1/namespaces/anon", null, null).status()).isEqualTo(401);
    assertThat(call("GET", "/v1/cluster/nodes", null, null).status()).isEqualTo(401);
    assertThat(call("GET", "/v1/auth/whoami", null, null).status()).isEqualTo(401);
    assertThat(call("GET", "/v1/namespaces", null, null).status()).isEqualTo(401);
    assertThat(call("GET", "/health", null, null).status()).isEqualTo(200);
    assertThat(call("GET", "/ready", null, null).status()).isEqualTo(200);
    assertThat(call("GET", "/metrics", null, null).status()).isEqualTo(200);
    // the members read each other's status and member list without credentials (no data in either)
    assertThat(call("GET", "/v1/status", null, null).status()).isEqualTo(200);
    assertThat(call("GET", "/v1/cluster/members", null, null).status()).isEqualTo(200);
    // public routes look at no credentials: a key this node does not know (a member that joined empty, before the
    // records reached it) is not refused there, while every other route refuses it
    String unknownKey = io.aiondb.server.auth.ApiKeys.generate().key();
    assertThat(call("GET", "/v1/status", unknownKey, null).status()).isEqualTo(200);
    assertThat(call("GET", "/ready", "not-a-token", null).status()).isEqualTo(200);
    assertThat(call("GET", "/v1/cluster/nodes", unknownKey, null).status()).isEqualTo(401);
    assertThat(call("GET", "/v1/namespaces/anon", root, null).status()).as("nothing was created").isEqualTo(404);
  }

  @Test
  void badCredentialsAreRefused() throws Exception {
    String t = token("root", ROOT_PASSWORD);
    char[] c = t.toCharArray();
    int i = c.length / 2; // inside the payload
    c[i] = c[i] == 'A' ? 'B' : 'A';
    assertThat(call("GET", "/v1/auth/whoami", new String(c), null).status()).isEqualTo(401);
    assertThat(call("GET", "/v1/auth/whoami", "not-a-token", null).status()).isEqualTo(401);
    HttpRequest basic = HttpRequest.newBuilder(URI.create(server.url + "/v1/auth/whoami"))
        .header("Authorization", "Basic cm9vdDpyb290").GET().build();
    assertThat(HTTP.send(basic, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    Res wrong = login("root", "wrong-password");
    Res unknown = login("nobody-at-all", "wrong-password");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(wrong.body()).as("a wrong password and an unknown user answer alike").isEqualTo(unknown.body());
    assertThat(login("root", "").status()).isEqualTo(400);
    assertThat(call("GET", "/v1/auth/whoami", t, null).json().path("principal").asText()).isEqualTo("user:root");
    // through a proxy that takes Authorization (the Kubernetes API server's pods/proxy): X-Aion-Authorization
    HttpRequest proxied = HttpRequest.newBuilder(URI.create(server.url + "/v1/auth/whoami"))
        .header("X-Aion-Authorization", "Bearer " + t).GET().build();
    HttpResponse<String> viaProxy = HTTP.send(proxied, HttpResponse.BodyHandlers.ofString());
    assertThat(viaProxy.statusCode()).as(viaProxy.body()).isEqualTo(200);
    assertThat(viaProxy.body()).contains("user:root");
    HttpRequest proxiedForged = HttpRequest.newBuilder(URI.create(server.url + "/v1/auth/whoami"))
        .header("X-Aion-Authorization", "Bearer " + new String(c)).GET().build();
    assertThat(HTTP.send(proxiedForged, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
  }

  @Test
  void rolesGrantOperationsOnNamespacesAndKeyPrefixes() throws Exception {
    ok(call("PUT", "/v1/namespaces/orders", root, null));
    ok(call("PUT", "/v1/namespaces/hr", root, null));
    ok(call("PUT", "/v1/ns/orders/keys/us/1", root, "{\"n\":1}"));
    ok(call("PUT", "/v1/ns/hr/keys/ann", root, "{\"salary\":1}"));
    ok(call("PUT", "/v1/auth/roles/orders-eu", root,
        "{\"rules\":[{\"namespaces\":[\"orders\"],\"keyPrefixes\":[\"eu/\"],\"operations\":[\"read\",\"write\",\"txn\",\"query\"]}]}"));
    ok(call("PUT", "/v1/auth/users/alice", root, "{\"password\":\"alice-pw-123\",\"roles\":[\"orders-eu\"]}"));
    ok(call("PUT", "/v1/auth/users/bob", root, "{\"password\":\"bob-pw-1234\",\"roles\":[\"readonly\"]}"));
    String alice = token("alice", "alice-pw-123");
    String bob = token("bob", "bob-pw-1234");

    // alice: read and write under orders/eu/ only
    ok(call("PUT", "/v1/ns/orders/keys/eu/1", alice, "{\"n\":2}"));
    assertThat(call("GET", "/v1/ns/orders/keys/eu/1", alice, null).json().path("n").asInt()).isEqualTo(2);
    Res us = call("PUT", "/v1/ns/orders/keys/us/2", alice, "{\"n\":3}");
    assertThat(us.status()).isEqualTo(403);
    assertThat(us.code()).isEqualTo("FORBIDDEN");
    assertThat(call("GET", "/v1/ns/orders/keys/us/2", root, null).status()).as("the refused put wrote nothing").isEqualTo(404);
    // refusals do not depend on existence: an existing and a missing key, an existing and a missing namespace
    Res existing = call("GET", "/v1/ns/orders/keys/us/1", alice, null);
    Res missing = call("GET", "/v1/ns/orders/keys/us/9", alice, null);
    assertThat(existing.status()).isEqualTo(403);
    assertThat(missing.status()).isEqualTo(403);
    assertThat(existing.body().replace("us/1", "K")).isEqualTo(missing.body().replace("us/9", "K"));
    Res hr = call("GET", "/v1/ns/hr/keys/ann", alice, null);
    Res none = call("GET", "/v1/ns/nope/keys/ann", alice, null);
    assertThat(hr.status()).isEqualTo(403);
    assertThat(hr.body().replace("'hr'", "N")).isEqualTo(none.body().replace("'nope'", "N"));
    // a query is checked on the keys it can return: inside the granted prefix, not the whole namespace or wider
    assertThat(call("POST", "/v1/ns/orders/query", alice, "{}").status()).isEqualTo(403);
    assertThat(call("POST", "/v1/ns/orders/query", alice, "{\"prefix\":\"e\"}").status()).isEqualTo(403);
    Res inside = call("POST", "/v1/ns/orders/query", alice, "{\"prefix\":\"eu/\"}");
    assertThat(inside.status()).as(inside.body()).isEqualTo(200);
    assertThat(inside.json().findValuesAsText("key")).containsExactly("eu/1");
    assertThat(call("POST", "/v1/ns/orders/query", alice, "{\"start\":\"eu/0\",\"end\":\"eu/9\"}").status()).isEqualTo(200);
    assertThat(call("POST", "/v1/ns/orders/query", alice, "{\"start\":\"eu/0\",\"end\":\"us/9\"}").status()).isEqualTo(403);
    // nor are namespace, index and cluster routes
    assertThat(call("PUT", "/v1/namespaces/alices", alice, null).status()).isEqualTo(403);
    assertThat(call("GET", "/v1/cluster/nodes", alice, null).status()).isEqualTo(403);
    assertThat(call("GET", "/v1/cluster/health", alice, null).status()).isEqualTo(403);
    assertThat(call("GET", "/v1/auth/users", alice, null).status()).isEqualTo(403);
    assertThat(call("GET", "/v1/namespaces", alice, null).json().path("namespaces")).as("no namespace granted whole").isEmpty();
    // a transaction is checked per operation, before anything is written
    Res txn = call("POST", "/v1/txn", alice, "{\"namespace\":\"orders\",\"success\":["
        + "{\"op\":\"put\",\"key\":\"eu/2\",\"value\":1},{\"op\":\"put\",\"key\":\"us/3\",\"value\":1}]}");
    Res txnEu = call("POST", "/v1/txn", alice, "{\"namespace\":\"orders\",\"success\":["
        + "{\"op\":\"put\",\"key\":\"eu/3\",\"value\":1},{\"op\":\"get\",\"key\":\"eu/1\"}]}");
    assertThat(txnEu.status()).as("a transaction inside the granted prefix: %s", txnEu.body()).isEqualTo(200);
    assertThat(txn.status()).as(txn.body()).isEqualTo(403);
    assertThat(call("GET", "/v1/ns/orders/keys/eu/2", root, null).status()).isEqualTo(404);

    // bob: the built-in readonly role
    assertThat(call("GET", "/v1/ns/orders/keys/us/1", bob, null).status()).isEqualTo(200);
    assertThat(call("POST", "/v1/ns/orders/query", bob, "{}").status()).isEqualTo(200);
    assertThat(call("PUT", "/v1/ns/orders/keys/us/1", bob, "{\"n\":0}").status()).isEqualTo(403);
    assertThat(call("DELETE", "/v1/ns/orders/keys/us/1", bob, null).status()).isEqualTo(403);
    List<String> names = JSON.convertValue(call("GET", "/v1/namespaces", bob, null).json().findValues("name"),
        JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    assertThat(names).contains("orders", "hr");

    // changing a role takes effect at once; deleting it takes its grants away
    ok(call("PUT", "/v1/auth/roles/orders-eu", root,
        "{\"rules\":[{\"namespaces\":[\"orders\"],\"keyPrefixes\":[\"eu/\"],\"operations\":[\"read\"]}]}"));
    assertThat(call("PUT", "/v1/ns/orders/keys/eu/1", alice, "{\"n\":4}").status()).isEqualTo(403);
    assertThat(call("GET", "/v1/ns/orders/keys/eu/1", alice, null).status()).isEqualTo(200);
    ok(call("DELETE", "/v1/auth/roles/orders-eu", root, null));
    assertThat(call("GET", "/v1/ns/orders/keys/eu/1", alice, null).status()).isEqualTo(403);
  }

  @Test
  void tokensAreRevokedByRevocationAPasswordChangeOrDeletion() throws Exception {
    ok(call("PUT", "/v1/auth/users/carol", root, "{\"password\":\"carol-pw-123\",\"roles\":[\"readonly\"]}"));
    String t1 = token("carol", "carol-pw-123");
    assertThat(call("GET", "/v1/auth/whoami", t1, null).status()).isEqualTo(200);
    ok(call("POST", "/v1/auth/users/carol/revoke-tokens", root, null));
    assertThat(call("GET", "/v1/auth/whoami", t1, null).status()).isEqualTo(401);
    String t2 = token("carol", "carol-pw-123");
    assertThat(call("GET", "/v1/auth/whoami", t2, null).status()).isEqualTo(200);
    ok(call("PUT", "/v1/auth/users/carol", root, "{\"password\":\"carol-pw-456\",\"roles\":[\"readonly\"]}"));
    assertThat(call("GET", "/v1/auth/whoami", t2, null).status()).as("a new password revokes old tokens").isEqualTo(401);
    assertThat(login("carol", "carol-pw-123").status()).isEqualTo(401);
    String t3 = token("carol", "carol-pw-456");
    ok(call("PUT", "/v1/auth/users/carol", root, "{\"roles\":[\"readwrite\"]}"));
    assertThat(call("GET", "/v1/auth/whoami", t3, null).json().path("roles").toString())
        .as("a role change keeps tokens and applies at once").isEqualTo("[\"readwrite\"]");
    ok(call("DELETE", "/v1/auth/users/carol", root, null));
    assertThat(call("GET", "/v1/auth/whoami", t3, null).status()).isEqualTo(401);
    assertThat(call("DELETE", "/v1/auth/users/root", root, null).status()).isEqualTo(400);
  }

  @Test
  void badUserAndRoleDefinitionsAreRefusedAndChangeNothing() throws Exception {
    assertThat(call("PUT", "/v1/auth/users/dave", root, "{\"roles\":[\"readonly\"]}").code()).isEqualTo("BAD_REQUEST");
    assertThat(call("PUT", "/v1/auth/users/dave", root, "{\"password\":\"short\"}").status()).isEqualTo(400);
    assertThat(call("PUT", "/v1/auth/users/dave", root, "{\"password\":\"long-enough-pw\",\"roles\":[\"no-such-role\"]}")
        .status()).isEqualTo(400);
    assertThat(call("PUT", "/v1/auth/users/dave", root, "{\"password\":12345678}").status()).isEqualTo(400);
    assertThat(call("PUT", "/v1/auth/users/dave", root, "not json").status()).isEqualTo(400);
    assertThat(call("GET", "/v1/auth/users/dave", root, null).status()).isEqualTo(404);
    assertThat(call("PUT", "/v1/auth/roles/root", root, "{\"rules\":[]}").status()).as("built-in").isEqualTo(400);
    assertThat(call("PUT", "/v1/auth/roles/r1", root, "{\"rules\":[{\"namespaces\":[\"a\"],\"operations\":[\"fly\"]}]}")
        .status()).isEqualTo(400);
    assertThat(call("PUT", "/v1/auth/roles/r1", root, "{\"rules\":[{\"namespaces\":[\"_system\"],\"operations\":[\"read\"]}]}")
        .status()).isEqualTo(400);
    assertThat(call("PUT", "/v1/auth/roles/r1", root, "{\"rules\":{}}").status()).isEqualTo(400);
    assertThat(call("GET", "/v1/auth/roles/r1", root, null).status()).isEqualTo(404);
    assertThat(call("GET", "/v1/auth/roles/readonly", root, null).json().path("builtIn").asBoolean()).isTrue();
  }

  @Test
  void theBinaryProtocolAndTheJavaClientsAuthenticateWithTokens() throws Exception {
    ok(call("PUT", "/v1/namespaces/proto", root, null));
    ok(call("PUT", "/v1/auth/roles/proto-a", root,
        "{\"rules\":[{\"namespaces\":[\"proto\"],\"keyPrefixes\":[\"a/\"],\"operations\":[\"read\",\"write\"]}]}"));
    ok(call("PUT", "/v1/auth/users/erin", root, "{\"password\":\"erin-pw-1234\",\"roles\":[\"proto-a\"]}"));
    String erin = token("erin", "erin-pw-1234");

    // no token: the protocol refuses even the cluster topology; a bad token is refused at connect
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.aiondb.client.Aion.builder().seeds(server.protocolAddress)
            .requestTimeout(Duration.ofSeconds(5)).connect().get("proto", "a/1"))
        .isInstanceOf(io.aiondb.client.AionException.NotAuthorized.class).hasMessageContaining("UNAUTHENTICATED");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.aiondb.client.Aion.builder().seeds(server.protocolAddress)
            .requestTimeout(Duration.ofSeconds(5)).token(erin + "x").connect().get("proto", "a/1"))
        .isInstanceOf(io.aiondb.client.AionException.NotAuthorized.class);
    try (var aion = io.aiondb.client.Aion.builder().seeds(server.protocolAddress).requestTimeout(Duration.ofSeconds(5))
        .token(erin).connect()) {
      aion.put("proto", "a/1", "one");
      org.assertj.core.api.Assertions.assertThat(aion.get("proto", "a/1")).map(kv -> kv.text()).contains("one");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> aion.put("proto", "b/1", "two"))
          .isInstanceOf(io.aiondb.client.AionException.NotAuthorized.class).hasMessageContaining("FORBIDDEN");
      // a token revoked while the connection is open stops working on it at once
      ok(call("POST", "/v1/auth/users/erin/revoke-tokens", root, null));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> aion.get("proto", "a/1"))
          .isInstanceOf(io.aiondb.client.AionException.NotAuthorized.class).hasMessageContaining("UNAUTHENTICATED");
    }
    // the HTTP client
    try (var http = io.aiondb.client.AionClient.connect(server.url)) {
      String t = http.login("erin", "erin-pw-1234");
      var as = http.withToken(t);
      as.put("proto", "a/2", "two");
      org.assertj.core.api.Assertions.assertThat(as.get("proto", "a/2")).map(kv -> kv.text()).contains("two");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.get("proto", "a/2"))
          .hasMessageContaining("UNAUTHENTICATED");
    }
  }

  @Test
  void theOperatorKeyFileMakesALeastPrivilegeServiceAccount() throws Exception {
    org.awaitility.Awaitility.await("aion-operator exists").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100)).until(() -> call("GET", "/v1/auth/whoami", OPERATOR_KEY, null).status() == 200);
    assertThat(call("GET", "/v1/auth/whoami", OPERATOR_KEY, null).json().path("principal").asText())
        .isEqualTo("service:aion-operator");
    Res services = call("GET", "/v1/auth/services/aion-operator", root, null);
    assertThat(services.status()).as(services.body()).isEqualTo(200);
    assertThat(services.json().path("roles").toString()).isEqualTo("[\"aion-operator\"]");
    assertThat(services.body()).as("its secret is never listed").doesNotContain(OPERATOR_KEY.substring(18));
    // what the operator needs: the members, the node API, backups
    assertThat(call("GET", "/v1/cluster/members", OPERATOR_KEY, null).status()).isEqualTo(200);
    assertThat(call("GET", "/v1/cluster/nodes", OPERATOR_KEY, null).status()).isEqualTo(200);
    // and nothing else: no data, no namespaces, no users
    ok(call("PUT", "/v1/namespaces/opdata", root, null));
    ok(call("PUT", "/v1/ns/opdata/keys/a", root, "{\"secret\":1}"));
    assertThat(call("GET", "/v1/ns/opdata/keys/a", OPERATOR_KEY, null).status()).isEqualTo(403);
    assertThat(call("PUT", "/v1/ns/opdata/keys/b", OPERATOR_KEY, "{}").status()).isEqualTo(403);
    assertThat(call("PUT", "/v1/namespaces/op-made", OPERATOR_KEY, null).status()).isEqualTo(403);
    assertThat(call("PUT", "/v1/auth/users/mallory", OPERATOR_KEY,
        "{\"password\":\"a-long-enough-password\",\"roles\":[\"root\"]}").status()).isEqualTo(403);
  }

  /**
   * The files are the source of truth (as the operator's Secrets): a node started with another root password and
   * another operator key (a cluster restored from another cluster's backup, a rotated Secret) makes the records agree.
   */
  @Test
  void aRestartWithOtherCredentialFilesMakesTheRecordsAgreeWithThem() throws Exception {
    Path data = dir.resolve("data-sync");
    String key1 = io.aiondb.server.auth.ApiKeys.generate().key();
    String key2 = io.aiondb.server.auth.ApiKeys.generate().key();
    Path pw1 = Files.writeString(dir.resolve("sync-pw-1"), "first-root-password\n");
    Path pw2 = Files.writeString(dir.resolve("sync-pw-2"), "second-root-password\n");
    Path k1 = Files.writeString(dir.resolve("sync-key-1"), key1);
    Path k2 = Files.writeString(dir.resolve("sync-key-2"), key2);
    String oldToken;
    try (TestServer first = new TestServer(data, "--auth.enabled=true", "--auth.root-password-file=" + pw1,
        "--auth.operator-key-file=" + k1)) {
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
          .until(() -> at(first, "POST", "/v1/auth/login", null, "{\"user\":\"root\",\"password\":\"first-root-password\"}") == 200
              && at(first, "GET", "/v1/cluster/nodes", key1, null) == 200);
      oldToken = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(first.url + "/v1/auth/login"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"root\",\"password\":\"first-root-password\"}")).build(),
          HttpResponse.BodyHandlers.ofString()).body()).path("token").asText();
    }
    try (TestServer second = new TestServer(data, "--auth.enabled=true", "--auth.root-password-file=" + pw2,
        "--auth.operator-key-file=" + k2)) {
      org.awaitility.Awaitility.await("the new files hold").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
          .until(() -> at(second, "POST", "/v1/auth/login", null, "{\"user\":\"root\",\"password\":\"second-root-password\"}") == 200
              && at(second, "GET", "/v1/cluster/nodes", key2, null) == 200);
      assertThat(at(second, "POST", "/v1/auth/login", null, "{\"user\":\"root\",\"password\":\"first-root-password\"}"))
          .as("the old root password").isEqualTo(401);
      assertThat(at(second, "GET", "/v1/cluster/nodes", oldToken, null)).as("root's old tokens are revoked").isEqualTo(401);
      assertThat(at(second, "GET", "/v1/cluster/nodes", key1, null)).as("the old key stays until removed").isEqualTo(200);
    }
  }

  private static int at(TestServer s, String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    if (token != null) b.header("Authorization", "Bearer " + token);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void aMalformedOperatorKeyFileStopsTheStartWithoutShowingTheFile() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad-operator-key"), "aion_not-a-real-key-but-a-secret-value\n");
    assertThatThrownBy(() -> new TestServer(dir.resolve("data-bad-key"), "--auth.enabled=true",
        "--auth.operator-key-file=" + bad).close())
        .hasStackTraceContaining("auth.operator-key-file " + bad + " does not hold an API key")
        .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("secret-value"));
  }

  private static String stackTrace(Throwable t) {
    var w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }

  @Test
  void serviceAccountsAuthenticateWithApiKeysThatRotate() throws Exception {
    ok(call("PUT", "/v1/namespaces/svc", root, null));
    ok(call("PUT", "/v1/ns/svc/keys/a", root, "{\"n\":1}"));
    Res created = call("PUT", "/v1/auth/services/ci", root, "{\"roles\":[\"readonly\"]}");
    assertThat(created.status()).as(created.body()).isEqualTo(200);
    Res k1 = call("POST", "/v1/auth/services/ci/keys", root, null);
    assertThat(k1.status()).as(k1.body()).isEqualTo(201);
    String key1 = k1.json().path("key").asText();
    assertThat(key1).startsWith("aion_");
    assertThat(call("GET", "/v1/auth/whoami", key1, null).json().path("principal").asText()).isEqualTo("service:ci");
    assertThat(call("GET", "/v1/ns/svc/keys/a", key1, null).status()).isEqualTo(200);
    assertThat(call("PUT", "/v1/ns/svc/keys/a", key1, "{\"n\":2}").status()).isEqualTo(403);
    Res listed = call("GET", "/v1/auth/services/ci", root, null);
    assertThat(listed.body()).as("the secret is shown once, never listed").doesNotContain(key1.substring(18));
    // rotation: a second key, then the first one removed
    String key2 = call("POST", "/v1/auth/services/ci/keys", root, null).json().path("key").asText();
    assertThat(call("GET", "/v1/ns/svc/keys/a", key2, null).status()).isEqualTo(200);
    ok(call("DELETE", "/v1/auth/services/ci/keys/" + k1.json().path("keyId").asText(), root, null));
    assertThat(call("GET", "/v1/ns/svc/keys/a", key1, null).status()).isEqualTo(401);
    assertThat(call("GET", "/v1/ns/svc/keys/a", key2, null).status()).isEqualTo(200);
    char[] c = key2.toCharArray();
    c[c.length - 2] = c[c.length - 2] == 'A' ? 'B' : 'A';
    assertThat(call("GET", "/v1/ns/svc/keys/a", new String(c), null).status()).as("a wrong secret").isEqualTo(401);
    assertThat(call("GET", "/v1/ns/svc/keys/a", "aion_short", null).status()).isEqualTo(401);
    // the binary protocol takes the key as it takes a token
    try (var aion = io.aiondb.client.Aion.builder().seeds(server.protocolAddress).requestTimeout(Duration.ofSeconds(5))
        .token(key2).connect()) {
      org.assertj.core.api.Assertions.assertThat(aion.get("svc", "a")).map(kv -> kv.text()).contains("{\"n\":1}");
    }
    ok(call("DELETE", "/v1/auth/services/ci", root, null));
    assertThat(call("GET", "/v1/ns/svc/keys/a", key2, null).status()).isEqualTo(401);
    assertThat(call("POST", "/v1/auth/services/ci/keys", root, null).status()).isEqualTo(404);
  }

  @Test
  void groupsBindTheirRolesToTheirMembersAtOnce() throws Exception {
    ok(call("PUT", "/v1/namespaces/teams", root, null));
    ok(call("PUT", "/v1/ns/teams/keys/a", root, "{\"n\":1}"));
    ok(call("PUT", "/v1/auth/roles/teams-writer", root,
        "{\"rules\":[{\"namespaces\":[\"teams\"],\"operations\":[\"read\",\"write\"]}]}"));
    ok(call("PUT", "/v1/auth/users/gina", root, "{\"password\":\"gina-password-1\",\"roles\":[]}"));
    ok(call("PUT", "/v1/auth/services/robot", root, "{\"roles\":[]}"));
    String robot = call("POST", "/v1/auth/services/robot/keys", root, null).json().path("key").asText();
    String gina = token("gina", "gina-password-1");
    assertThat(call("GET", "/v1/ns/teams/keys/a", gina, null).status()).as("no roles yet").isEqualTo(403);

    Res g = call("PUT", "/v1/auth/groups/writers", root,
        "{\"roles\":[\"teams-writer\"],\"members\":[\"user:gina\",\"service:robot\"]}");
    assertThat(g.status()).as(g.body()).isEqualTo(200);
    assertThat(call("PUT", "/v1/ns/teams/keys/a", gina, "{\"n\":2}").status()).as("through the group").isEqualTo(200);
    assertThat(call("PUT", "/v1/ns/teams/keys/b", robot, "{\"n\":3}").status()).isEqualTo(200);
    assertThat(call("PUT", "/v1/ns/other/keys/a", gina, "{\"n\":2}").status()).as("only what the role grants")
        .isEqualTo(403);
    Res who = call("GET", "/v1/auth/whoami", gina, null);
    assertThat(who.json().path("roles").toString()).contains("teams-writer");
    assertThat(who.json().path("groups").toString()).isEqualTo("[\"writers\"]");
    assertThat(call("GET", "/v1/auth/groups/writers", root, null).json().path("members").toString())
        .isEqualTo("[\"user:gina\",\"service:robot\"]");
    assertThat(call("GET", "/v1/auth/groups", gina, null).status()).as("user-admin only").isEqualTo(403);

    // gina leaves the group: refused at once (her token stays valid, the grant is gone)
    ok(call("PUT", "/v1/auth/groups/writers", root, "{\"roles\":[\"teams-writer\"],\"members\":[\"service:robot\"]}"));
    assertThat(call("PUT", "/v1/ns/teams/keys/a", gina, "{\"n\":4}").status()).isEqualTo(403);
    assertThat(call("PUT", "/v1/ns/teams/keys/b", robot, "{\"n\":4}").status()).isEqualTo(200);
    ok(call("DELETE", "/v1/auth/groups/writers", root, null));
    assertThat(call("PUT", "/v1/ns/teams/keys/b", robot, "{\"n\":5}").status()).isEqualTo(403);

    // bad definitions change nothing
    for (String bad : java.util.List.of("{\"roles\":[\"no-such-role\"],\"members\":[]}",
        "{\"roles\":[],\"members\":[\"anonymous\"]}", "{\"roles\":[],\"members\":[\"group:x\"]}",
        "{\"roles\":[],\"members\":[\"user:\"]}", "{\"roles\":\"root\"}", "{\"members\":[1]}")) {
      Res r = call("PUT", "/v1/auth/groups/bad", root, bad);
      assertThat(r.status()).as(bad + " -> " + r.body()).isEqualTo(400);
    }
    assertThat(call("GET", "/v1/auth/groups/bad", root, null).status()).isEqualTo(404);
    assertThat(call("PUT", "/v1/auth/groups/bad%2Fname", root, "{}").status()).isEqualTo(400);
  }

  @Test
  void repeatedFailedLoginsAreRefusedForAWhileEvenWithTheRightPassword() throws Exception {
    ok(call("PUT", "/v1/auth/users/frank", root, "{\"password\":\"frank-pw-123\",\"roles\":[]}"));
    for (int i = 0; i < io.aiondb.server.service.AuthService.MAX_FAILURES_PER_USER; i++) {
      assertThat(login("frank", "wrong-" + i).status()).isEqualTo(401);
    }
    Res limited = login("frank", "frank-pw-123");
    assertThat(limited.status()).as(limited.body()).isEqualTo(429);
    assertThat(limited.code()).isEqualTo("RATE_LIMITED");
    assertThat(limited.raw().headers().firstValue("Retry-After")).contains("60");
    assertThat(login("root", ROOT_PASSWORD).status()).as("another user is not affected").isEqualTo(200);
  }

  @Test
  void refusalsAndLoginsAreAudited() throws Exception {
    login("root", "definitely-wrong");
    call("PUT", "/v1/namespaces/audited", null, null);
    Path log = dir.resolve("audit.log");
    org.awaitility.Awaitility.await("the audit records").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String text = Files.readString(log);
      assertThat(text).contains("\"operation\":\"auth.login\"").contains("\"outcome\":\"failure\"")
          .contains("\"operation\":\"auth.denied\"");
    });
  }
}
