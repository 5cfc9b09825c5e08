package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's hostile-client suite against a real 3-process cluster (each member a JVM with a 256 MiB heap): each
 * hostile case is sent to one member, and after each the cluster must answer a normal write and a linearizable read
 * on every member within a second, every member must still be alive (a heap that ran out would have killed or
 * stalled it), and every write acknowledged so far must read back unchanged.
 */
class HostileClusterIT {
  private static final ObjectMapper M = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @TempDir Path dir;

  private final Map<String, String> acknowledged = new LinkedHashMap<>();

  private static HttpResponse<String> send(String url, String method, String path, String type, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30));
    if (type != null) b.header("Content-Type", type);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> send(String url, String method, String path, String json) throws Exception {
    return send(url, method, path, "application/json", json == null ? null : json.getBytes(StandardCharsets.UTF_8));
  }

  private static void refused(HttpResponse<String> r, int status, String code) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(M.readTree(r.body()).path("code").asText()).as(r.body()).isEqualTo(code);
  }

  /** A write on every member and a linearizable read of it on the next one, each within a second; nothing lost. */
  private void stillHealthy(LocalCluster cl, String after) throws Exception {
    for (int i = 1; i <= 3; i++) {
      assertThat(cl.alive(i)).as("member " + i + " alive after " + after).isTrue();
      String key = "ok-" + acknowledged.size();
      String value = after + "@" + i;
      String writer = cl.url(i);
      String reader = cl.url(i % 3 + 1);
      Awaitility.await("a write and a read on member " + i + " after " + after).atMost(Duration.ofSeconds(1))
          .pollInterval(Duration.ofMillis(20)).until(() -> {
            HttpResponse<String> w = send(writer, "PUT", "/v1/ns/h/keys/" + key, "text/plain", value.getBytes(StandardCharsets.UTF_8));
            if (w.statusCode() != 200) return false;
            HttpResponse<String> r = send(reader, "GET", "/v1/ns/h/keys/" + key, null, null);
            return r.statusCode() == 200 && r.body().equals(value);
          });
      acknowledged.put(key, value);
    }
    String any = cl.url(1 + acknowledged.size() % 3);
    for (var e : acknowledged.entrySet()) {
      HttpResponse<String> r = send(any, "GET", "/v1/ns/h/keys/" + e.getKey(), null, null);
      assertThat(r.body()).as("acknowledged write " + e.getKey() + " after " + after).isEqualTo(e.getValue());
    }
  }

  @Test
  void hostileRequestsHurtNoMemberAndLoseNoWrite() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 3, "--request.timeout=3s", "--watch.max-per-client=20").label("hostile")) {
      int leader = cl.leaderIndex(Duration.ofSeconds(60));
      String l = cl.url(leader);
      String f = cl.url(leader % 3 + 1);
      assertThat(send(l, "PUT", "/v1/namespaces/h", null).statusCode()).isEqualTo(201);
      assertThat(send(l, "PUT", "/v1/namespaces/h/indexes/by-age", "{\"field\":\"$.age\",\"type\":\"number\"}").statusCode()).isIn(200, 201);
      stillHealthy(cl, "setup");

      // the poison value, through a follower (forwarded) and the leader, as a put and inside a transaction
      refused(send(f, "PUT", "/v1/ns/h/keys/p", "{\"age\":1e999}"), 400, "INVALID_JSON");
      refused(send(l, "POST", "/v1/txn", "{\"namespace\":\"h\",\"success\":[{\"op\":\"put\",\"key\":\"p\",\"value\":{\"age\":1e999}}]}"),
          400, "INVALID_JSON");
      refused(send(f, "POST", "/v1/ns/h/query", "{\"where\":[{\"field\":\"$.age\",\"op\":\"gt\",\"value\":1e999}]}"), 400, "INVALID_QUERY");
      stillHealthy(cl, "poison values");

      // a transaction whose reads would build ~9 MB on every replica
      byte[] big = new byte[3 << 20];
      for (int i = 0; i < 3; i++) {
        assertThat(send(l, "PUT", "/v1/ns/h/keys/big" + i, "application/octet-stream", big).statusCode()).isEqualTo(200);
      }
      refused(send(f, "POST", "/v1/txn", "{\"namespace\":\"h\",\"success\":[{\"op\":\"put\",\"key\":\"mark\",\"text\":\"x\"},"
          + "{\"op\":\"get\",\"key\":\"big0\"},{\"op\":\"get\",\"key\":\"big1\"},{\"op\":\"get\",\"key\":\"big2\"}]}"), 400, "RESPONSE_TOO_LARGE");
      assertThat(send(l, "GET", "/v1/ns/h/keys/mark", null, null).statusCode()).as("nothing of it was written").isEqualTo(404);
      stillHealthy(cl, "an oversized transaction");

      // reads waiting for revisions that never come, many at once
      List<CompletableFuture<HttpResponse<String>>> waits = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        waits.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(f + "/v1/ns/h/keys/k?consistency=stale&minRevision=" + (1L << 50)))
            .build(), HttpResponse.BodyHandlers.ofString()));
      }
      stillHealthy(cl, "200 reads waiting for a future revision");
      for (var w : waits) assertThat(w.get().statusCode()).isEqualTo(504);
      int follower = leader % 3 + 1;
      Awaitility.await("the waiters are forgotten").atMost(Duration.ofSeconds(10))
          .until(() -> cl.get(follower, "/v1/status").path("admission").path("revisionWaiters").asInt() == 0);

      // slowloris: connections that send half a request head, byte by byte
      List<Socket> slow = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        URI u = URI.create(l);
        Socket s = new Socket(u.getHost(), u.getPort());
        s.getOutputStream().write("GET /v1/ns/h/keys/a HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1));
        slow.add(s);
      }
      for (Socket s : slow) {
        OutputStream out = s.getOutputStream();
        out.write('X');
        out.flush();
      }
      stillHealthy(cl, "50 slowloris connections");
      for (Socket s : slow) s.close();

      // a query over the byte cap, and a flood of watches from one client
      refused(send(l, "POST", "/v1/ns/h/query", "{\"maxBytes\":1000000000}"), 400, "INVALID_QUERY");
      List<HttpResponse<java.io.InputStream>> watches = new ArrayList<>();
      int refusedWatches = 0;
      for (int i = 0; i < 25; i++) {
        HttpResponse<java.io.InputStream> w = HTTP.send(HttpRequest.newBuilder(URI.create(f + "/v1/ns/h/watch?prefix=ok-")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
        if (w.statusCode() == 429) refusedWatches++;
        watches.add(w);
      }
      assertThat(refusedWatches).as("beyond watch.max-per-client").isEqualTo(5);
      stillHealthy(cl, "a watch flood");
      for (var w : watches) w.body().close();

      // concurrent compaction requests on every member
      List<CompletableFuture<HttpResponse<String>>> compactions = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        compactions.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(cl.url(1 + i % 3) + "/v1/admin/compact"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
      }
      stillHealthy(cl, "12 concurrent compaction requests");
      for (var c : compactions) assertThat(c.get().statusCode()).isEqualTo(200);
      JsonNode status = cl.get(leader, "/v1/status");
      assertThat(status.path("admission").path("pendingWrites").asInt()).isZero();
      stillHealthy(cl, "the end");
    }
  }
}
