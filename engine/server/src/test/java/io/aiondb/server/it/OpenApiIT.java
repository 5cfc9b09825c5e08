package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.Node;
import io.aiondb.server.api.HttpApi;
import io.aiondb.server.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document describes exactly the routes the router serves (same paths, same methods) and every error
 * code the server can answer with. ApiSchemaFuzzIT checks the answers themselves against it.
 */
class OpenApiIT {
  @Test
  void errorSchemaListsEveryErrorCode() throws Exception {
    JsonNode doc = new ObjectMapper().readTree(getClass().getResourceAsStream("/openapi.json"));
    Set<String> documented = new TreeSet<>();
    doc.at("/components/schemas/Error/properties/code/enum").forEach(c -> documented.add(c.asText()));
    Set<String> codes = new TreeSet<>();
    for (ErrorCode c : ErrorCode.values()) codes.add(c.name());
    assertThat(documented).isEqualTo(codes);
  }

  @Test
  void noOperationDocumentsAServerErrorOrACatchAll() throws Exception {
    JsonNode doc = new ObjectMapper().readTree(getClass().getResourceAsStream("/openapi.json"));
    Set<String> wrong = new TreeSet<>();
    doc.path("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(op -> {
      if (op.getKey().equals("parameters")) return;
      op.getValue().path("responses").fieldNames().forEachRemaining(status -> {
        if (status.equals("default") || status.startsWith("5") && !status.equals("503") && !status.equals("504")) {
          wrong.add(op.getKey().toUpperCase() + " " + p.getKey() + " " + status);
        }
      });
    }));
    assertThat(wrong).as("a catch-all or 500 response would let the schema fuzzer accept any error").isEmpty();
  }

  @Test
  void documentMatchesRoutes(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (Node node = new Node(ConfigLoader.load(new String[] {"--data.dir=" + dir, "--raft.port=0"}, Map.of(), null), Clock.systemUTC())) {
      HttpApi api = new HttpApi(vertx, node);
      Set<String> served = new TreeSet<>();
      for (Route r : api.router().getRoutes()) {
        if (r.getPath() == null || r.methods() == null) continue; // the catch-all metrics and body handlers
        String path = r.getPath().replaceAll(":(\\w+)", "{$1}");
        if (path.endsWith("/")) path = path + "{key}"; // Vert.x stores "/keys/*" as the prefix "/keys/"
        for (var m : r.methods()) served.add(m.name() + " " + path);
      }
      JsonNode doc = new ObjectMapper().readTree(getClass().getResourceAsStream("/openapi.json"));
      Set<String> documented = new TreeSet<>();
      doc.path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
        if (!m.equals("parameters")) documented.add(m.toUpperCase() + " " + p.getKey());
      }));
      assertThat(served).isNotEmpty();
      assertThat(documented).isEqualTo(served);
    } finally {
      vertx.close();
    }
  }
}
