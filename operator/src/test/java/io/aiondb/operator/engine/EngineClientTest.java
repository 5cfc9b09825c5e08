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
  private final EngineClient client = new EngineClient(Duration.ofSeconds(1));

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      path = exchange.getRequestURI().getPath();
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
}
