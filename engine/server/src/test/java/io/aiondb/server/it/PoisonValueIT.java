package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.client.Aion;
import io.aiondb.client.AionException;
import io.aiondb.client.ValueType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's poison value against a real server, as it was found: with a number index on {@code $.age}, {@code PUT
 * {"age":1e999}} was committed and then threw inside apply; queries on the namespace answered 500. Now every way of
 * sending it (HTTP put, transaction, query operand, binary protocol) is refused with 400 before it is proposed,
 * nothing is written, and the index and queries keep working.
 */
class PoisonValueIT {
  private static final ObjectMapper M = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path dir;

  private static HttpResponse<String> send(String url, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void refused(HttpResponse<String> r, int status, String code) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(M.readTree(r.body()).path("code").asText()).isEqualTo(code);
  }

  @Test
  void aNonFiniteNumberIsRefusedEverywhereAndTheIndexAndQueriesKeepWorking() throws Exception {
    try (TestServer s = new TestServer(dir.resolve("data"))) {
      String u = s.url;
      assertThat(send(u, "PUT", "/v1/namespaces/p", null).statusCode()).isEqualTo(201);
      assertThat(send(u, "PUT", "/v1/ns/p/keys/ok", "{\"age\":30}").statusCode()).isEqualTo(200);
      assertThat(send(u, "PUT", "/v1/namespaces/p/indexes/by-age", "{\"field\":\"$.age\",\"type\":\"number\"}")
          .statusCode()).isIn(200, 201);
      long revision = M.readTree(send(u, "GET", "/v1/status", null).body()).path("revision").asLong();

      HttpResponse<String> put = send(u, "PUT", "/v1/ns/p/keys/bad", "{\"age\":1e999}");
      refused(put, 400, "INVALID_JSON");
      assertThat(put.body()).contains("/age");
      refused(send(u, "PUT", "/v1/ns/p/keys/deep", "[".repeat(101) + "]".repeat(101)), 400, "INVALID_JSON");
      // trailing content and blank bodies (found by the value-index fuzz target: HTTP accepted what the protocol refused)
      for (String body : new String[] {"{} x", "1 2", "[1]]", "   "}) {
        refused(send(u, "PUT", "/v1/ns/p/keys/trailing", body), 400, "INVALID_JSON");
      }
      refused(send(u, "POST", "/v1/txn", "{\"namespace\":\"p\",\"success\":[{\"op\":\"put\",\"key\":\"bad\","
          + "\"value\":{\"age\":-1e999}}]}"), 400, "INVALID_JSON");
      refused(send(u, "POST", "/v1/ns/p/query", "{\"where\":[{\"field\":\"$.age\",\"op\":\"gt\",\"value\":1e999}]}"),
          400, "INVALID_QUERY");
      try (Aion db = Aion.builder().seeds(s.protocolAddress).requestTimeout(Duration.ofSeconds(10)).connect()) {
        assertThatThrownBy(() -> db.put("p", "bad".getBytes(StandardCharsets.UTF_8),
            "{\"age\":1e999}".getBytes(StandardCharsets.UTF_8), ValueType.JSON, -1))
            .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.code()).isEqualTo("INVALID_JSON"));
      }

      assertThat(M.readTree(send(u, "GET", "/v1/status", null).body()).path("revision").asLong())
          .as("nothing was written").isEqualTo(revision);
      assertThat(send(u, "GET", "/v1/ns/p/keys/bad", null).statusCode()).isEqualTo(404);
      JsonNode q = M.readTree(send(u, "POST", "/v1/ns/p/query",
          "{\"where\":[{\"field\":\"$.age\",\"op\":\"gt\",\"value\":1}]}").body());
      assertThat(q.path("count").asInt()).as(q.toString()).isEqualTo(1);
      assertThat(send(u, "PUT", "/v1/ns/p/keys/after", "{\"age\":1e308}").statusCode()).isEqualTo(200);
    }
  }
}
