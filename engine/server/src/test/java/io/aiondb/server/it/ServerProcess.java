package io.aiondb.server.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged server ({@code target/aion-server.jar}) in its own JVM, as a user runs it. Its log goes to a file
 * in the data directory's parent. {@link #kill()} is kill -9; {@link #stop()} is SIGTERM.
 */
public final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final Path portFile;
  private final Path log;
  private int port;

  public ServerProcess(Path dataDir, String... flags) throws IOException {
    this(dataDir, java.util.Map.of(), flags);
  }

  /** With extra environment variables (e.g. {@link PowerLoss#env()}). */
  public ServerProcess(Path dataDir, java.util.Map<String, String> env, String... flags) throws IOException {
    Path jar = Path.of("target/aion-server.jar").toAbsolutePath();
    if (!Files.exists(jar)) throw new IllegalStateException("build the jar first (mvn package): " + jar);
    portFile = dataDir.resolveSibling(dataDir.getFileName() + ".port");
    Files.deleteIfExists(portFile);
    log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-XX:+UseSerialGC",
        "-jar", jar.toString(), "--data.dir=" + dataDir, "--http.port=0", "--raft.port=0", "--protocol.port=0",
        "--http.port-file=" + portFile));
    cmd.addAll(List.of(flags));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    process = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }

  /** Waits until the server wrote its port (it is serving). */
  public ServerProcess awaitReady(Duration timeout) throws Exception {
    try {
      org.awaitility.Awaitility.await("the server to write its port file").atMost(timeout).pollInterval(Duration.ofMillis(50))
          .until(() -> {
            if (!process.isAlive()) throw new IllegalStateException("server exited with " + process.exitValue() + "; log:\n" + Files.readString(log));
            return Files.exists(portFile);
          });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new IllegalStateException("server not ready within " + timeout + "; log:\n" + Files.readString(log), e);
    }
    port = Integer.parseInt(Files.readString(portFile).trim());
    return this;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  /** kill -9: no shutdown hook, no flush. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM; returns the exit code. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("server did not stop within 60 s of SIGTERM");
    }
    return process.exitValue();
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) kill();
  }
}
