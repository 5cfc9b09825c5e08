package io.aiondb.e2e.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * A container's probe as the kubelet runs it: HTTP GET (success: 200–399) or TCP connect against the pod IP, after
 * {@code initialDelaySeconds}, every {@code periodSeconds}, each within {@code timeoutSeconds}; the result flips
 * after {@code successThreshold} successes or {@code failureThreshold} failures in a row. Exec and gRPC probes are
 * not supported: such a probe always fails, with a message saying so.
 *
 * <p>Checks run on an executor; {@link #poll} is called from the kubelet's loop and applies a finished check, so
 * the counters are only touched by that one thread.
 */
final class Prober {
  enum Result { UNKNOWN, SUCCESS, FAILURE }

  private final String kind;
  private final Probe probe;
  private final Container container;
  private final ExecutorService executor;
  private final HttpClient http;
  private Instant nextAt;
  private CompletableFuture<String> inFlight; // null: success; else the failure message
  private int successes;
  private int failures;
  private Result result = Result.UNKNOWN;
  private String lastFailure;

  Prober(String kind, Probe probe, Container container, ExecutorService executor, HttpClient http, Instant started) {
    this.kind = kind;
    this.probe = probe;
    this.container = container;
    this.executor = executor;
    this.http = http;
    this.nextAt = started.plusSeconds(value(probe.getInitialDelaySeconds(), 0));
  }

  String kind() {
    return kind;
  }

  Result result() {
    return result;
  }

  String lastFailure() {
    return lastFailure;
  }

  int failureThreshold() {
    return value(probe.getFailureThreshold(), 3);
  }

  /**
   * Starts a check if one is due, applies a finished one. Returns true when the result changed. {@code onDone}
   * runs when a started check finishes (to wake the loop).
   */
  boolean poll(String ip, Instant now, Runnable onDone) {
    Result before = result;
    if (inFlight != null && inFlight.isDone()) {
      String failure = inFlight.getNow("probe did not finish");
      inFlight = null;
      if (failure == null) {
        successes++;
        failures = 0;
        if (successes >= value(probe.getSuccessThreshold(), 1)) result = Result.SUCCESS;
      } else {
        failures++;
        successes = 0;
        lastFailure = failure;
        if (failures >= failureThreshold()) result = Result.FAILURE;
      }
    }
    if (inFlight == null && !now.isBefore(nextAt)) {
      nextAt = now.plusSeconds(value(probe.getPeriodSeconds(), 10));
      inFlight = CompletableFuture.supplyAsync(() -> check(ip), executor);
      inFlight.whenComplete((r, e) -> onDone.run());
    }
    return result != before;
  }

  /** Consecutive failures reached the threshold (liveness and startup probes restart the container then). */
  boolean failed() {
    return result == Result.FAILURE;
  }

  private String check(String ip) {
    Duration timeout = Duration.ofSeconds(value(probe.getTimeoutSeconds(), 1));
    try {
      if (probe.getHttpGet() != null) {
        var get = probe.getHttpGet();
        String scheme = get.getScheme() == null ? "http" : get.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
          return "scheme " + get.getScheme() + " not supported";
        }
        int port = port(get.getPort());
        String path = get.getPath() == null ? "/" : get.getPath();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://" + ip + ":" + port + path))
            .timeout(timeout).header("User-Agent", "kube-probe/process-kubelet").GET();
        if (get.getHttpHeaders() != null) get.getHttpHeaders().forEach(h -> request.header(h.getName(), h.getValue()));
        HttpClient client = scheme.equals("https") ? Insecure.CLIENT : http;
        HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
        int code = response.statusCode();
        return code >= 200 && code < 400 ? null : "HTTP probe failed with statuscode: " + code;
      }
      if (probe.getTcpSocket() != null) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(ip, port(probe.getTcpSocket().getPort())), (int) timeout.toMillis());
        }
        return null;
      }
      return "only httpGet and tcpSocket probes are supported by the process kubelet";
    } catch (IOException e) {
      return "Get: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } catch (RuntimeException e) {
      return e.toString();
    }
  }

  private int port(IntOrString port) {
    if (port.getIntVal() != null) return port.getIntVal();
    for (ContainerPort p : container.getPorts()) {
      if (port.getStrVal().equals(p.getName())) return p.getContainerPort();
    }
    throw new IllegalArgumentException("no container port named " + port.getStrVal());
  }

  private static int value(Integer v, int dflt) {
    return v == null || v == 0 && dflt != 0 ? dflt : v;
  }

  /** Like the kubelet, an HTTPS probe does not verify the certificate (it checks the endpoint, not its identity). */
  private static final class Insecure {
    static final HttpClient CLIENT = build();

    private static HttpClient build() {
      javax.net.ssl.TrustManager trustAll = new javax.net.ssl.X509ExtendedTrustManager() {
        @Override public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}
        @Override public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}
        @Override public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a, Socket s) {}
        @Override public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a, Socket s) {}
        @Override public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a, javax.net.ssl.SSLEngine e) {}
        @Override public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a, javax.net.ssl.SSLEngine e) {}
        @Override public java.security.cert.X509Certificate[] getAcceptedIssuers() { return new java.security.cert.X509Certificate[0]; }
      };
      try {
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, new javax.net.ssl.TrustManager[] {trustAll}, null);
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(2)).build();
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
