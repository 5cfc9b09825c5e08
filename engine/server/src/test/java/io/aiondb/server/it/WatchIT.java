package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.client.AionClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Watches over HTTP against a real server: order, resume without loss or repeats, SSE, errors. */
class WatchIT {
  private static final ObjectMapper M = new ObjectMapper();
  @TempDir static Path dir;
  static TestServer s;
  static AionClient c;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    s = new TestServer(dir.resolve("data"), "--history.keep-versions=2", "--history.compaction-interval=1h");
    c = s.client;
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  /** An open stream; lines arrive as the server sends them. */
  record Stream(HttpResponse<java.io.InputStream> resp, BufferedReader in) implements AutoCloseable {
    String line() throws Exception {
      CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> {
        try {
          return in.readLine();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      return f.get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
      resp.body().close();
    }
  }

  static Stream open(String query, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url + query));
    headers.forEach(b::header);
    HttpResponse<java.io.InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    return new Stream(r, new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8)));
  }

  /** Reads ndjson messages until one with revision >= {@code until} carrying events (progress lines are skipped). */
  static List<String> readUntil(Stream st, long until) throws Exception {
    List<String> out = new ArrayList<>();
    while (true) {
      JsonNode n = M.readTree(st.line());
      assertThat(n.has("error")).as(n.toString()).isFalse();
      long rev = n.get("revision").asLong();
      for (JsonNode e : n.path("events")) {
        out.add(rev + ":" + e.get("type").asText() + ":" + e.get("key").asText() + "=" + e.path("value").asText(""));
      }
      if (rev >= until && !n.has("progress")) return out;
    }
  }

  @Test
  void resumeAfterDisconnectMissesNothingAndRepeatsNothing() throws Exception {
    c.createNamespace("w1");
    long first = c.put("w1", "job/1", "a").revision();
    c.put("w1", "other", "x");
    List<String> seen = new ArrayList<>();
    long last;
    try (Stream st = open("/v1/ns/w1/watch?prefix=job/&format=ndjson&fromRevision=" + first, Map.of())) {
      assertThat(st.resp().statusCode()).isEqualTo(200);
      assertThat(st.resp().headers().firstValue("Content-Type").orElse("")).startsWith("application/x-ndjson");
      long r2 = c.put("w1", "job/2", "b").revision();
      long r3 = c.delete("w1", "job/1").revision();
      seen.addAll(readUntil(st, r3));
      last = r3;
      assertThat(r2).isLessThan(r3);
    }
    // writes while nobody watches, then resume from the revision after the last one received
    long r4 = c.put("w1", "job/3", "c").revision();
    long r5 = c.put("w1", "job/2", "b2").revision();
    try (Stream st = open("/v1/ns/w1/watch?prefix=job/&format=ndjson&fromRevision=" + (last + 1), Map.of())) {
      long r6 = c.put("w1", "job/4", "d").revision();
      seen.addAll(readUntil(st, r6));
      assertThat(r4).isLessThan(r5);
    }
    JsonNode history = M.readTree(http.send(HttpRequest.newBuilder(URI.create(s.url + "/v1/ns/w1/query"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"prefix\": \"job/\"}")).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString()).body());
    assertThat(history.get("count").asInt()).isEqualTo(3);
    assertThat(seen).extracting(x -> x.substring(x.indexOf(':') + 1)).containsExactly(
        "put:job/1=a", "put:job/2=b", "delete:job/1=", "put:job/3=c", "put:job/2=b2", "put:job/4=d");
    List<Long> revs = seen.stream().map(x -> Long.parseLong(x.substring(0, x.indexOf(':')))).toList();
    assertThat(revs).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void serverSentEventsResumeWithLastEventId() throws Exception {
    c.createNamespace("w2");
    long r1 = c.put("w2", "k", "1").revision();
    String lastId;
    try (Stream st = open("/v1/ns/w2/watch?key=k&fromRevision=" + r1, Map.of())) {
      assertThat(st.resp().headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
      assertThat(st.line()).isEqualTo("id: " + r1);
      assertThat(st.line()).isEqualTo("event: change");
      assertThat(M.readTree(st.line().substring("data: ".length())).at("/events/0/value").asText()).isEqualTo("1");
      assertThat(st.line()).isEmpty();
      assertThat(st.line()).isEqualTo("id: " + r1); // caught up: a progress mark
      assertThat(st.line()).isEqualTo("event: progress");
      lastId = Long.toString(r1);
    }
    long r2 = c.put("w2", "k", "2").revision();
    try (Stream st = open("/v1/ns/w2/watch?key=k", Map.of("Last-Event-ID", lastId))) {
      assertThat(st.line()).isEqualTo("id: " + r2);
      assertThat(st.line()).isEqualTo("event: change");
      assertThat(M.readTree(st.line().substring("data: ".length())).at("/events/0/value").asText()).isEqualTo("2");
    }
  }

  @Test
  void errorsAnswerBeforeTheStream() throws Exception {
    c.createNamespace("w3");
    for (int i = 0; i < 5; i++) c.put("w3", "k", "v" + i);
    c.compact(); // keep-versions=2: the first three versions go
    String[][] cases = {
        {"/v1/ns/w3/watch?key=k&fromRevision=1", "410", "HISTORY_COMPACTED"},
        {"/v1/ns/nope/watch?key=k", "404", "NAMESPACE_NOT_FOUND"},
        {"/v1/ns/w3/watch", "400", "BAD_REQUEST"},
        {"/v1/ns/w3/watch?key=k&prefix=p", "400", "BAD_REQUEST"},
        {"/v1/ns/w3/watch?key=k&fromRevision=-3", "400", "BAD_REQUEST"},
        {"/v1/ns/w3/watch?key=k&format=xml", "400", "BAD_REQUEST"},
        {"/v1/ns/w3/watch?keyBase64=***", "400", "BAD_REQUEST"},
    };
    for (String[] x : cases) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.url + x[0])).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(x[0] + " " + r.body()).isEqualTo(Integer.parseInt(x[1]));
      assertThat(M.readTree(r.body()).get("code").asText()).isEqualTo(x[2]);
    }
    assertThat(c.get("w3", "k").orElseThrow().text()).isEqualTo("v4"); // still serving
  }
}
