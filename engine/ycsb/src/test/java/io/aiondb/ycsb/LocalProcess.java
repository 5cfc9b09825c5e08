package io.aiondb.ycsb;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A peer process (a server under test) started by the test, its output in a log file, stopped by its PID. */
final class LocalProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  LocalProcess(String name, List<String> command, Path log) throws IOException {
    this(name, command, Map.of(), log);
  }

  LocalProcess(String name, List<String> command, Map<String, String> env, Path log) throws IOException {
    this.name = name;
    this.log = log;
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    this.process = pb.start();
  }

  /** Polls {@code ready} until it holds; fails with the process log if the process exits or time runs out. */
  LocalProcess awaitReady(Duration timeout, BooleanSupplier ready) throws Exception {
    try {
      org.awaitility.Awaitility.await(name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
        if (!process.isAlive()) throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log:\n" + log());
        try {
          return ready.getAsBoolean();
        } catch (RuntimeException notYet) {
          return false; // keep polling
        }
      });
      return this;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new IllegalStateException(name + " not ready within " + timeout + "; log:\n" + log(), e);
    }
  }

  long pid() {
    return process.pid();
  }

  String log() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "(no log)";
  }

  /** SIGTERM, then SIGKILL after 20 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** A TCP port free on the loopback interface now. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
