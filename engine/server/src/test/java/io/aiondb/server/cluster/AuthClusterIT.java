package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users, roles and tokens are replicated state: every member enforces the same policy, a token from one member works
 * on all, a revocation through one reaches the others, and a restarted member still has them (docs/security.md).
 */
class AuthClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path dir;

  record Res(int status, String body) {
    JsonNode json() throws Exception {
      return JSON.readTree(body);
    }
  }

  static Res call(String url, String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    if (token != null) b.header("Authorization", "Bearer " + token);
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Res(r.statusCode(), r.body());
  }

  static String login(String url, String user, String password) throws Exception {
    Res r = call(url, "POST", "/v1/auth/login", null,
        JSON.createObjectNode().put("user", user).put("password", password).toString());
    assertThat(r.status()).as("login of %s on %s: %s", user, url, r.body()).isEqualTo(200);
    return r.json().path("token").asText();
  }

  @Test
  void everyMemberEnforcesTheSamePolicy() throws Exception {
    Path pw = Files.writeString(dir.resolve("root.pw"), "cluster-root-pw\n");
    try (LocalCluster cl = new LocalCluster(dir.resolve("nodes"), 3, "--auth.enabled=true",
        "--auth.root-password-file=" + pw).label("auth-cluster")) {
      // the cluster routes need a token here (LocalCluster's leader lookup does not have one): log in first
      Awaitility.await("root can log in on n1").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
          .until(() -> call(cl.url(1), "POST", "/v1/auth/login", null,
              "{\"user\":\"root\",\"password\":\"cluster-root-pw\"}").status() == 200);
      String root = login(cl.url(1), "root", "cluster-root-pw");
      assertThat(call(cl.url(1), "GET", "/v1/cluster/nodes", null, null).status()).isEqualTo(401);
      int leader = Integer.parseInt(call(cl.url(1), "GET", "/v1/cluster/members", root, null).json()
          .path("leader").asText().substring(1));
      // the members see each other as reachable with auth on (they read each other's /v1/status without a token),
      // so every member is safe to restart: what a rolling change (the operator's) waits for
      Awaitility.await("every member reachable and safe to restart").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            var nodes = call(cl.url(leader), "GET", "/v1/cluster/nodes", root, null).json();
            assertThat(nodes.path("nodes")).hasSize(3).allSatisfy(nd -> {
              assertThat(nd.path("reachable").asBoolean()).as(nd.toString()).isTrue();
              assertThat(nd.path("safeToRestart").asBoolean()).as(nd.toString()).isTrue();
            });
          });
      int f1 = leader % 3 + 1;
      int f2 = f1 % 3 + 1;
      // changes through a follower (forwarded to the leader), used on the other members
      assertThat(call(cl.url(f1), "PUT", "/v1/namespaces/shop", root, null).status()).isEqualTo(201);
      assertThat(call(cl.url(f1), "PUT", "/v1/auth/users/writer", root,
          "{\"password\":\"writer-pw-123\",\"roles\":[\"readwrite\"]}").status()).isEqualTo(200);
      assertThat(call(cl.url(f1), "PUT", "/v1/auth/users/reader", root,
          "{\"password\":\"reader-pw-123\",\"roles\":[\"readonly\"]}").status()).isEqualTo(200);
      Awaitility.await("the users on " + cl.url(f2)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
          .until(() -> call(cl.url(f2), "POST", "/v1/auth/login", null,
              "{\"user\":\"reader\",\"password\":\"reader-pw-123\"}").status() == 200);
      String writer = login(cl.url(f2), "writer", "writer-pw-123");
      String reader = login(cl.url(leader), "reader", "reader-pw-123");
      for (int n = 1; n <= 3; n++) {
        assertThat(call(cl.url(n), "PUT", "/v1/ns/shop/keys/k" + n, writer, "{\"n\":" + n + "}").status())
            .as("the writer's token on n%d", n).isEqualTo(200);
        assertThat(call(cl.url(n), "GET", "/v1/ns/shop/keys/k" + n, reader, null).status())
            .as("the reader's token on n%d", n).isEqualTo(200);
        assertThat(call(cl.url(n), "PUT", "/v1/ns/shop/keys/r" + n, reader, "{}").status())
            .as("readonly on n%d", n).isEqualTo(403);
      }
      // revoked through the leader: refused on every member once applied there
      assertThat(call(cl.url(leader), "POST", "/v1/auth/users/writer/revoke-tokens", root, null).status()).isEqualTo(200);
      for (int n = 1; n <= 3; n++) {
        String url = cl.url(n);
        Awaitility.await("the revocation on n" + n).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
            .until(() -> call(url, "GET", "/v1/auth/whoami", writer, null).status() == 401);
      }
      // a restarted member keeps the users and roles (they are in its state, not in memory)
      cl.stop(f2);
      cl.start(f2);
      Awaitility.await("n" + f2 + " back").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
          .until(() -> call(cl.url(f2), "POST", "/v1/auth/login", null,
              "{\"user\":\"reader\",\"password\":\"reader-pw-123\"}").status() == 200);
      assertThat(call(cl.url(f2), "GET", "/v1/ns/shop/keys/k1", reader, null).status()).isEqualTo(200);
      assertThat(call(cl.url(f2), "GET", "/v1/ns/shop/keys/k1", writer, null).status()).isEqualTo(401);
      assertThat(call(cl.url(f2), "GET", "/v1/ns/shop/keys/k1", null, null).status()).isEqualTo(401);
    }
  }
}
