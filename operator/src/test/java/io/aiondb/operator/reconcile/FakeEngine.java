package io.aiondb.operator.reconcile;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for the engine's cluster API: {@code /{namespace}/{name}/v1/cluster/members} answers what a test put
 * in {@link #ANSWERS}; clusters without an answer get 503 like an engine without a leader would.
 */
public class FakeEngine implements QuarkusTestResourceLifecycleManager {
  public static final Map<String, String> ANSWERS = new ConcurrentHashMap<>();
  private HttpServer server;

  @Override
  public Map<String, String> start() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      String key = path.replaceFirst("/v1/cluster/members$", "").replaceFirst("^/", "");
      String answer = ANSWERS.get(key);
      byte[] body = (answer != null ? answer : "{\"code\":\"UNAVAILABLE\",\"message\":\"fake engine has no answer for " + key + "\"}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(answer != null ? 200 : 503, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    return Map.of("aion.operator.engine-url-template",
        "http://127.0.0.1:" + server.getAddress().getPort() + "/{namespace}/{name}");
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }
}
