package io.aiondb.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.client.AuditChain;
import io.aiondb.server.it.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log end to end (docs/security.md "Audit log"): every route of the router is in {@link RouteCatalog}, and
 * every privileged operation, over HTTP or the binary protocol, successful or refused, writes exactly one record;
 * reads and key writes write none; the chain verifies.
 */
class AuditIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void everyRouteIsCatalogued() throws Exception {
    try (TestServer n = new TestServer(dir.resolve("routes"))) {
      var registered = new TreeSet<String>();
      for (var r : n.server.http().router().getRoutes()) {
        if (r.getPath() == null || r.methods() == null) continue; // the handlers every request passes
        for (var m : r.methods()) registered.add(m.name() + " " + r.getPath());
      }
      var catalogued = new TreeSet<String>();
      for (var r : RouteCatalog.ROUTES) catalogued.add(r.method() + " " + r.template().replace("*", ""));
      assertThat(registered).as("routes registered vs RouteCatalog.ROUTES: a new route needs an entry")
          .isEqualTo(catalogued);
    }
  }

  @Test
  void everyPrivilegedOperationWritesExactlyOneRecordWhateverItsOutcome() throws Exception {
    Path file = dir.resolve("audit/audit.log");
    try (TestServer n = new TestServer(dir.resolve("node"), "--audit.file=" + file)) {
      String u = n.url;
      String id = "20261206T000000Z-00000000";
      // each privileged HTTP route once, most of them refused (no backup store, no such member, a bad body)
      Map<String, String[]> calls = new LinkedHashMap<>();
      calls.put("history.compact", new String[] {"POST", "/v1/admin/compact", "{}"});
      calls.put("backup.create", new String[] {"POST", "/v1/backups", null});
      calls.put("backup.prune", new String[] {"POST", "/v1/backups/prune", "{\"keepLast\":1}"});
      calls.put("backup.delete", new String[] {"DELETE", "/v1/backups/" + id, null});
      calls.put("backup.verify", new String[] {"POST", "/v1/backups/" + id + "/verify", null});
      calls.put("member.add-learner", new String[] {"POST", "/v1/cluster/learners", "{}"});
      calls.put("member.promote", new String[] {"POST", "/v1/cluster/members/nobody/promote", null});
      calls.put("member.remove", new String[] {"DELETE", "/v1/cluster/members/nobody", null});
      calls.put("leader.transfer", new String[] {"POST", "/v1/cluster/leader", "{}"});
      calls.put("node.add", new String[] {"POST", "/v1/cluster/nodes", "{}"});
      calls.put("node.promote", new String[] {"POST", "/v1/cluster/nodes/nobody/promote", null});
      calls.put("node.drain-leadership", new String[] {"POST", "/v1/cluster/nodes/nobody/drain-leadership", null});
      calls.put("node.decommission", new String[] {"POST", "/v1/cluster/nodes/nobody/decommission", null});
      calls.put("encryption.rotate", new String[] {"POST", "/v1/encryption/rotate", null}); // off here: refused
      calls.put("user.put", new String[] {"PUT", "/v1/auth/users/nobody", "{\"roles\":[]}"}); // no password: refused
      calls.put("user.delete", new String[] {"DELETE", "/v1/auth/users/root", null});
      calls.put("user.revoke-tokens", new String[] {"POST", "/v1/auth/users/nobody/revoke-tokens", null});
      calls.put("role.put", new String[] {"PUT", "/v1/auth/roles/root", "{\"rules\":[]}"}); // built-in: refused
      calls.put("role.delete", new String[] {"DELETE", "/v1/auth/roles/root", null});
      calls.put("service.put", new String[] {"PUT", "/v1/auth/services/ci", "{\"roles\":[\"no-such-role\"]}"});
      calls.put("service.delete", new String[] {"DELETE", "/v1/auth/services/nobody", null});
      calls.put("group.put", new String[] {"PUT", "/v1/auth/groups/team", "{\"roles\":[\"no-such-role\"]}"});
      calls.put("group.delete", new String[] {"DELETE", "/v1/auth/groups/nobody", null});
      calls.put("service.key-create", new String[] {"POST", "/v1/auth/services/nobody/keys", null});
      calls.put("service.key-delete", new String[] {"DELETE", "/v1/auth/services/nobody/keys/0123456789ab", null});
      Map<String, Integer> statuses = new LinkedHashMap<>();
      for (var c : calls.entrySet()) statuses.put(c.getKey(), send(c.getValue()[0], u + c.getValue()[1], c.getValue()[2]));
      assertThat(RouteCatalog.ROUTES.stream().filter(r -> r.audit() == RouteCatalog.Audit.HTTP).map(r -> r.operation()))
          .as("every HTTP-audited route is called above").containsExactlyInAnyOrderElementsOf(calls.keySet());

      // namespace and index changes over HTTP and the binary protocol: recorded by the service layer
      assertThat(send("PUT", u + "/v1/namespaces/shop", null)).isEqualTo(201);
      assertThat(send("PUT", u + "/v1/namespaces/shop/indexes/by-price", "{\"field\":\"$.price\",\"type\":\"number\"}")).isEqualTo(201);
      assertThat(send("PUT", u + "/v1/namespaces/Bad%20Name", null)).isEqualTo(400);
      assertThat(send("DELETE", u + "/v1/namespaces/shop/indexes/by-price", null)).isEqualTo(200);
      try (var aion = io.aiondb.client.Aion.connect(n.protocolAddress)) {
        assertThat(aion.createNamespace("orders")).isTrue();
        assertThat(aion.dropNamespace("orders")).isTrue();
      }
      // reads and key writes are not privileged
      assertThat(send("PUT", u + "/v1/ns/shop/keys/a", "{\"price\":1}")).isEqualTo(200);
      send("GET", u + "/v1/ns/shop/keys/a", null);
      send("GET", u + "/v1/status", null);
      send("GET", u + "/v1/cluster/members", null);
      assertThat(send("DELETE", u + "/v1/namespaces/shop?confirm=true", null)).isEqualTo(200);

      int expected = calls.size() + 7;
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lines(file).size() >= expected);
      Awaitility.await("no record more").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
          .until(() -> lines(file).size() == expected);
      List<JsonNode> records = new ArrayList<>();
      for (String l : lines(file)) records.add(JSON.readTree(l));
      Map<String, Integer> count = new LinkedHashMap<>();
      for (JsonNode r : records) count.merge(r.path("operation").asText(), 1, Integer::sum);
      for (String op : calls.keySet()) assertThat(count.get(op)).as(op).isEqualTo(1);
      assertThat(count).containsEntry("namespace.create", 3).containsEntry("namespace.drop", 2)
          .containsEntry("index.create", 1).containsEntry("index.drop", 1);
      assertThat(records).hasSize(expected);

      JsonNode compact = byOperation(records, "history.compact");
      assertThat(compact.path("outcome").asText()).as(compact.toString())
          .isEqualTo(statuses.get("history.compact") / 100 == 2 ? "success" : "failure");
      JsonNode backup = byOperation(records, "backup.create");
      assertThat(backup.path("outcome").asText()).isEqualTo("failure");
      assertThat(backup.path("detail").asText()).startsWith("BACKUP_NOT_CONFIGURED: ");
      assertThat(backup.path("target").asText()).isEqualTo("/v1/backups");
      assertThat(backup.path("principal").asText()).isEqualTo("anonymous");
      assertThat(backup.path("source").asText()).isEqualTo("127.0.0.1");
      assertThat(backup.path("transport").asText()).isEqualTo("http");
      assertThat(records.stream().filter(r -> r.path("operation").asText().equals("namespace.create")).toList())
          .anySatisfy(r -> assertThat(r.path("transport").asText()).isEqualTo("protocol"))
          .anySatisfy(r -> {
            assertThat(r.path("target").asText()).isEqualTo("namespace/Bad Name");
            assertThat(r.path("outcome").asText()).isEqualTo("failure");
            assertThat(r.path("detail").asText()).startsWith("INVALID_NAMESPACE");
          });
      var chain = AuditChain.verify(List.of(file));
      assertThat(chain.error()).isNull();
      assertThat(chain.records()).isEqualTo(expected);
      assertThat(n.server.node().audit().dropped()).isZero();
    }
  }

  @Test
  void dataAccessToTheListedNamespacesIsAuditedOneRecordPerRequestOverBothTransports() throws Exception {
    Path file = dir.resolve("data-audit/audit.log");
    try (TestServer n = new TestServer(dir.resolve("data-node"), "--audit.file=" + file,
        "--audit.data-namespaces=vault,pii-*")) {
      String u = n.url;
      for (String ns : List.of("vault", "pii-eu", "shop")) assertThat(send("PUT", u + "/v1/namespaces/" + ns, null)).isEqualTo(201);
      // over HTTP: put, get, history, query, delete on a listed namespace; the same on one that is not
      for (String ns : List.of("vault", "shop")) {
        assertThat(send("PUT", u + "/v1/ns/" + ns + "/keys/a", "{\"n\":1}")).isEqualTo(200);
        assertThat(send("GET", u + "/v1/ns/" + ns + "/keys/a", null)).isEqualTo(200);
        assertThat(send("GET", u + "/v1/ns/" + ns + "/history/a", null)).isEqualTo(200);
        assertThat(send("POST", u + "/v1/ns/" + ns + "/query", "{\"prefix\":\"a\"}")).isEqualTo(200);
        assertThat(send("DELETE", u + "/v1/ns/" + ns + "/keys/a", null)).isEqualTo(200);
      }
      assertThat(send("GET", u + "/v1/ns/pii-eu/keys/missing", null)).as("read: the key is absent").isEqualTo(404);
      // over the binary protocol: a batch, a transaction touching a listed and an unlisted namespace, a watch
      try (var aion = io.aiondb.client.Aion.connect(n.protocolAddress)) {
        aion.putAll("pii-eu", Map.of("x", "1", "y", "2"));
        aion.putAll("shop", Map.of("x", "1"));
        aion.txn().then(io.aiondb.client.Txn.put("shop", "t", "1"), io.aiondb.client.Txn.put("vault", "t", "1")).commit();
        aion.txn().then(io.aiondb.client.Txn.put("shop", "u", "1")).commit();
        var seen = new java.util.concurrent.CountDownLatch(1);
        try (var w = aion.watch("vault", "p/".getBytes(java.nio.charset.StandardCharsets.UTF_8), true, 0,
            (rev, events) -> seen.countDown())) {
          // the watch opens on its own connection: wait until it delivers, so the server has opened it
          Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            aion.put("vault", "p/1", "1");
            return seen.await(200, java.util.concurrent.TimeUnit.MILLISECONDS);
          });
        }
        aion.get("vault", "t");
      }

      // namespaces, vault over HTTP, the 404, batch, txn, watch, the puts that woke it, get
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> lines(file).stream().anyMatch(l -> l.contains("\"data.get\",\"target\":\"vault/t\"")));
      long wakeUps = lines(file).stream().filter(l -> l.contains("\"data.put\",\"target\":\"vault/p/1\"")).count();
      int expected = 3 + 5 + 1 + 1 + 1 + 1 + (int) wakeUps + 1;
      assertThat(wakeUps).isPositive();
      Awaitility.await("no record more").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
          .until(() -> lines(file).size() == expected);
      List<JsonNode> records = new ArrayList<>();
      for (String l : lines(file)) records.add(JSON.readTree(l));
      List<String> data = records.stream().filter(r -> r.path("operation").asText().startsWith("data."))
          .map(r -> r.path("operation").asText() + " " + r.path("target").asText() + " " + r.path("outcome").asText()
              + " " + r.path("transport").asText()).toList();
      assertThat(data.stream().filter(d -> !d.startsWith("data.put vault/p/1 ")).toList()).containsExactlyInAnyOrder(
          "data.put vault/a success http", "data.get vault/a success http", "data.history vault/a success http",
          "data.query vault/a* success http", "data.delete vault/a success http",
          "data.get pii-eu/missing success http",
          "data.batch pii-eu (2 keys) success protocol", "data.txn vault success protocol",
          "data.watch vault/p/* success protocol", "data.get vault/t success protocol");
      assertThat(data).filteredOn(d -> d.startsWith("data.put vault/p/1 ")).hasSize((int) wakeUps);
      assertThat(records).noneMatch(r -> r.path("target").asText().startsWith("shop/"));
      assertThat(AuditChain.verify(List.of(file)).error()).isNull();
    }
  }

  private static JsonNode byOperation(List<JsonNode> records, String op) {
    return records.stream().filter(r -> r.path("operation").asText().equals(op)).findFirst().orElseThrow();
  }

  private static List<String> lines(Path f) throws Exception {
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  private static int send(String method, String url, String body) throws Exception {
    var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    if (body != null) b.header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
