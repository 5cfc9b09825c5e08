package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.client.AionClient;
import io.aiondb.client.AionClientException;
import io.aiondb.client.KeyValue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every route of the HTTP API against a real server, and bad input on each. */
class HttpApiIT {
  private static final ObjectMapper M = new ObjectMapper();
  @TempDir static Path dir;
  static TestServer s;
  static AionClient c;
  static HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    s = new TestServer(dir.resolve("data"));
    c = s.client;
    c.createNamespace("t");
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  record Resp(int status, String body, java.net.http.HttpHeaders headers) {
    JsonNode json() throws Exception {
      return M.readTree(body);
    }
  }

  static Resp call(String method, String path, String contentType, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url + path));
    if (contentType != null) b.header("Content-Type", contentType);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Resp(r.statusCode(), r.body(), r.headers());
  }

  /** A hand-written HTTP/1.1 request, for URLs that java.net.URI refuses to build. */
  static Resp raw(String request) throws Exception {
    URI u = URI.create(s.url);
    try (java.net.Socket sock = new java.net.Socket(u.getHost(), u.getPort())) {
      sock.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      String resp = new String(sock.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(resp.substring(9, 12));
      return new Resp(status, resp.substring(resp.indexOf("\r\n\r\n") + 4), null);
    }
  }

  static Resp call(String method, String path) throws Exception {
    return call(method, path, null, null);
  }

  static void assertError(Resp r, int status, String code) throws Exception {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.json().path("code").asText()).isEqualTo(code);
    assertThat(r.json().path("message").asText()).isNotBlank();
    assertThat(call("GET", "/health").status()).isEqualTo(200); // still serving
  }

  @Test
  void healthReadyStatusMetricsOpenapi() throws Exception {
    assertThat(call("GET", "/health").json().path("status").asText()).isEqualTo("ok");
    assertThat(call("GET", "/ready").json().path("ready").asBoolean()).isTrue();
    assertThat(c.status().path("ready").asBoolean()).isTrue();
    c.put("t", "m", "x");
    c.get("t", "m");
    Resp metrics = call("GET", "/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body()).contains("aion_http_requests_seconds_count").contains("cache_gets_total").contains("aion_applied_revision")
        .containsPattern("aion_http_requests_seconds_bucket\\{method=\"GET\",route=\"/health\",status=\"200\",le=\"0.001\"} ")
        .containsPattern("aion_http_requests_seconds_bucket\\{method=\"PUT\",route=\"/v1/ns/:ns/keys/\\*?\",status=\"200\",le=\"30.0\"} ");
    assertThat(call("GET", "/v1/openapi.json").json().path("openapi").asText()).startsWith("3.");
    assertThat(c.compact().has("versionsRemoved")).isTrue();
  }

  @Test
  void withMetricsOffThereIsNoMetricsEndpointAndNoMeter() throws Exception {
    try (TestServer off = new TestServer(dir.resolve("metrics-off"), "--metrics.enabled=false")) {
      off.client.createNamespace("t");
      off.client.put("t", "k", "v");
      assertThat(off.client.get("t", "k")).isPresent();
      var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(off.url + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).contains("metrics.enabled=false");
      assertThat(off.server.node().metrics().getMeters()).as("every meter denied").isEmpty();
    }
  }

  @Test
  void namespaces() throws Exception {
    assertThat(c.createNamespace("ns-a")).isTrue();
    assertThat(c.createNamespace("ns-a")).isFalse();
    assertThat(call("PUT", "/v1/namespaces/ns-b").status()).isEqualTo(201);
    assertThat(call("PUT", "/v1/namespaces/ns-b").status()).isEqualTo(200);
    assertThat(call("GET", "/v1/namespaces/ns-a").json().path("name").asText()).isEqualTo("ns-a");
    JsonNode list = c.listNamespaces().path("namespaces");
    assertThat(list.findValuesAsText("name")).contains("ns-a", "ns-b", "t");
    c.put("ns-a", "k", "v");
    assertError(call("DELETE", "/v1/namespaces/ns-a"), 400, "CONFIRMATION_REQUIRED");
    assertThat(c.get("ns-a", "k")).isPresent(); // nothing dropped without confirmation
    assertThat(call("DELETE", "/v1/namespaces/ns-a?confirm=true").json().path("dropped").asBoolean()).isTrue();
    assertError(call("GET", "/v1/ns/ns-a/keys/k"), 404, "NAMESPACE_NOT_FOUND");
    assertError(call("DELETE", "/v1/namespaces/ns-a?confirm=true"), 404, "NAMESPACE_NOT_FOUND");
    assertError(call("PUT", "/v1/namespaces/Bad_Name!"), 400, "INVALID_NAMESPACE");
    assertError(call("GET", "/v1/namespaces/nope"), 404, "NAMESPACE_NOT_FOUND");
  }

  @Test
  void keysVersionsHistoryAndCas() throws Exception {
    var w1 = c.put("t", "user/1".getBytes(), "{\"age\":30}".getBytes(), AionClient.JSON);
    var w2 = c.put("t", "user/1".getBytes(), "{\"age\":31}".getBytes(), AionClient.JSON);
    assertThat(w2.revision()).isGreaterThan(w1.revision());
    assertThat(w2.version()).isEqualTo(2);
    assertThat(w2.createRevision()).isEqualTo(w1.revision());
    KeyValue kv = c.get("t", "user/1").orElseThrow();
    assertThat(kv.text()).isEqualTo("{\"age\":31}");
    assertThat(kv.contentType()).isEqualTo("application/json");
    assertThat(kv.revision()).isEqualTo(w2.revision());
    assertThat(c.get("t", "user/1".getBytes(), w1.revision()).orElseThrow().text()).isEqualTo("{\"age\":30}");

    // keys are byte strings: percent-encode anything, slashes may stay literal
    byte[] binary = {0, (byte) 0xFF, '/', ' ', '%'};
    c.put("t", binary, new byte[] {1, 2, 3}, AionClient.BINARY);
    assertThat(c.get("t", binary, 0).orElseThrow().value()).isEqualTo(new byte[] {1, 2, 3});
    assertThat(call("GET", "/v1/ns/t/keys/user/1").status()).isEqualTo(200);
    assertThat(call("GET", "/v1/ns/t/keys/user%2F1").status()).isEqualTo(200);

    // the largest value goes through the log and back intact
    byte[] max = new byte[4 * 1024 * 1024];
    new java.util.Random(3).nextBytes(max);
    c.put("t", "max".getBytes(), max, AionClient.BINARY);
    assertThat(c.get("t", "max".getBytes(), 0).orElseThrow().value()).isEqualTo(max);

    // compare-and-set
    AionClientException conflict = org.junit.jupiter.api.Assertions.assertThrows(AionClientException.class,
        () -> c.put("t", "user/1".getBytes(), "x".getBytes(), AionClient.TEXT, w1.revision()));
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.code()).isEqualTo("REVISION_MISMATCH");
    assertThat(c.put("t", "user/1".getBytes(), "x".getBytes(), AionClient.TEXT, w2.revision()).revision()).isPositive();
    assertError(call("PUT", "/v1/ns/t/keys/user/1?ifRevision=0", "text/plain", "y".getBytes()), 409, "REVISION_MISMATCH");

    var del = c.delete("t", "user/1");
    assertThat(del.applied()).isTrue();
    assertThat(c.get("t", "user/1")).isEmpty();
    assertError(call("GET", "/v1/ns/t/keys/user/1"), 404, "KEY_NOT_FOUND");
    assertThat(c.delete("t", "user/1").applied()).isFalse();

    JsonNode h = c.history("t", "user/1".getBytes(), 2, 0);
    assertThat(h.path("versions")).hasSize(2);
    assertThat(h.path("versions").get(0).path("deleted").asBoolean()).isTrue();
    long next = h.path("nextBefore").asLong();
    JsonNode h2 = c.history("t", "user/1".getBytes(), 10, next);
    assertThat(h2.path("versions")).hasSize(2);
    assertThat(h2.path("versions").get(1).path("value").path("age").asInt()).isEqualTo(30);
    assertThat(h2.has("nextBefore")).isFalse();
  }

  /** A history page holds at most 8 MiB of values (at least one version) and says where to continue. */
  @Test
  void historyPagesAreCappedInBytes() throws Exception {
    c.createNamespace("hb");
    byte[] big = new byte[3 << 20];
    for (int i = 0; i < 4; i++) {
      java.util.Arrays.fill(big, (byte) ('a' + i));
      assertThat(call("PUT", "/v1/ns/hb/keys/big", "application/octet-stream", big).status()).isEqualTo(200);
    }
    JsonNode first = c.history("hb", "big".getBytes(), 10, 0);
    assertThat(first.path("versions")).hasSize(2); // a third 3 MiB value would pass 8 MiB
    assertThat(first.has("nextBefore")).isTrue();
    JsonNode second = c.history("hb", "big".getBytes(), 10, first.path("nextBefore").asLong());
    assertThat(second.path("versions")).hasSize(2);
    assertThat(second.has("nextBefore")).isFalse();
    assertThat(second.path("versions").get(1).path("revision").asLong())
        .isLessThan(first.path("versions").get(1).path("revision").asLong());
  }

  @Test
  void queryMaxBytesAboveTheCapIs400() throws Exception {
    assertError(call("POST", "/v1/ns/t/query", "application/json", "{\"maxBytes\":16777216}".getBytes()), 400, "INVALID_QUERY");
  }

  @Test
  void queries() throws Exception {
    c.createNamespace("q");
    for (int i = 0; i < 25; i++) c.put("q", ("item/" + (char) ('a' + i)).getBytes(), ("{\"n\":" + i + "}").getBytes(), AionClient.JSON);
    c.put("q", "other".getBytes(), "plain text".getBytes(), AionClient.TEXT);
    JsonNode r = c.query("q", "{\"prefix\":\"item/\",\"where\":[{\"field\":\"$.n\",\"op\":\"gte\",\"value\":20}]}");
    assertThat(r.path("count").asInt()).isEqualTo(5);
    assertThat(r.path("items").get(0).path("key").asText()).isEqualTo("item/u");
    assertThat(r.path("items").get(0).path("value").path("n").asInt()).isEqualTo(20);
    JsonNode rev = c.query("q", "{\"prefix\":\"item/\",\"reverse\":true,\"limit\":2,\"keysOnly\":true}");
    assertThat(rev.path("items").get(0).path("key").asText()).isEqualTo("item/y");
    assertThat(rev.path("items").get(0).has("value")).isFalse();
    assertThat(rev.path("cursor").isTextual()).isTrue();
    JsonNode page2 = c.query("q", "{\"prefix\":\"item/\",\"reverse\":true,\"limit\":2,\"keysOnly\":true,\"cursor\":\"" + rev.path("cursor").asText() + "\"}");
    assertThat(page2.path("items").get(0).path("key").asText()).isEqualTo("item/w");
    JsonNode text = c.query("q", "{\"where\":[{\"contains\":\"plain\"}]}");
    assertThat(text.path("items").get(0).path("value").asText()).isEqualTo("plain text");
    JsonNode explain = c.query("q", "{\"prefix\":\"item/\",\"explain\":true,\"where\":[{\"matches\":\"n\"}]}");
    assertThat(explain.path("plan").path("access").asText()).isEqualTo("key-range-scan");
    assertThat(explain.path("plan").path("lower").asText()).isEqualTo("item/");
    assertThat(explain.path("plan").path("upper").asText()).isEqualTo("item0");
    assertThat(explain.path("plan").path("filters").get(0).asText()).contains("matches");
    // curl -d sends a form content type: accepted for queries, whose body is JSON anyway
    assertThat(call("POST", "/v1/ns/q/query", "application/x-www-form-urlencoded", "{}".getBytes()).status()).isEqualTo(200);
    assertThat(call("POST", "/v1/ns/q/query").status()).isEqualTo(200); // empty body: every key
  }

  @Test
  void badInputIsRefusedAndNothingIsWritten() throws Exception {
    long before = c.status().path("revision").asLong();
    assertError(call("PUT", "/v1/ns/t/keys/" + "k".repeat(257), "text/plain", "v".getBytes()), 400, "INVALID_KEY");
    for (String bad : new String[] {"PUT /v1/ns/t/keys/%ZZ HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1\r\nConnection: close\r\n\r\nv",
        "GET /v1/ns/t/keys/a%2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"}) {
      Resp r = raw(bad);
      assertThat(r.status()).isEqualTo(400);
      // the router refuses the malformed path before the key is decoded
      assertThat(r.json().path("code").asText()).as(r.body()).isEqualTo("BAD_REQUEST");
      assertThat(r.json().path("message").asText()).contains("percent-encoding");
    }
    assertError(call("PUT", "/v1/ns/t/keys/", "text/plain", "v".getBytes()), 400, "INVALID_KEY");
    assertError(call("PUT", "/v1/ns/t/keys/big", "application/octet-stream", new byte[4 * 1024 * 1024 + 1]), 413, "VALUE_TOO_LARGE");
    assertError(call("PUT", "/v1/ns/t/keys/huge", "application/octet-stream", new byte[6 * 1024 * 1024]), 413, "VALUE_TOO_LARGE");
    assertError(call("PUT", "/v1/ns/t/keys/j", "application/json", "{not json".getBytes()), 400, "INVALID_JSON");
    assertError(call("PUT", "/v1/ns/t/keys/j", "application/json", new byte[0]), 400, "INVALID_JSON");
    assertError(call("PUT", "/v1/ns/t/keys/j", "application/x-www-form-urlencoded", "a=b".getBytes()), 415, "UNSUPPORTED_MEDIA_TYPE");
    assertError(call("PUT", "/v1/ns/t/keys/j", "image/png", "x".getBytes()), 415, "UNSUPPORTED_MEDIA_TYPE");
    assertError(call("PUT", "/v1/ns/t/keys/j", "text/plain", new byte[] {(byte) 0xC3, 0x28}), 400, "BAD_REQUEST");
    assertError(call("PUT", "/v1/ns/nope/keys/k", "text/plain", "v".getBytes()), 404, "NAMESPACE_NOT_FOUND");
    assertError(call("PUT", "/v1/ns/t/keys/k?ifRevision=-4", "text/plain", "v".getBytes()), 400, "BAD_REQUEST");
    assertError(call("PUT", "/v1/ns/t/keys/k?ifRevision=abc", "text/plain", "v".getBytes()), 400, "BAD_REQUEST");
    assertThat(c.status().path("revision").asLong()).isEqualTo(before);

    assertError(call("GET", "/v1/ns/t/keys/k?revision=0"), 400, "BAD_REQUEST");
    assertError(call("GET", "/v1/ns/t/keys/k?revision=999999"), 400, "FUTURE_REVISION");
    assertError(call("GET", "/v1/ns/t/history/k?limit=x"), 400, "BAD_REQUEST");
    assertError(call("POST", "/v1/ns/t/query", "application/json", "{\"limit\":".getBytes()), 400, "INVALID_JSON");
    assertError(call("POST", "/v1/ns/t/query", "application/json", "{\"cursor\":\"garbage!\"}".getBytes()), 400, "INVALID_CURSOR");
    assertError(call("POST", "/v1/ns/t/query", "application/json", "{\"where\":[{\"matches\":\"(unclosed\"}]}".getBytes()), 400, "INVALID_QUERY");
    assertError(call("POST", "/v1/ns/t/query", "application/json", "{\"where\":[{\"matches\":\"(?<=x)y\"}]}".getBytes()), 400, "INVALID_QUERY");
    assertError(call("POST", "/v1/ns/t/query", "application/json", "{\"limit\":100000}".getBytes()), 400, "INVALID_QUERY");
    assertError(call("POST", "/v1/ns/t/query", "text/csv", "a,b".getBytes()), 415, "UNSUPPORTED_MEDIA_TYPE");
    assertError(call("POST", "/v1/ns/nope/query", "application/json", "{}".getBytes()), 404, "NAMESPACE_NOT_FOUND");
    assertError(call("GET", "/v1/nothing-here"), 404, "NOT_FOUND");
    assertError(call("PATCH", "/v1/namespaces/t"), 405, "METHOD_NOT_ALLOWED");

    // a pathological pattern on a large value is answered (RE2J is linear), not hung
    c.put("t", "long".getBytes(), ("a".repeat(200_000) + "!").getBytes(), AionClient.TEXT);
    Resp evil = call("POST", "/v1/ns/t/query", "application/json", "{\"prefix\":\"long\",\"where\":[{\"matches\":\"(a+)+$\"}]}".getBytes());
    assertThat(evil.status()).isEqualTo(200);
    assertThat(evil.json().path("count").asInt()).isZero();
    Optional<KeyValue> stillThere = c.get("t", "long");
    assertThat(stillThere).isPresent();
    assertThat(new String(stillThere.get().value(), StandardCharsets.UTF_8)).endsWith("!");
  }

  /** The value of one series on /metrics (0 when absent). */
  private static double metric(String series) throws Exception {
    for (String line : call("GET", "/metrics").body().split("\n")) {
      if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1));
    }
    return 0;
  }

  @Test
  void aRequestIsInFlightUntilItIsAnswered() throws Exception {
    c.createNamespace("inflight");
    long rev = c.put("inflight", "a", "1").revision();
    double before = metric("aion_http_requests_in_flight"); // the scrape itself is one
    assertThat(before).isGreaterThanOrEqualTo(1);
    // a read that waits for a revision not written yet stays in flight
    var waiting = http.sendAsync(HttpRequest.newBuilder(URI.create(s.url + "/v1/ns/inflight/keys/a?consistency=stale&minRevision="
        + (rev + 1))).build(), HttpResponse.BodyHandlers.ofString());
    org.awaitility.Awaitility.await("the waiting read counted").atMost(java.time.Duration.ofSeconds(10))
        .until(() -> metric("aion_http_requests_in_flight") == before + 1);
    assertThat(waiting).isNotDone();
    c.put("inflight", "b", "2");
    assertThat(waiting.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    org.awaitility.Awaitility.await("the answered read no longer counted").atMost(java.time.Duration.ofSeconds(10))
        .until(() -> metric("aion_http_requests_in_flight") == before);
  }

  @Test
  void transactionsByBranchAndIndexBuildsShowInTheMetrics() throws Exception {
    c.createNamespace("txm");
    double success = metric("aion_transactions_total{branch=\"success\"}");
    double failure = metric("aion_transactions_total{branch=\"failure\"}");
    String once = "{\"namespace\": \"txm\", \"compare\": [{\"key\": \"a\", \"exists\": false}],"
        + " \"success\": [{\"op\": \"put\", \"key\": \"a\", \"text\": \"1\"}]}";
    assertThat(call("POST", "/v1/txn", "application/json", once.getBytes(StandardCharsets.UTF_8)).json()
        .path("succeeded").asBoolean()).isTrue();
    assertThat(call("POST", "/v1/txn", "application/json", once.getBytes(StandardCharsets.UTF_8)).json()
        .path("succeeded").asBoolean()).as("the compare no longer holds").isFalse();
    assertThat(metric("aion_transactions_total{branch=\"success\"}") - success).isEqualTo(1);
    assertThat(metric("aion_transactions_total{branch=\"failure\"}") - failure).isEqualTo(1);

    c.createNamespace("idxm");
    for (int i = 0; i < 30; i++) {
      c.put("idxm", ("p" + i).getBytes(StandardCharsets.UTF_8), ("{\"age\": " + i + "}").getBytes(StandardCharsets.UTF_8),
          "application/json");
    }
    double ready = metric("aion_indexes{state=\"ready\"}");
    double backfilled = metric("aion_index_backfilled_keys_total");
    assertThat(call("PUT", "/v1/namespaces/idxm/indexes/by-age", "application/json",
        "{\"field\":\"$.age\",\"type\":\"number\"}".getBytes(StandardCharsets.UTF_8)).status()).isIn(200, 201);
    org.awaitility.Awaitility.await("the index is ready").atMost(java.time.Duration.ofSeconds(30))
        .until(() -> call("GET", "/v1/namespaces/idxm/indexes/by-age").body().contains("\"ready\""));
    assertThat(metric("aion_indexes{state=\"ready\"}") - ready).isEqualTo(1);
    assertThat(metric("aion_index_backfilled_keys_total") - backfilled).isEqualTo(30);
  }

  @Test
  void transactionsAndTheirBadInput() throws Exception {
    c.createNamespace("tx");
    String ok = """
        {"namespace": "tx", "compare": [{"key": "a", "exists": false}],
         "success": [{"op": "put", "key": "a", "text": "1"}, {"op": "put", "key": "b", "valueBase64": "AAE="},
                     {"op": "get", "key": "a"}],
         "failure": [{"op": "get", "key": "a"}]}""";
    Resp first = call("POST", "/v1/txn", "application/json", ok.getBytes(StandardCharsets.UTF_8));
    assertThat(first.status()).isEqualTo(200);
    JsonNode j = first.json();
    assertThat(j.get("succeeded").asBoolean()).isTrue();
    assertThat(j.at("/results/2/value").asText()).isEqualTo("1");
    long rev = j.get("revision").asLong();
    assertThat(j.at("/results/0/revision").asLong()).isEqualTo(rev);
    assertThat(j.at("/results/1/revision").asLong()).isEqualTo(rev);
    assertThat(c.get("tx", new byte[] {'b'}, 0).orElseThrow().value()).containsExactly(0, 1);

    Resp second = call("POST", "/v1/txn", "application/json", ok.getBytes(StandardCharsets.UTF_8));
    assertThat(second.json().get("succeeded").asBoolean()).isFalse();
    assertThat(second.json().get("revision").asLong()).isEqualTo(rev);

    String[][] bad = {
        {"{\"success\": [{\"op\": \"put\", \"key\": \"a\", \"text\": \"x\"}]}", "BAD_REQUEST"},
        {"{\"namespace\": \"tx\", \"success\": [{\"op\": \"upsert\", \"key\": \"a\"}]}", "BAD_REQUEST"},
        {"{\"namespace\": \"tx\", \"success\": [{\"op\": \"put\", \"key\": \"a\", \"text\": \"x\"},"
            + " {\"op\": \"delete\", \"key\": \"a\"}]}", "BAD_REQUEST"},
        {"{\"namespace\": \"tx\", \"compare\": [{\"key\": \"a\", \"target\": \"version\", \"value\": -1}]}", "BAD_REQUEST"},
        {"{\"namespace\": \"tx\", \"compare\": [{\"key\": \"a\", \"target\": \"colour\"}]}", "BAD_REQUEST"},
        {"{\"namespace\": \"tx\", \"success\": [{\"op\": \"range\", \"limit\": 5000}]}", "BAD_REQUEST"},
        {"{\"namespace\": \"tx\", \"success\": [{\"op\": \"put\", \"key\": \"\", \"text\": \"x\"}]}", "INVALID_KEY"},
        {"{\"namespace\": \"tx\", \"extra\": 1}", "BAD_REQUEST"},
        {"[1, 2]", "BAD_REQUEST"},
        {"{\"namespace\": ", "INVALID_JSON"},
        {"{\"namespace\": \"tx\", \"success\": [{\"op\": \"put\", \"key\": \"a\", \"text\": \"x\"},"
            + " {\"op\": \"put\", \"namespace\": \"nope\", \"key\": \"z\", \"text\": \"x\"}]}", "NAMESPACE_NOT_FOUND"},
    };
    for (String[] b : bad) {
      Resp r = call("POST", "/v1/txn", "application/json", b[0].getBytes(StandardCharsets.UTF_8));
      assertThat(r.json().path("code").asText()).as(b[0] + " -> " + r.body()).isEqualTo(b[1]);
      assertThat(r.json().path("message").asText()).isNotBlank();
    }
    assertThat(call("POST", "/v1/txn", "text/plain", "{}".getBytes()).status()).isEqualTo(415);
    // nothing of the refused transactions was written
    assertThat(c.get("tx", "a").orElseThrow().text()).isEqualTo("1");
    assertThat(c.status().path("revision").asLong(rev)).isGreaterThanOrEqualTo(rev);
    Resp after = call("POST", "/v1/txn", "application/json",
        "{\"namespace\": \"tx\", \"success\": [{\"op\": \"range\", \"prefix\": \"\"}]}".getBytes());
    assertThat(after.json().get("revision").asLong()).isEqualTo(rev);
    assertThat(after.json().at("/results/0/items")).hasSize(2);
  }

  @Test
  void indexesAndTheirBadInput() throws Exception {
    c.createNamespace("ix");
    c.put("ix", "a".getBytes(), "{\"email\":\"a@x\",\"age\":3}".getBytes(), AionClient.JSON, -1);
    Resp created = call("PUT", "/v1/namespaces/ix/indexes/email", "application/json",
        "{\"field\":\"$.email\",\"type\":\"string\",\"unique\":true}".getBytes());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
        call("GET", "/v1/namespaces/ix/indexes/email").json().path("state").asText().equals("ready"));
    assertThat(call("PUT", "/v1/namespaces/ix/indexes/email", "application/json",
        "{\"field\":\"$.email\",\"type\":\"string\",\"unique\":true}".getBytes()).status()).isEqualTo(200);
    String[][] bad = {
        {"{\"field\":\"$.email\",\"type\":\"number\"}", "INDEX_EXISTS"},
        {"{\"field\":\"email\",\"type\":\"string\"}", "INVALID_QUERY"},
        {"{\"field\":\"$.x\",\"type\":\"date\"}", "BAD_REQUEST"},
        {"{\"field\":\"$.x\",\"type\":\"string\",\"unique\":\"yes\"}", "BAD_REQUEST"},
        {"{\"field\":\"$.x\",\"type\":\"string\",\"colour\":1}", "BAD_REQUEST"},
        {"[]", "BAD_REQUEST"},
        {"{", "INVALID_JSON"},
    };
    for (String[] b : bad) {
      Resp r = call("PUT", "/v1/namespaces/ix/indexes/email", "application/json", b[0].getBytes());
      assertThat(r.json().path("code").asText()).as(b[0] + " -> " + r.body()).isEqualTo(b[1]);
    }
    assertThat(call("PUT", "/v1/namespaces/ix/indexes/Bad%20Name", "application/json",
        "{\"field\":\"$.x\",\"type\":\"string\"}".getBytes()).json().path("code").asText()).isEqualTo("BAD_REQUEST");
    assertThat(call("PUT", "/v1/namespaces/nope/indexes/x", "application/json",
        "{\"field\":\"$.x\",\"type\":\"string\"}".getBytes()).status()).isEqualTo(404);
    // a duplicate value is refused and writes nothing
    Resp dup = call("PUT", "/v1/ns/ix/keys/b", "application/json", "{\"email\":\"a@x\"}".getBytes());
    assertThat(dup.status()).isEqualTo(409);
    assertThat(dup.json().get("code").asText()).isEqualTo("UNIQUE_VIOLATION");
    assertThat(c.get("ix", "b")).isEmpty();
    assertThat(call("GET", "/v1/namespaces/ix/indexes").json().get("indexes")).hasSize(1);
    assertThat(call("DELETE", "/v1/namespaces/ix/indexes/email").status()).isEqualTo(200);
    assertThat(call("DELETE", "/v1/namespaces/ix/indexes/email").json().get("code").asText()).isEqualTo("INDEX_NOT_FOUND");
    assertThat(call("GET", "/v1/namespaces/ix/indexes/email").status()).isEqualTo(404);
    assertThat(call("PUT", "/v1/ns/ix/keys/b", "application/json", "{\"email\":\"a@x\"}".getBytes()).status()).isEqualTo(200);
  }

  /**
   * Found by ApiSchemaFuzzIT: adding a learner nobody answers at kept the request (and a worker thread) waiting while
   * the Ratis client retried for ~15 minutes. Now it is one attempt: 503 with the membership unchanged.
   */
  @Test
  void addingAnUnreachableLearnerAnswersAtOnceAndChangesNothing() throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(s.url + "/v1/cluster/learners")).timeout(java.time.Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"nobody\",\"raftAddress\":\"127.0.0.1:9\"}")).build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(M.readTree(r.body()).path("code").asText()).isEqualTo("UNAVAILABLE");
    assertThat(call("GET", "/v1/cluster/members", null, null).json().path("members").findValuesAsText("id")).containsExactly("aion-1");
    assertThat(call("PUT", "/v1/ns/t/keys/after-learner", "text/plain", "ok".getBytes()).status()).isEqualTo(200);
  }
}
