package io.aiondb.operator.engine;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** Reads the engine's cluster API with the JDK HTTP client. Thread-safe. */
public class EngineClient {
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final HttpClient http;
  private final Duration timeout;

  /** HTTPS clients by the CA they trust (one per TLS cluster; a rotated CA gets a new one). */
  private final java.util.Map<String, HttpClient> byCa = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, HttpClient> eldest) {
          return size() > 256;
        }
      });

  public EngineClient(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** {@code GET {base}/v1/cluster/members} over plain HTTP. */
  public ClusterView members(URI base) throws EngineUnavailableException {
    return members(base, null);
  }

  /**
   * {@code GET {base}/v1/cluster/members}; with {@code caPem}, over HTTPS trusting only that CA (the member's
   * certificate must also name the host in {@code base}).
   */
  public ClusterView members(URI base, String caPem) throws EngineUnavailableException {
    HttpClient http = caPem == null ? this.http : byCa.computeIfAbsent(caPem, this::httpsClient);
    URI uri = URI.create(stripSlash(base.toString()) + "/v1/cluster/members");
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new EngineUnavailableException("GET " + uri + " timed out after " + timeout.toSeconds() + "s", e);
    } catch (javax.net.ssl.SSLException e) {
      throw new EngineUnavailableException("GET " + uri + ": TLS failed (" + rootCause(e).getMessage()
          + "); the members' certificate must chain to the cluster's CA and name " + uri.getHost(), e);
    } catch (ConnectException e) {
      throw new EngineUnavailableException("GET " + uri + ": connection refused (no member is listening yet?)", e);
    } catch (IOException e) {
      Throwable root = rootCause(e);
      String why = root instanceof UnknownHostException ? "unknown host (is the client Service there?)" : String.valueOf(root);
      throw new EngineUnavailableException("GET " + uri + ": " + why, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineUnavailableException("GET " + uri + ": interrupted", e);
    }
    if (response.statusCode() != 200) {
      throw new EngineUnavailableException(
          "GET " + uri + " answered " + response.statusCode() + errorMessage(response.body()), null);
    }
    try {
      return JSON.readValue(response.body(), ClusterView.class);
    } catch (IOException e) {
      throw new EngineUnavailableException("GET " + uri + " answered 200 with a body that is not a member list: "
          + abbreviate(response.body()), e);
    }
  }

  private static String errorMessage(String body) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node != null && node.hasNonNull("message")) {
        return ": " + node.path("code").asText("") + " " + node.get("message").asText();
      }
    } catch (IOException ignored) {
      // not the engine's error model: fall through
    }
    return body == null || body.isBlank() ? "" : ": " + abbreviate(body);
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private HttpClient httpsClient(String caPem) {
    try {
      java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (var cert : java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificates(new java.io.ByteArrayInputStream(caPem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
        trust.setCertificateEntry("ca-" + i++, cert);
      }
      javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).sslContext(ctx).build();
    } catch (java.security.GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("the cluster's CA certificate cannot be used: " + e.getMessage(), e);
    }
  }
}
