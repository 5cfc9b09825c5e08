package io.aiondb.e2e.cluster;

import io.aiondb.e2e.kubelet.Launcher;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator (operator/target/quarkus-app/quarkus-run.jar) as a local process, configured like the chart's
 * Deployment: the container's environment (namespaces to watch, engine image repository, JAVA_TOOL_OPTIONS), its
 * memory limit as the JVM's MaxRAM, and the API credentials of the chart's ServiceAccount (a kubeconfig with its
 * token, not the admin's). It resolves pod and Service names through the process kubelet's hosts file. Its own HTTP
 * port (health checks) is a free port on 127.0.0.1.
 */
public final class OperatorProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final int httpPort;

  private OperatorProcess(Process process, Path log, int httpPort) {
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
  }

  public static OperatorProcess start(Path quarkusRunJar, Deployment chartDeployment, Path kubeconfig, Path hostsFile,
      Path log, Duration timeout) throws IOException, InterruptedException {
    return start(quarkusRunJar, chartDeployment, kubeconfig, hostsFile, log, timeout, "aion-operator-local-0");
  }

  /** @param instanceName the pod name this replica would have (its identity in the leader-election Lease) */
  public static OperatorProcess start(Path quarkusRunJar, Deployment chartDeployment, Path kubeconfig, Path hostsFile,
      Path log, Duration timeout, String instanceName) throws IOException, InterruptedException {
    if (!Files.isRegularFile(quarkusRunJar)) {
      throw new IOException(quarkusRunJar + " is missing: build the operator (./mvnw -pl operator package -DskipTests)");
    }
    Container c = chartDeployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Djdk.net.hosts.file=" + hostsFile);
    command.add("-Dsun.net.inetaddr.ttl=1");
    command.add("-Dsun.net.inetaddr.negative.ttl=0");
    Quantity memory = c.getResources() != null && c.getResources().getLimits() != null
        ? c.getResources().getLimits().get("memory") : null;
    if (memory != null) command.add("-XX:MaxRAM=" + Quantity.getAmountInBytes(memory).toBigInteger());
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-jar");
    command.add(quarkusRunJar.toString());
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(command).directory(log.getParent().toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().put("HOME", log.getParent().toString());
    for (EnvVar e : c.getEnv()) {
      if (e.getValue() != null) {
        pb.environment().put(e.getName(), e.getValue());
      } else if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
        // the downward API, as the kubelet would fill it for the chart's pod
        String field = e.getValueFrom().getFieldRef().getFieldPath();
        String ns = chartDeployment.getMetadata().getNamespace();
        if ("metadata.namespace".equals(field)) pb.environment().put(e.getName(), ns);
        if ("metadata.name".equals(field)) pb.environment().put(e.getName(), instanceName);
      }
    }
    pb.environment().put("HOSTNAME", instanceName); // a pod's container gets its pod name: the Events' reportingInstance
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
    pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    Process p = Launcher.start(pb);
    OperatorProcess op = new OperatorProcess(p, log, port);
    op.awaitStarted(timeout);
    return op;
  }

  private void awaitStarted(Duration timeout) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("the operator exited with code " + process.exitValue() + "; see " + log + ":\n"
            + ControlPlane.tail(log, 40));
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/started"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) return;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    throw new IOException("the operator did not start within " + timeout.toSeconds() + " s; see " + log);
  }

  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    try {
      Launcher.stop(process, 30_000);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
