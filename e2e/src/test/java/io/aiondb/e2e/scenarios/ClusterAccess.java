package io.aiondb.e2e.scenarios;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * How a user reaches the engine of a cluster the operator made with its defaults (docs/operator.md "TLS",
 * "Authentication"): over HTTPS trusting the cluster's CA from Secret {@code <cluster>-tls} when the pod's probes use
 * HTTPS, and as root with the password from Secret {@code <cluster>-root} when that Secret exists. One client and one
 * login per cluster (by its CA: a cluster made again gets a new one). Thread-safe.
 */
final class ClusterAccess {
  private static final String INSTANCE = "app.kubernetes.io/instance";

  private final KubernetesClient k8s;
  private final Function<Pod, URI> engine;
  private final HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** Per cluster (and whether it speaks TLS): its client and root login, read from its Secrets once. */
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  private record Entry(HttpClient http, RootLogin root) {}

  /** @param engine a pod's engine base URL as the fixture gives it (http://) */
  ClusterAccess(KubernetesClient k8s, Function<Pod, URI> engine) {
    this.k8s = k8s;
    this.engine = engine;
  }

  /** Whether the pod's members speak TLS (its readiness probe does). */
  static boolean tls(Pod pod) {
    var probe = pod.getSpec().getContainers().get(0).getReadinessProbe();
    return probe != null && probe.getHttpGet() != null && "HTTPS".equals(probe.getHttpGet().getScheme());
  }

  /** The pod's engine base URL: https when it speaks TLS. */
  URI base(Pod pod) {
    URI b = engine.apply(pod);
    return tls(pod) ? URI.create(b.toString().replace("http://", "https://")) : b;
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + cluster(pod) + (tls(pod) ? "/tls" : "");
  }

  private Entry entry(Pod pod) {
    return entries.computeIfAbsent(key(pod), k -> {
      String ns = pod.getMetadata().getNamespace();
      String cluster = cluster(pod);
      HttpClient http = plain;
      if (tls(pod)) {
        String ca = secretValue(ns, cluster + "-tls", "ca.crt");
        if (ca == null) throw new AssertionError("Secret " + cluster + "-tls with ca.crt: missing");
        try {
          http = HttpClient.newBuilder().sslContext(AionClusterScenarios.trustingOnly(ca))
              .connectTimeout(Duration.ofSeconds(5)).build();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }
      RootLogin root = secretValue(ns, cluster + "-root", "password") == null ? null : new RootLogin(k8s, http, ns, cluster);
      return new Entry(http, root);
    });
  }

  /** Reads the cluster's Secrets again at the next call (a cluster made again: a new CA, perhaps new credentials). */
  void forget(Pod pod) {
    entries.remove(key(pod));
  }

  /** The HTTP client for the pod's cluster: trusting only its CA with TLS. */
  HttpClient client(Pod pod) {
    return entry(pod).http();
  }

  /** Root of the pod's cluster (null without a root Secret: a cluster without auth). */
  RootLogin root(Pod pod) {
    return entry(pod).root();
  }

  /**
   * {@code Bearer <root token>}, or null for a cluster without auth; waits up to 30 s for the first login (the members
   * create root right after the first leader is elected).
   */
  String rootBearer(Pod pod) {
    RootLogin r = root(pod);
    if (r == null) return null;
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String bearer;
    while ((bearer = r.bearer(base(pod))) == null && System.nanoTime() < until) {
      try {
        Thread.sleep(250); // polling the login, never a request path of the product
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return bearer;
  }

  /** A request to the pod's engine as root (when the cluster has auth); a 401 or a TLS failure reads the Secrets again once. */
  HttpResponse<String> send(Pod pod, String method, String path, String json, Duration timeout)
      throws IOException, InterruptedException {
    try {
      HttpResponse<String> r = send(pod, method, path, json, timeout, rootBearer(pod));
      if (r.statusCode() != 401 || root(pod) == null) return r;
    } catch (javax.net.ssl.SSLException e) {
      // a cluster made again under the same name has a new CA
    }
    forget(pod);
    return send(pod, method, path, json, timeout, rootBearer(pod));
  }

  /** A request to the pod's engine with {@code authorization} (null: none). */
  HttpResponse<String> send(Pod pod, String method, String path, String json, Duration timeout, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base(pod).resolve(path)).timeout(timeout);
    b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    if (authorization != null) b.header("Authorization", authorization);
    return client(pod).send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String cluster(Pod pod) {
    String c = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(INSTANCE);
    if (c == null) throw new AssertionError("pod " + pod.getMetadata().getName() + " has no " + INSTANCE + " label");
    return c;
  }

  String secretValue(String namespace, String name, String key) {
    var s = k8s.secrets().inNamespace(namespace).withName(name).get();
    String v = s == null || s.getData() == null ? null : s.getData().get(key);
    return v == null ? null : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
  }
}
