package io.aiondb.e2e.kubelet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts every process the harness runs (engine pods, the operator, the control plane script), so that none outlives
 * the JVM that started it and none receives the terminal's signals.
 *
 * <ul>
 *   <li>{@code setpriv --pdeathsig TERM}: the child gets SIGTERM when its parent thread exits. The parent thread is
 *       the one that forks, so all processes are started from one thread that lives as long as the JVM; if the JVM
 *       dies (even by SIGKILL), its children are told to stop.
 *   <li>{@code setsid}: the child runs in its own session, so Ctrl-C in the terminal reaches only the harness, which
 *       then stops its children in order (SIGTERM, grace period, SIGKILL).
 * </ul>
 *
 * Both tools are util-linux and keep the process id (they exec in place), so {@link Process#pid()} is the real
 * program. Where they are missing, the command runs as given (and a SIGKILLed harness leaves its children running).
 */
public final class Launcher {
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  private static final Path SETSID = Path.of("/usr/bin/setsid");
  private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "process-launcher");
    t.setDaemon(true);
    return t;
  });

  private Launcher() {}

  /** Starts {@code builder}'s command wrapped as described above. */
  public static Process start(ProcessBuilder builder) throws IOException {
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(SETPRIV)) {
      command.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "TERM"));
    }
    if (Files.isExecutable(SETSID)) {
      command.add(SETSID.toString());
    }
    command.addAll(builder.command());
    ProcessBuilder wrapped = new ProcessBuilder(command)
        .directory(builder.directory())
        .redirectInput(builder.redirectInput())
        .redirectOutput(builder.redirectOutput())
        .redirectError(builder.redirectError())
        .redirectErrorStream(builder.redirectErrorStream());
    wrapped.environment().clear();
    wrapped.environment().putAll(builder.environment());
    try {
      return THREAD.submit(wrapped::start).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting " + builder.command(), e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  /**
   * SIGTERM, then SIGKILL if {@code process} has not exited after {@code graceMillis}. Blocks until it has exited.
   * Returns the exit code.
   */
  public static int stop(Process process, long graceMillis) throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(graceMillis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
      }
    }
    return process.waitFor();
  }
}
