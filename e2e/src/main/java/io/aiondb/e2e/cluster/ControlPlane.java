package io.aiondb.e2e.cluster;

import io.aiondb.e2e.kubelet.Launcher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * etcd, kube-apiserver and kube-controller-manager, run by {@code e2e/control-plane/start.sh} (which prints the
 * admin kubeconfig's path once all three are healthy, and stops them on SIGTERM).
 */
public final class ControlPlane implements AutoCloseable {
  private final Process process;
  private final Path kubeconfig;
  private final Path log;

  private ControlPlane(Process process, Path kubeconfig, Path log) {
    this.process = process;
    this.kubeconfig = kubeconfig;
    this.log = log;
  }

  /**
   * Starts it on {@code stateDir} (kept: a second start reuses certificates and etcd data). {@code binDir}: where
   * build.sh put the binaries, or null to let start.sh run build.sh (instant when cached, ~6 min cold).
   */
  public static ControlPlane start(Path repo, Path stateDir, String binDir, Path log, Duration timeout)
      throws IOException, InterruptedException {
    Files.createDirectories(stateDir);
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(repo.resolve("e2e/control-plane/start.sh").toString(), stateDir.toString())
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(System.getenv());
    if (binDir != null && !binDir.isBlank()) pb.environment().put("AION_K8S_BIN_DIR", binDir);
    Process p = Launcher.start(pb);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        return null;
      }
    });
    String line;
    try {
      line = first.get(timeout.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      line = null;
    }
    if (line == null || !Files.exists(Path.of(line.trim()))) {
      Launcher.stop(p, 30_000);
      throw new IOException("control plane did not start within " + timeout.toSeconds() + " s; see " + log + ":\n"
          + tail(log, 30));
    }
    // Drain stdout so start.sh never blocks on a full pipe.
    Thread drain = new Thread(() -> {
      try {
        while (out.readLine() != null) { /* start.sh prints nothing else */ }
      } catch (IOException ignored) {
        // process gone
      }
    }, "control-plane-stdout");
    drain.setDaemon(true);
    drain.start();
    return new ControlPlane(p, Path.of(line.trim()), log);
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM: start.sh stops the controller-manager, the API server and etcd in that order. */
  @Override
  public void close() {
    try {
      Launcher.stop(process, 90_000);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static String tail(Path file, int lines) {
    try {
      var all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
