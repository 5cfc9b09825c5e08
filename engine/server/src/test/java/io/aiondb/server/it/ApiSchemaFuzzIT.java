package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * API schema fuzzing (docs/api.md "API schema fuzzing"): schemathesis (installed by
 * {@code src/test/schemathesis/install.sh}) generates requests from the node's own {@code /v1/openapi.json} and
 * sends them to the packaged server, started as its own process with a few namespaces, keys and indexes for the
 * requests to reach. It fails on any 5xx, any status, Content-Type, header or body the document does not describe,
 * with schemathesis' report (each finding with a curl command that reproduces it). Afterwards the node must still
 * answer /health and serve a write and a read.
 *
 * <p>{@code -Daion.apiFuzz.maxExamples=N} (default 30 per operation) and {@code -Daion.apiFuzz.seed=S} (default
 * fixed, so CI runs the same cases) change the run; {@code bin/api-fuzz} runs it longer with a random seed.
 */
class ApiSchemaFuzzIT {
  private static final List<String> CHECKS = List.of("not_a_server_error", "status_code_conformance",
      "content_type_conformance", "response_headers_conformance", "response_schema_conformance");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void everyAnswerMatchesTheDocumentAndTheNodeStaysHealthy() throws Exception {
    int maxExamples = Integer.getInteger("aion.apiFuzz.maxExamples", 30);
    long seed = Long.getLong("aion.apiFuzz.seed", 20261206L);
    Path work = Path.of("target/api-fuzz").toAbsolutePath();
    deleteRecursively(work);
    Files.createDirectories(work);
    String schemathesis = install(work);
    try (ServerProcess node = new ServerProcess(work.resolve("data"), "--storage.sync=false", "--request.timeout=5s").awaitReady(Duration.ofSeconds(60))) {
      String url = node.url();
      seed(url);
      Path report = work.resolve("schemathesis.txt");
      List<String> cmd = new ArrayList<>(List.of(schemathesis,
          "--config-file", Path.of("src/test/schemathesis/schemathesis.toml").toAbsolutePath().toString(),
          "run", url + "/v1/openapi.json",
          "--checks", String.join(",", CHECKS),
          "--max-examples", Integer.toString(maxExamples),
          "--seed", Long.toString(seed),
          "--generation-database", "none",
          "--workers", "1",
          "--no-color",
          "--report", "junit,ndjson", "--report-dir", work.resolve("report").toString()));
      long start = System.nanoTime();
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
          .redirectOutput(report.toFile());
      pb.environment().put("SCHEMATHESIS_HOOKS", Path.of("src/test/schemathesis/hooks.py").toAbsolutePath().toString());
      Process p = pb.start();
      if (!p.waitFor(30, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("schemathesis did not finish within 30 minutes; its output so far:\n" + Files.readString(report));
      }
      String out = Files.readString(report);
      System.out.printf("schemathesis (seed %d, %d examples per operation) ran %d s and exited %d:%n%s%n", seed,
          maxExamples, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), p.exitValue(), out);
      assertThat(p.exitValue())
          .as("schemathesis found responses the document does not allow (a 5xx, an undocumented status, Content-Type,"
              + " header or body); its report (also in %s):%n%s%nserver errors logged:%n%s", report, out, serverErrors(node))
          .isZero();
      assertStillServes(url);
    }
  }

  /** Runs the project's installer; its last line is the schemathesis executable. */
  private static String install(Path work) throws Exception {
    Path log = work.resolve("install.txt");
    Process p = new ProcessBuilder("bash", Path.of("src/test/schemathesis/install.sh").toAbsolutePath().toString())
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new AssertionError("installing schemathesis failed:\n" + Files.readString(log));
    }
    return out.lines().reduce((a, b) -> b).orElseThrow();
  }

  /** The namespaces, keys, history and indexes the fuzzer's dictionaries (schemathesis.toml) name. */
  private void seed(String url) throws Exception {
    org.awaitility.Awaitility.await("the node to accept writes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> send("GET", url + "/ready", null, null).statusCode() == 200);
    // "0" is the namespace and key schemathesis' coverage phase names (the smallest value of their patterns): with
    // it present, that phase's bodies reach the query, transaction and value parsers instead of a 404.
    for (String ns : List.of("users", "orders", "0")) expect(201, send("PUT", url + "/v1/namespaces/" + ns, null, null));
    expect(200, send("PUT", url + "/v1/ns/0/keys/0", "application/json", "{\"age\":1,\"city\":\"Rome\"}"));
    expect(201, send("PUT", url + "/v1/namespaces/0/indexes/0", "application/json", "{\"field\":\"$.age\",\"type\":\"number\"}"));
    String json = "application/json";
    for (int age = 30; age <= 32; age++) { // three versions: history to page through
      expect(200, send("PUT", url + "/v1/ns/users/keys/alice", json, "{\"age\":" + age + ",\"city\":\"Oslo\",\"tags\":[\"a\",\"b\"]}"));
    }
    expect(200, send("PUT", url + "/v1/ns/users/keys/bob", json, "{\"age\":41.5,\"city\":\"Lima\",\"address\":{\"zip\":\"15001\"}}"));
    expect(200, send("PUT", url + "/v1/ns/users/keys/carol", json, "{\"age\":\"unknown\",\"city\":null}"));
    expect(200, send("PUT", url + "/v1/ns/users/keys/dir%2Fsub%2Fkey", json, "[1,2,3]"));
    expect(200, send("PUT", url + "/v1/ns/users/keys/text", "text/plain", "plain text"));
    expect(200, send("PUT", url + "/v1/ns/orders/keys/blob", "application/octet-stream", "\u0000\u0001binary"));
    expect(200, send("DELETE", url + "/v1/ns/orders/keys/blob", null, null));
    expect(200, send("PUT", url + "/v1/ns/orders/keys/alice", json, "{\"age\":7}"));
    expect(201, send("PUT", url + "/v1/namespaces/users/indexes/by-age", json, "{\"field\":\"$.age\",\"type\":\"number\"}"));
    expect(201, send("PUT", url + "/v1/namespaces/users/indexes/by-city", json, "{\"field\":\"$.city\",\"type\":\"string\"}"));
  }

  /** The node still answers: liveness, a write and a read of it, and no member the fuzzer added leaves loopback. */
  private void assertStillServes(String url) throws Exception {
    expect(200, send("GET", url + "/health", null, null));
    send("PUT", url + "/v1/namespaces/after-fuzz", null, null);
    expect(200, send("PUT", url + "/v1/ns/after-fuzz/keys/k", "text/plain", "still here"));
    HttpResponse<String> r = send("GET", url + "/v1/ns/after-fuzz/keys/k", null, null);
    expect(200, r);
    assertThat(r.body()).isEqualTo("still here");
    JsonNode members = JSON.readTree(expect(200, send("GET", url + "/v1/cluster/members", null, null)).body()).path("members");
    for (JsonNode m : members) {
      assertThat(m.path("raftAddress").asText()).as("member %s", m).matches("127\\.[0-9]+\\.[0-9]+\\.[0-9]+:[0-9]+");
    }
  }

  private HttpResponse<String> send(String method, String url, String contentType, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) b.header("Content-Type", contentType);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> expect(int status, HttpResponse<String> r) {
    assertThat(r.statusCode()).as("%s %s: %s", r.request().method(), r.uri(), r.body()).isEqualTo(status);
    return r;
  }

  private static String serverErrors(ServerProcess node) throws IOException {
    return node.log().lines().filter(l -> l.contains("ERROR") || l.contains("Exception")).limit(200).collect(Collectors.joining("\n"));
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
