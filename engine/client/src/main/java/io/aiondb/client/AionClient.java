package io.aiondb.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A client for Aion's HTTP API, on the JDK's {@link HttpClient} (no Netty, no Vert.x). Thread-safe; share one.
 * Blocking methods wrap the async ones. Errors surface as {@link AionClientException} with the server's code.
 * Leader discovery, retries and the binary protocol arrive with replication and the native protocol.
 */
public final class AionClient implements AutoCloseable {
  public static final String JSON = "application/json";
  public static final String BINARY = "application/octet-stream";
  public static final String TEXT = "text/plain";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final URI base;
  private final HttpClient http;
  private final Duration timeout;
  private final String token;

  private AionClient(URI base, Duration timeout, javax.net.ssl.SSLContext tls) {
    this.base = base;
    this.timeout = timeout;
    this.token = null;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1);
    if (tls != null) b.sslContext(tls);
    this.http = b.build();
  }

  private AionClient(AionClient from, String token) {
    this.base = from.base;
    this.timeout = from.timeout;
    this.http = from.http;
    this.token = token;
  }

  /**
   * This client sending {@code Authorization: Bearer <token>} with every request (a cluster with {@code auth.enabled};
   * {@link #login} gets one). The two share their HTTP connections; closing either closes both.
   */
  public AionClient withToken(String bearerToken) {
    if (bearerToken == null || bearerToken.isEmpty() || bearerToken.length() > 4096 || bearerToken.contains("\n")) {
      throw new IllegalArgumentException("a token has 1 to 4096 characters and no line break");
    }
    return new AionClient(this, bearerToken);
  }

  /** {@code POST /v1/auth/login}: the token for this user and password (docs/security.md). */
  public String login(String user, String password) {
    com.fasterxml.jackson.databind.node.ObjectNode body = MAPPER.createObjectNode().put("user", user).put("password", password);
    return json(send(req("/v1/auth/login").header("Content-Type", JSON)
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())))).path("token").asText();
  }

  /** @param baseUrl e.g. {@code http://127.0.0.1:7070} */
  public static AionClient connect(String baseUrl) {
    return connect(baseUrl, Duration.ofSeconds(60));
  }

  /** @param requestTimeout how long one request may take before it fails (its outcome is then unknown) */
  public static AionClient connect(String baseUrl, Duration requestTimeout) {
    return connect(baseUrl, requestTimeout, null);
  }

  /** @param tls for an {@code https://} URL: trust (and client certificate) from {@link ClientTls#fromPem}, or null */
  public static AionClient connect(String baseUrl, Duration requestTimeout, javax.net.ssl.SSLContext tls) {
    return new AionClient(URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl),
        requestTimeout, tls);
  }

  public URI baseUri() {
    return base;
  }

  /** Percent-encodes a key for a URL path: every byte outside A-Z a-z 0-9 - . _ ~ becomes %XX. */
  public static String encodeKey(byte[] key) {
    StringBuilder sb = new StringBuilder(key.length * 3);
    for (byte b : key) {
      int c = b & 0xFF;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ namespaces

  public boolean createNamespace(String ns) {
    return json(send(req("/v1/namespaces/" + ns).PUT(HttpRequest.BodyPublishers.noBody()))).path("created").asBoolean();
  }

  public void dropNamespace(String ns) {
    json(send(req("/v1/namespaces/" + ns + "?confirm=true").DELETE()));
  }

  public JsonNode listNamespaces() {
    return json(send(req("/v1/namespaces").GET()));
  }

  // ------------------------------------------------------------------ keys

  public WriteResult put(String ns, String key, String value) {
    return put(ns, utf8(key), utf8(value), TEXT, -1);
  }

  public WriteResult put(String ns, byte[] key, byte[] value, String contentType) {
    return put(ns, key, value, contentType, -1);
  }

  /** @param ifRevision -1 unconditional, 0 only if absent, N only if the key's mod revision is N */
  public WriteResult put(String ns, byte[] key, byte[] value, String contentType, long ifRevision) {
    return join(putAsync(ns, key, value, contentType, ifRevision));
  }

  public CompletableFuture<WriteResult> putAsync(String ns, byte[] key, byte[] value, String contentType, long ifRevision) {
    String q = ifRevision >= 0 ? "?ifRevision=" + ifRevision : "";
    HttpRequest r = req(keyPath(ns, key) + q).header("Content-Type", contentType)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build();
    return sendAsync(r).thenApply(resp -> {
      JsonNode n = json(resp);
      return new WriteResult(true, n.path("revision").asLong(), n.path("createRevision").asLong(),
          n.path("version").asLong(), n.path("timestamp").asText());
    });
  }

  public Optional<KeyValue> get(String ns, String key) {
    return get(ns, utf8(key), 0);
  }

  /** @param revision 0 for the current value, else the value visible at that revision */
  public Optional<KeyValue> get(String ns, byte[] key, long revision) {
    return join(getAsync(ns, key, revision));
  }

  /** @param consistency {@code linearizable} (the default) or {@code stale}; see docs/api.md */
  public Optional<KeyValue> get(String ns, byte[] key, long revision, String consistency) {
    return join(getAsync(ns, key, revision, consistency));
  }

  public CompletableFuture<Optional<KeyValue>> getAsync(String ns, byte[] key, long revision) {
    return getAsync(ns, key, revision, "linearizable");
  }

  public CompletableFuture<Optional<KeyValue>> getAsync(String ns, byte[] key, long revision, String consistency) {
    String q = "?consistency=" + consistency + (revision > 0 ? "&revision=" + revision : "");
    return sendAsync(req(keyPath(ns, key) + q).GET().build()).thenApply(resp -> {
      if (resp.statusCode() == 404) {
        JsonNode err = parse(resp.body());
        if ("KEY_NOT_FOUND".equals(err.path("code").asText())) return Optional.empty();
      }
      check(resp);
      var h = resp.headers();
      return Optional.of(new KeyValue(resp.body(), h.firstValue("Content-Type").orElse(BINARY),
          h.firstValueAsLong("Aion-Revision").orElse(0), h.firstValueAsLong("Aion-Create-Revision").orElse(0),
          h.firstValueAsLong("Aion-Version").orElse(0), h.firstValue("Aion-Timestamp").orElse(""),
          h.firstValueAsLong("Aion-Read-Revision").orElse(0)));
    });
  }

  public WriteResult delete(String ns, String key) {
    return delete(ns, utf8(key), -1);
  }

  public WriteResult delete(String ns, byte[] key, long ifRevision) {
    String q = ifRevision > 0 ? "?ifRevision=" + ifRevision : "";
    JsonNode n = json(send(req(keyPath(ns, key) + q).DELETE()));
    return new WriteResult(n.path("deleted").asBoolean(), n.path("revision").asLong(), 0, 0, n.path("timestamp").asText(""));
  }

  public JsonNode history(String ns, byte[] key, int limit, long before) {
    String q = "?limit=" + limit + (before > 0 ? "&before=" + before : "");
    return json(send(req("/v1/ns/" + ns + "/history/" + encodeKey(key) + q).GET()));
  }

  /** Runs a query (the JSON of docs/api.md) and returns the response body. */
  public JsonNode query(String ns, JsonNode query) {
    try {
      return query(ns, MAPPER.writeValueAsString(query));
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  public JsonNode query(String ns, String queryJson) {
    return json(send(req("/v1/ns/" + ns + "/query").header("Content-Type", JSON)
        .POST(HttpRequest.BodyPublishers.ofString(queryJson))));
  }

  public JsonNode status() {
    return json(send(req("/v1/status").GET()));
  }

  public JsonNode compact() {
    return json(send(req("/v1/admin/compact").POST(HttpRequest.BodyPublishers.noBody())));
  }

  // ------------------------------------------------------------------ plumbing

  private static String keyPath(String ns, byte[] key) {
    return "/v1/ns/" + ns + "/keys/" + encodeKey(key);
  }

  private HttpRequest.Builder req(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder b) {
    return join(sendAsync(b.build()));
  }

  private CompletableFuture<HttpResponse<byte[]>> sendAsync(HttpRequest r) {
    return http.sendAsync(r, HttpResponse.BodyHandlers.ofByteArray());
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof AionClientException a) throw a;
      throw new AionClientException("request failed: " + c, c);
    }
  }

  private static void check(HttpResponse<byte[]> resp) {
    if (resp.statusCode() >= 400) {
      JsonNode err = parse(resp.body());
      throw new AionClientException(resp.statusCode(), err.path("code").asText("HTTP_" + resp.statusCode()),
          err.path("message").asText(new String(resp.body(), StandardCharsets.UTF_8)));
    }
  }

  private static JsonNode json(HttpResponse<byte[]> resp) {
    check(resp);
    return parse(resp.body());
  }

  private static JsonNode parse(byte[] body) {
    try {
      return body.length == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(body);
    } catch (IOException e) {
      return MAPPER.createObjectNode().put("message", new String(body, StandardCharsets.UTF_8));
    }
  }

  @Override
  public void close() {
    http.close();
  }
}
