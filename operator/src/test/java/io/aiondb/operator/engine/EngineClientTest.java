package io.aiondb.operator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EngineClientTest {
  private HttpServer server;
  private volatile int status = 200;
  private volatile String body;
  private volatile String path;
  private volatile String query;
  private volatile String method;
  private volatile String requestBody;
  private volatile int requests;
  private volatile String authorization;
  private final EngineClient client = new EngineClient(Duration.ofSeconds(1));

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      path = exchange.getRequestURI().getPath();
      query = exchange.getRequestURI().getQuery();
      method = exchange.getRequestMethod();
      authorization = exchange.getRequestHeaders().getFirst("Authorization");
      requestBody = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests++;
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  @Test
  void readsTheContractExample() throws Exception {
    body = """
        {"groupId": "6f1d", "leader": "aion-0", "term": 3, "members": [
          {"id": "aion-0", "raftAddress": "a:7072", "httpAddress": "a:7070", "role": "LEADER", "voting": true,
           "commitIndex": 120, "appliedIndex": 120, "lag": 0, "caughtUp": true, "version": "0.1.0"},
          {"id": "aion-3", "role": "LEARNER", "voting": false, "lag": 40, "caughtUp": false, "version": "0.1.0"}]}""";
    ClusterView view = client.members(base());
    assertThat(path).isEqualTo("/v1/cluster/members");
    assertThat(view.leader()).isEqualTo("aion-0");
    assertThat(view.members()).extracting(ClusterView.Member::id, ClusterView.Member::role, ClusterView.Member::caughtUp)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("aion-0", "LEADER", true),
            org.assertj.core.groups.Tuple.tuple("aion-3", "LEARNER", false));
  }

  @Test
  void readsAnAnswerRecordedFromTheEngine() throws Exception {
    // GET /v1/cluster/members of a single-node engine (engine/server, 2026-11), verbatim.
    body = """
        {"groupId":"86a69f73-492a-3359-849a-9af0c9d79b3c","leader":"aion-1","term":1,"commitIndex":0,"members":[\
        {"id":"aion-1","raftAddress":"127.0.0.1:7072","httpAddress":"127.0.0.1:17971","role":"LEADER","voting":true,\
        "commitIndex":0,"appliedIndex":0,"lag":0,"caughtUp":true,"reachable":true,"version":"0.1.0-SNAPSHOT"}]}""";
    ClusterView view = client.members(base());
    assertThat(view.leader()).isEqualTo("aion-1");
    assertThat(view.members()).singleElement().satisfies(m -> {
      assertThat(m.role()).isEqualTo("LEADER");
      assertThat(m.caughtUp()).isTrue();
      assertThat(m.version()).isEqualTo("0.1.0-SNAPSHOT");
    });
  }

  @Test
  void noLeaderIsNull() throws Exception {
    body = "{\"leader\": null, \"members\": []}";
    assertThat(client.members(base()).leader()).isNull();
  }

  @Test
  void errorAnswerCarriesTheEngineMessage() {
    status = 503;
    body = "{\"code\": \"UNAVAILABLE\", \"message\": \"no leader\"}";
    assertThatThrownBy(() -> client.members(base())).isInstanceOf(EngineUnavailableException.class)
        .hasMessageContaining("answered 503: UNAVAILABLE no leader");
  }

  @Test
  void garbageIsReported() {
    body = "<html>proxy error</html>";
    assertThatThrownBy(() -> client.members(base())).isInstanceOf(EngineUnavailableException.class)
        .hasMessageContaining("not a member list");
  }

  @Test
  void refusedConnectionIsReported() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThatThrownBy(() -> client.members(URI.create("http://127.0.0.1:" + port)))
        .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("connection refused");
  }

  @Test
  void slowEngineTimesOut() {
    server.removeContext("/");
    server.createContext("/", exchange -> {
      try {
        Thread.sleep(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    assertThatThrownBy(() -> client.members(base())).isInstanceOf(EngineUnavailableException.class)
        .hasMessageContaining("timed out after 1s");
  }

  // ---------------------------------------------------------------- node terms (docs/cluster-api.md "Nodes")

  /** GET /v1/cluster/nodes of a single-node engine (engine/server, 2026-12), verbatim. */
  private static final String RECORDED_NODES = """
      {"groups":[{"groupId":"86a69f73-492a-3359-849a-9af0c9d79b3c","leader":"aion-1","term":1,"commitIndex":0,"voters":1}],\
      "nodes":[{"id":"aion-1","raftAddress":"127.0.0.1:40383","httpAddress":"127.0.0.1:17971","membership":"Voter",\
      "reachable":true,"version":"0.1.0-SNAPSHOT","caughtUp":true,"lag":0,"leads":1,"safeToRestart":false,\
      "safeToRemove":false,"reason":"restarting aion-1 now would leave 0 of 1 voters caught up, below the quorum of 1; \
      removing aion-1 is impossible: it is the only voter","decommission":null,"groups":[{"groupId":\
      "86a69f73-492a-3359-849a-9af0c9d79b3c","leader":"aion-1","role":"LEADER","voting":true,"lag":0,"caughtUp":true,\
      "safeToRestart":false,"safeToRemove":false,"reason":"restarting aion-1 now would leave 0 of 1 voters caught up, \
      below the quorum of 1; removing aion-1 is impossible: it is the only voter"}]}]}""";

  @Test
  void theOperatorsApiKeyGoesAsABearerCredentialOnEveryCallAndNeverWithoutOne() throws Exception {
    String key = "aion_0123456789ab_" + "A".repeat(43);
    body = RECORDED_NODES;
    client.nodes(base(), EngineAccess.PLAIN.withApiKey(key));
    assertThat(authorization).isEqualTo("Bearer " + key);
    body = "{\"members\":[]}";
    client.members(base(), new EngineAccess(null, key));
    assertThat(authorization).isEqualTo("Bearer " + key);
    body = RECORDED_NODES;
    client.nodes(base(), EngineAccess.PLAIN);
    assertThat(authorization).as("no key, no header").isNull();
    assertThat(new EngineAccess("ca", key).toString()).doesNotContain(key);
  }

  @Test
  void readsTheNodesAnswerRecordedFromTheEngine() throws Exception {
    body = RECORDED_NODES;
    NodeView.NodeList list = client.nodes(base(), EngineAccess.PLAIN);
    assertThat(method).isEqualTo("GET");
    assertThat(path).isEqualTo("/v1/cluster/nodes");
    assertThat(list.groups()).singleElement().satisfies(g -> {
      assertThat(g.leader()).isEqualTo("aion-1");
      assertThat(g.voters()).isEqualTo(1);
    });
    assertThat(list.nodes()).singleElement().satisfies(n -> {
      assertThat(n.id()).isEqualTo("aion-1");
      assertThat(n.membership()).isEqualTo("Voter");
      assertThat(n.leads()).isEqualTo(1);
      assertThat(n.caughtUp()).isTrue();
      assertThat(n.lag()).isZero();
      assertThat(n.safeToRestart()).isFalse();
      assertThat(n.reason()).isEqualTo("restarting aion-1 now would leave 0 of 1 voters caught up, below the quorum of 1;"
          + " removing aion-1 is impossible: it is the only voter");
      assertThat(n.decommission()).isNull();
      assertThat(n.groups()).singleElement().satisfies(g -> {
        assertThat(g.role()).isEqualTo("LEADER");
        assertThat(g.voting()).isTrue();
      });
    });
  }

  @Test
  void oneNodeAndAGoneNode() throws Exception {
    body = """
        {"id":"aion-2","raftAddress":"a:7072","httpAddress":"a:7070","membership":"Leaving","caughtUp":false,"lag":12400,
         "leads":0,"safeToRestart":true,"safeToRemove":true,"reason":null,"decommission":{"state":"InProgress","groupsLeft":1},
         "groups":[]}""";
    NodeView n = client.node(base(), "aion-2", EngineAccess.PLAIN);
    assertThat(path).isEqualTo("/v1/cluster/nodes/aion-2");
    assertThat(n.membership()).isEqualTo("Leaving");
    assertThat(n.lag()).isEqualTo(12_400);
    assertThat(n.decommission().done()).isFalse();
    assertThat(n.decommission().groupsLeft()).isEqualTo(1);

    status = 404;
    body = "{\"code\":\"MEMBER_NOT_FOUND\",\"message\":\"'aion-7' is not a member of any group (never added, or decommissioned)\"}";
    assertThat(client.node(base(), "aion-7", EngineAccess.PLAIN)).as("a node in no group").isNull();
    body = "{\"code\":\"NOT_FOUND\",\"message\":\"no route\"}"; // an old engine without the node API
    assertThatThrownBy(() -> client.node(base(), "aion-7", EngineAccess.PLAIN)).isInstanceOf(EngineRefusedException.class)
        .hasMessageContaining("404 NOT_FOUND");
  }

  @Test
  void addNodeSendsItsAddresses() throws Exception {
    body = "{\"changed\":true,\"node\":{\"id\":\"aion-3\",\"membership\":\"Joining\",\"caughtUp\":false,\"lag\":-1,\"groups\":[]}}";
    NodeView.Change c = client.addNode(base(), "aion-3", "aion-3.peers:7072", "aion-3.peers:7070", EngineAccess.PLAIN);
    assertThat(method).isEqualTo("POST");
    assertThat(path).isEqualTo("/v1/cluster/nodes");
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(requestBody)).isEqualTo(
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(
            "{\"id\":\"aion-3\",\"raftAddress\":\"aion-3.peers:7072\",\"httpAddress\":\"aion-3.peers:7070\"}"));
    assertThat(c.changed()).isTrue();
    assertThat(c.node().membership()).isEqualTo("Joining");
  }

  @Test
  void changesPostToTheNodesPaths() throws Exception {
    body = "{\"changed\":false,\"node\":{\"id\":\"aion-1\",\"leads\":0}}";
    assertThat(client.promote(base(), "aion-1", EngineAccess.PLAIN).changed()).isFalse();
    assertThat(method + " " + path).isEqualTo("POST /v1/cluster/nodes/aion-1/promote");
    assertThat(client.drainLeadership(base(), "aion-1", null, EngineAccess.PLAIN).node().leads()).isZero();
    assertThat(method + " " + path).isEqualTo("POST /v1/cluster/nodes/aion-1/drain-leadership");
    assertThat(requestBody).isEmpty();
    body = "{\"changed\":true,\"node\":{\"id\":\"aion-1\",\"leads\":0,\"groups\":[{\"groupId\":\"g\",\"leader\":\"aion-2\"}]}}";
    assertThat(client.drainLeadership(base(), "aion-1", "aion-0", EngineAccess.PLAIN).leaders()).containsExactly("aion-2");
    assertThat(requestBody).isEqualTo("{\"to\":\"aion-0\"}");
    body = "{\"changed\":true,\"decommission\":{\"state\":\"Done\",\"groupsLeft\":0}}";
    NodeView.Change gone = client.decommission(base(), "aion-1", EngineAccess.PLAIN);
    assertThat(method + " " + path).isEqualTo("POST /v1/cluster/nodes/aion-1/decommission");
    assertThat(gone.node()).isNull();
    assertThat(gone.decommission().done()).isTrue();
  }

  @Test
  void aRefusalCarriesTheEngineCodeAndReason() {
    status = 409;
    body = "{\"code\":\"UNSAFE\",\"message\":\"decommissioning aion-1 is not safe now: aion-2 is unreachable: restarting"
        + " aion-1 now would leave 1 of 3 voters caught up, below the quorum of 2\"}";
    assertThatThrownBy(() -> client.decommission(base(), "aion-1", EngineAccess.PLAIN)).isInstanceOfSatisfying(EngineRefusedException.class, e -> {
      assertThat(e.status()).isEqualTo(409);
      assertThat(e.code()).isEqualTo("UNSAFE");
      assertThat(e.getMessage()).contains("aion-2 is unreachable").contains("below the quorum of 2");
    });
    body = "{\"code\":\"NOT_CAUGHT_UP\",\"message\":\"'aion-3' is 40000 entries behind\"}";
    assertThatThrownBy(() -> client.promote(base(), "aion-3", EngineAccess.PLAIN)).isInstanceOfSatisfying(EngineRefusedException.class,
        e -> assertThat(e.code()).isEqualTo("NOT_CAUGHT_UP"));
  }

  @Test
  void aServerErrorIsUnavailableNotARefusal() {
    status = 504;
    body = "{\"code\":\"TIMEOUT\",\"message\":\"leadership did not move off aion-1 within request.timeout; retry\"}";
    assertThatThrownBy(() -> client.drainLeadership(base(), "aion-1", null, EngineAccess.PLAIN)).isInstanceOf(EngineUnavailableException.class)
        .hasMessageContaining("answered 504: TIMEOUT leadership did not move");
    status = 200;
    body = "<html>proxy</html>";
    assertThatThrownBy(() -> client.nodes(base(), EngineAccess.PLAIN)).isInstanceOf(EngineUnavailableException.class)
        .hasMessageContaining("not a NodeList");
  }

  @Test
  void aBadIdIsRefusedBeforeAnyRequest() {
    assertThatThrownBy(() -> client.decommission(base(), "../admin", EngineAccess.PLAIN)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node id");
    assertThat(requests).isZero();
  }

  @Test
  void changesWaitLongerThanReads() throws Exception {
    EngineClient quick = new EngineClient(Duration.ofMillis(300), Duration.ofSeconds(5));
    server.removeContext("/");
    server.createContext("/", exchange -> {
      try {
        Thread.sleep(1000); // the fake engine's transfer takes a second (a real one is bounded by request.timeout)
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] bytes = "{\"changed\":true,\"node\":{\"id\":\"aion-1\",\"leads\":0}}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    assertThat(quick.drainLeadership(base(), "aion-1", null, EngineAccess.PLAIN).changed()).isTrue();
    assertThatThrownBy(() -> quick.nodes(base(), EngineAccess.PLAIN)).isInstanceOf(EngineUnavailableException.class)
        .hasMessageContaining("timed out");
  }
  @Test
  void startsFollowsAndDeletesBackups() throws Exception {
    // the operation as docs/backup.md shows it (POST /v1/backups answers the same shape)
    body = """
        {"id":"20261206T151300Z-7f3a09c2","kind":"create","backup":"20261206T151300Z-7f3a09c2","state":"succeeded",\
        "startedAt":"2026-12-06T15:13:00.120Z","finishedAt":"2026-12-06T15:13:00.410Z",\
        "progress":{"bytesDone":61440,"bytesTotal":61440,"filesDone":12,"filesTotal":12,"filesReused":3,\
        "bytesReused":20480,"bytesPerSecond":211862},\
        "result":{"backup":"20261206T151300Z-7f3a09c2","revision":5,"keyCount":3,"files":12,"bytes":61440,\
        "filesReused":3,"bytesReused":20480,"encrypted":false}}""";
    status = 202;
    BackupView started = client.startBackup(base(), "20261206T151300Z-7f3a09c2", null, EngineAccess.PLAIN);
    assertThat(method).isEqualTo("POST");
    assertThat(path).isEqualTo("/v1/backups");
    assertThat(requestBody).isEqualTo("{\"id\":\"20261206T151300Z-7f3a09c2\"}");
    assertThat(started.succeeded()).isTrue();
    assertThat(started.resultLong("revision")).isEqualTo(5);
    assertThat(started.resultLong("nothing")).isNull();
    assertThat(started.progress().bytesReused()).isEqualTo(20480);

    status = 200;
    assertThat(client.backupOperation(base(), "20261206T151300Z-7f3a09c2", EngineAccess.PLAIN).backup())
        .isEqualTo("20261206T151300Z-7f3a09c2");
    assertThat(path).isEqualTo("/v1/backups/operations/20261206T151300Z-7f3a09c2");
    status = 404;
    body = "{\"code\":\"NOT_FOUND\",\"message\":\"no backup operation x on this node\"}";
    assertThat(client.backupOperation(base(), "op-20261206T151300Z-00000001", EngineAccess.PLAIN)).as("a restarted member").isNull();

    body = "{\"code\":\"BACKUP_NOT_FOUND\",\"message\":\"no backup\"}";
    assertThat(client.deleteBackup(base(), "20261206T151300Z-7f3a09c2", null, EngineAccess.PLAIN)).isFalse();
    assertThat(method).isEqualTo("DELETE");
    status = 200;
    body = "{\"deleted\":\"20261206T151300Z-7f3a09c2\"}";
    assertThat(client.deleteBackup(base(), "20261206T151300Z-7f3a09c2", null, EngineAccess.PLAIN)).isTrue();
    assertThat(query).as("the default store").isNull();
    assertThat(client.deleteBackup(base(), "20261206T151300Z-7f3a09c2", "archive", EngineAccess.PLAIN)).isTrue();
    assertThat(path).isEqualTo("/v1/backups/20261206T151300Z-7f3a09c2");
    assertThat(query).as("a named store").isEqualTo("store=archive");

    status = 409;
    body = "{\"code\":\"BACKUP_BUSY\",\"message\":\"backup operation x (prune) is running\"}";
    assertThatThrownBy(() -> client.startBackup(base(), "20261206T151300Z-7f3a09c2", null, EngineAccess.PLAIN))
        .isInstanceOf(EngineRefusedException.class).hasMessageContaining("BACKUP_BUSY");
    int before = requests;
    assertThatThrownBy(() -> client.startBackup(base(), "../../etc", null, EngineAccess.PLAIN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.backupOperation(base(), "x/../y", EngineAccess.PLAIN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.startBackup(base(), "20261206T151300Z-7f3a09c2", "a&b=c", EngineAccess.PLAIN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(requests).as("nothing sent for a bad id").isEqualTo(before);
  }
}
