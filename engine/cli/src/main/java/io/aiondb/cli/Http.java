package io.aiondb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.client.AionClient;
import io.aiondb.client.AionClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The HTTP API calls of the admin commands (index, cluster), which {@link AionClient} does not offer: JSON in, JSON
 * out, the server's {@code {"code", "message"}} errors as {@link AionClientException} with the HTTP status (status 0:
 * no answer).
 */
final class Http implements AutoCloseable {
  private final String base;
  private final Duration timeout;
  private final HttpClient client;

  private final String token;

  /** @param tls trust for an https:// URL, or null */
  Http(String baseUrl, Duration timeout, javax.net.ssl.SSLContext tls) {
    this(baseUrl, timeout, tls, null);
  }

  /** @param token a bearer token sent with every request, or null */
  Http(String baseUrl, Duration timeout, javax.net.ssl.SSLContext tls, String token) {
    this.token = token;
    this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.timeout = timeout;
    Duration connect = timeout.compareTo(Duration.ofSeconds(5)) < 0 ? timeout : Duration.ofSeconds(5);
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connect).version(HttpClient.Version.HTTP_1_1);
    if (tls != null) b.sslContext(tls);
    this.client = b.build();
  }

  /** A path segment (namespace, index or member name) percent-encoded. */
  static String seg(String s) {
    return AionClient.encodeKey(s.getBytes(StandardCharsets.UTF_8));
  }

  JsonNode get(String path) {
    return send(request(path).GET());
  }

  JsonNode delete(String path) {
    return send(request(path).DELETE());
  }

  JsonNode put(String path, JsonNode body) {
    return send(request(path).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(Output.compact(body))));
  }

  JsonNode post(String path, JsonNode body) {
    return send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Output.compact(body))));
  }

  private HttpRequest.Builder request(String path) {
    URI uri;
    try {
      uri = URI.create(base + path);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--http '" + base + "' is not a URL: " + e.getMessage());
    }
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw CliException.usage("--http '" + base + "' is not a URL like http://127.0.0.1:7070");
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  private JsonNode send(HttpRequest.Builder b) {
    HttpRequest r = b.build();
    HttpResponse<byte[]> resp;
    try {
      resp = client.send(r, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new AionClientException(0, "TIMEOUT", r.method() + " " + r.uri() + " did not answer within " + timeout);
    } catch (ConnectException e) {
      throw new AionClientException(0, "UNREACHABLE", "cannot connect to " + base
          + " (is the server running? --http or AION_HTTP names its HTTP address)");
    } catch (IOException e) {
      throw new AionClientException(0, "UNREACHABLE", r.method() + " " + r.uri() + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AionClientException(0, "INTERRUPTED", "interrupted while waiting for " + r.uri());
    }
    JsonNode body = parse(resp.body());
    if (resp.statusCode() >= 400) {
      String text = new String(resp.body(), StandardCharsets.UTF_8).strip();
      throw new AionClientException(resp.statusCode(), body.path("code").asText("HTTP_" + resp.statusCode()),
          body.path("message").asText(text.isEmpty() ? "HTTP " + resp.statusCode() : text));
    }
    return body;
  }

  private static JsonNode parse(byte[] body) {
    try {
      return body.length == 0 ? Output.JSON.createObjectNode() : Output.JSON.readTree(body);
    } catch (IOException e) {
      return Output.JSON.createObjectNode();
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
