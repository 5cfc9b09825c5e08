package io.aiondb.e2e.scenarios;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * A user of a cluster the operator made with auth on (the default): reads the root password from Secret
 * {@code <cluster>-root}, as docs/operator.md tells users to, logs in once and keeps the token (an hour). Thread-safe.
 */
final class RootLogin {
  private final KubernetesClient k8s;
  private final HttpClient http;
  private final String namespace;
  private final String cluster;
  private String token;

  RootLogin(KubernetesClient k8s, HttpClient http, String namespace, String cluster) {
    this.k8s = k8s;
    this.http = http;
    this.namespace = namespace;
    this.cluster = cluster;
  }

  /** The root password the operator generated. */
  String password() {
    var s = k8s.secrets().inNamespace(namespace).withName(cluster + "-root").get();
    if (s == null || s.getData() == null || s.getData().get("password") == null) {
      throw new AssertionError("Secret " + namespace + "/" + cluster + "-root with a password: missing");
    }
    return new String(Base64.getDecoder().decode(s.getData().get("password")), StandardCharsets.UTF_8);
  }

  /**
   * {@code Bearer <token>} for root, logging in at {@code base} if there is no token yet; null when the login is not
   * possible yet (the members write the root user right after the first leader is elected).
   */
  synchronized String bearer(URI base) {
    if (token == null) token = login(base, "root", password());
    return token == null ? null : "Bearer " + token;
  }

  /** Forgets the token (after a 401, e.g. a cluster created again). */
  synchronized void forget() {
    token = null;
  }

  /** A token for {@code user}, or null when the login is refused. */
  String login(URI base, String user, String password) {
    String body = "{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}";
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/auth/login"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) return null;
      var m = java.util.regex.Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
      return m.find() ? m.group(1) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
