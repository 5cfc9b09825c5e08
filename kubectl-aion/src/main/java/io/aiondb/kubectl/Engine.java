package io.aiondb.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Calls one member's HTTP API (docs/api.md, docs/cluster-api.md).
 *
 * <p>{@link Connect#proxy} (the default) goes through the Kubernetes API server's {@code pods/proxy}
 * ({@code /api/v1/namespaces/<ns>/pods/https:<pod>:7070/proxy/...}) with the kubeconfig's credentials, so it works
 * wherever kubectl does; the user needs {@code get} on {@code pods/proxy}. The API server takes the
 * {@code Authorization} header for itself, so the engine credentials travel in {@code X-Aion-Authorization}.
 * {@link Connect#direct} calls the pod IP itself (from inside the cluster network: a pod, a node, a VPN), over TLS
 * trusting only the cluster's CA ({@code ca.crt} of its TLS Secret; the name is not checked, the address is an IP).
 *
 * <p>Credentials: {@code --token} / {@code AION_TOKEN} (a token or API key) if given; else root, with the password in
 * Secret {@code <cluster>-root} (docs/operator.md "Authentication"), logged in once per command; else none (a cluster
 * without auth).
 */
final class Engine {
  enum Connect { proxy, direct }

  /** One answer: the status and the body as text. */
  record Response(int status, String body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    JsonNode json() {
      try {
        return Target.JSON.readTree(body);
      } catch (IOException e) {
        throw new PluginException("the engine answered " + status + " with a body that is not JSON: " + abbreviate(body));
      }
    }

    /** The engine's error ({@code CODE: message}), or the status and body when it is not one. */
    String error() {
      try {
        JsonNode n = Target.JSON.readTree(body);
        if (n.hasNonNull("code")) return n.path("code").asText() + ": " + n.path("message").asText();
      } catch (IOException | RuntimeException e) {
        // not the engine's JSON: e.g. the API server's own answer
      }
      return "HTTP " + status + (body.isBlank() ? "" : ": " + abbreviate(body));
    }
  }

  private final Target target;
  private final Connect connect;
  private final Duration timeout;
  private final String explicitToken;
  private String bearer;
  private boolean loggedIn;
  private HttpClient directClient;

  Engine(Target target, Connect connect, Duration timeout, String explicitToken) {
    this.target = target;
    this.connect = connect;
    this.timeout = timeout;
    this.explicitToken = explicitToken == null || explicitToken.isBlank() ? null : explicitToken.trim();
  }

  /**
   * {@code GET /v1/cluster/nodes} from the first Ready member that answers, the operator's last known leader first;
   * an error says why none did.
   */
  JsonNode nodes(List<Pod> pods) {
    List<Pod> askable = StatusCommand.askOrder(target, pods);
    if (askable.isEmpty()) throw new PluginException("no member of " + target.namespace + "/" + target.name + " is Ready");
    String error = null;
    for (Pod p : askable) {
      try {
        Response r = call(p, "GET", "/v1/cluster/nodes", null);
        if (r.ok()) return r.json();
        error = p.getMetadata().getName() + ": " + r.error();
      } catch (PluginException e) {
        if (e.getMessage().startsWith("the cluster requires credentials") || e.getMessage().startsWith("cannot log in")) throw e;
        error = e.getMessage();
      }
    }
    throw new PluginException("no member answered GET /v1/cluster/nodes (" + error + ")");
  }

  /** The node with this id in a {@link #nodes} answer, or null. */
  static JsonNode node(JsonNode nodes, String id) {
    for (JsonNode n : nodes.path("nodes")) {
      if (id.equals(n.path("id").asText())) return n;
    }
    return null;
  }

  /** The ids of the nodes that lead a group, in the answer's order. */
  static List<String> leaders(JsonNode nodes) {
    List<String> out = new java.util.ArrayList<>();
    for (JsonNode n : nodes.path("nodes")) {
      if (n.path("leads").asInt(0) > 0) out.add(n.path("id").asText());
    }
    return out;
  }

  /** A call with credentials; JSON of a 2xx answer, else a {@link PluginException} with the engine's error. */
  JsonNode json(Pod pod, String method, String path, String body) {
    Response r = call(pod, method, path, body);
    if (!r.ok()) {
      throw new PluginException(method + " " + path + " on " + pod.getMetadata().getName() + ": " + r.error());
    }
    return r.json();
  }

  /** A call with credentials (logging in first if needed). */
  Response call(Pod pod, String method, String path, String body) {
    String auth = credentials(pod);
    Response r = send(pod, method, path, body, auth);
    if (r.status() == 401 && auth == null) {
      throw new PluginException("the cluster requires credentials and none were found: Secret " + target.namespace
          + "/" + target.name + "-root is missing; pass --token (or set AION_TOKEN)");
    }
    return r;
  }

  private synchronized String credentials(Pod pod) {
    if (explicitToken != null) return "Bearer " + explicitToken;
    if (!loggedIn) {
      loggedIn = true;
      String password = target.secretValue(target.name + "-root", "password");
      if (password != null) {
        String body = Target.JSON.createObjectNode().put("user", "root").put("password", password).toString();
        Response r = send(pod, "POST", "/v1/auth/login", body, null);
        if (r.ok()) {
          bearer = "Bearer " + r.json().path("token").asText();
        } else if (r.status() != 404 && r.status() != 400) { // 404/400: a cluster without auth has no login
          throw new PluginException("cannot log in as root with the password in Secret " + target.namespace + "/"
              + target.name + "-root: " + r.error());
        }
      }
    }
    return bearer;
  }

  /** Sends one request to the member, without looking at the answer. */
  Response send(Pod pod, String method, String path, String body, String authorization) {
    if (!path.startsWith("/")) throw new IllegalArgumentException("path must start with /: " + path);
    boolean tls = Target.tls(pod);
    int port = Target.httpPort(pod);
    String name = pod.getMetadata().getName();
    try {
      return connect == Connect.proxy ? viaApiServer(name, tls, port, method, path, body, authorization)
          : direct(pod, tls, port, method, path, body, authorization);
    } catch (IOException e) {
      throw new PluginException("cannot reach member " + name + " (" + connectDescription(pod) + "): " + e.getMessage());
    }
  }

  String connectDescription(Pod pod) {
    return connect == Connect.proxy ? "through the API server's pods/proxy"
        : "at " + (pod.getStatus() == null ? "no IP yet" : pod.getStatus().getPodIP());
  }

  private Response viaApiServer(String pod, boolean tls, int port, String method, String path, String body, String auth)
      throws IOException {
    var http = target.k8s.getHttpClient();
    String base = target.k8s.getMasterUrl().toString();
    if (!base.endsWith("/")) base += "/";
    String url = base + "api/v1/namespaces/" + target.namespace + "/pods/" + (tls ? "https:" : "http:") + pod + ":" + port
        + "/proxy" + path;
    var b = http.newHttpRequestBuilder().uri(url).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .header("Accept", "application/json");
    if (auth != null) b.header("X-Aion-Authorization", auth);
    switch (method) {
      case "GET" -> { }
      case "POST" -> b.post("application/json", body == null ? "" : body);
      case "PUT" -> b.put("application/json", body == null ? "" : body);
      case "DELETE" -> b.delete("application/json", body == null ? "" : body);
      default -> throw new IllegalArgumentException(method);
    }
    try {
      var r = http.sendAsync(b.build(), String.class).get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
      String text = r.body() == null ? "" : r.body();
      if (r.code() == 403 && text.contains("pods/proxy")) {
        throw new PluginException("the API server refused pods/proxy for member " + pod + " (your user needs get on "
            + "pods/proxy in " + target.namespace + "; or run with --connect direct from inside the cluster network): "
            + abbreviate(text));
      }
      if ((r.code() == 400 || r.code() == 503) && text.contains("\"kind\":\"Status\"")) {
        throw new PluginException("the API server cannot proxy to member " + pod + ": " + statusMessage(text)
            + " (--connect direct calls the pod IP instead)");
      }
      return new Response(r.code(), text);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause() == null ? e.toString() : e.getCause().toString(), e);
    } catch (TimeoutException e) {
      throw new IOException("no answer within " + timeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  private static String statusMessage(String text) {
    try {
      return Target.JSON.readTree(text).path("message").asText(text);
    } catch (IOException e) {
      return abbreviate(text);
    }
  }

  private Response direct(Pod pod, boolean tls, int port, String method, String path, String body, String auth)
      throws IOException {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (ip == null || ip.isBlank()) throw new IOException("the pod has no IP yet");
    String host = ip.contains(":") ? "[" + ip + "]" : ip;
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create((tls ? "https://" : "http://") + host + ":" + port + path))
        .timeout(timeout).header("Accept", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    if (auth != null) b.header("Authorization", auth);
    try {
      HttpResponse<String> r = directClient(tls).send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  private synchronized HttpClient directClient(boolean tls) {
    if (directClient != null) return directClient;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (tls) {
      String secret = target.tlsSecretName();
      String ca = target.secretValue(secret, "ca.crt");
      if (ca == null) {
        throw new PluginException("the members serve TLS but Secret " + target.namespace + "/" + secret
            + " has no ca.crt to trust (needed with --connect direct)");
      }
      b.sslContext(trusting(Certificates.parse(ca, "ca.crt of Secret " + secret)));
    }
    directClient = b.build();
    return directClient;
  }

  /**
   * Trusts chains to one of these CAs and nothing else; the host name is not checked (the member is called by IP,
   * its certificate names its DNS names).
   */
  static SSLContext trusting(List<X509Certificate> cas) {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      for (int i = 0; i < cas.size(); i++) ks.setCertificateEntry("ca-" + i, cas.get(i));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      X509TrustManager pkix = (X509TrustManager) tmf.getTrustManagers()[0];
      X509ExtendedTrustManager chainOnly = new X509ExtendedTrustManager() {
        @Override public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException { pkix.checkClientTrusted(c, a); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException { pkix.checkServerTrusted(c, a); }
        @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException { pkix.checkClientTrusted(c, a); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException { pkix.checkServerTrusted(c, a); }
        @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException { pkix.checkClientTrusted(c, a); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException { pkix.checkServerTrusted(c, a); }
        @Override public X509Certificate[] getAcceptedIssuers() { return pkix.getAcceptedIssuers(); }
      };
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new javax.net.ssl.TrustManager[] {chainOnly}, null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the TLS context: " + e, e);
    }
  }

  static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ").trim();
    return one.length() <= 300 ? one : one.substring(0, 300) + "...";
  }
}
