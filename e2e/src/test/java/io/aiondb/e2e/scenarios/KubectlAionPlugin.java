package io.aiondb.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code kubectl aion} as a user installs it: the archive {@code kubectl-aion/package.sh} makes (krew's layout) is
 * unpacked into a directory put first on PATH, and each command runs as {@code kubectl aion ...}, with KUBECONFIG in
 * the environment (kubectl hands plugins its environment, not its own flags).
 */
final class KubectlAionPlugin {
  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private static Path installed;

  private final Path kubeconfig;
  private final List<String> options;

  /** @param options added to every command (e.g. {@code --connect direct} where the API server cannot proxy to pods) */
  KubectlAionPlugin(Path kubeconfig, List<String> options) {
    this.kubeconfig = kubeconfig;
    this.options = options;
  }

  /** Packs and unpacks the plugin once per JVM; the directory holding the executable kubectl-aion. */
  static synchronized Path install() throws IOException, InterruptedException {
    if (installed != null) return installed;
    Path dir = Repo.stateDir().resolve("kubectl-aion");
    Path krew = dir.resolve("krew");
    Path bin = dir.resolve("bin");
    if (Files.exists(dir)) {
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(bin);
    Result pack = exec(List.of(Repo.root().resolve("kubectl-aion/package.sh").toString(), krew.toString()), List.of(),
        Duration.ofMinutes(2));
    assertThat(pack.exit()).as("kubectl-aion/package.sh: %s", pack).isZero();
    String archive = pack.out().strip().lines().reduce((a, b) -> b).orElseThrow();
    assertThat(Files.readString(krew.resolve("aion.yaml"))).contains("bin: kubectl-aion", "sha256: ");
    Result untar = exec(List.of("tar", "-xzf", archive, "-C", bin.toString()), List.of(), Duration.ofMinutes(1));
    assertThat(untar.exit()).as("tar: %s", untar).isZero();
    assertThat(Files.isExecutable(bin.resolve("kubectl-aion"))).as("kubectl-aion is executable in the archive").isTrue();
    installed = bin;
    return bin;
  }

  Result run(Duration timeout, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kubectl", "aion"));
    command.addAll(List.of(args));
    if (!(args.length > 0 && args[0].equals("version"))) command.addAll(options);
    return exec(command, List.of("KUBECONFIG=" + kubeconfig, "PATH=" + install() + ":" + System.getenv("PATH"),
        "KUBECTL_AION_JAVA=" + Path.of(System.getProperty("java.home"), "bin", "java")), timeout);
  }

  private static Result exec(List<String> command, List<String> env, Duration timeout) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    for (String kv : env) {
      int eq = kv.indexOf('=');
      pb.environment().put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    Process p = pb.start();
    // threads of their own: on 2 cores the common pool has one thread, which the process kubelet's Kubernetes client
    // needs too; two blocking reads there stalled its API calls until the command timed out
    CompletableFuture<String> out = reader(p.getInputStream());
    CompletableFuture<String> err = reader(p.getErrorStream());
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout + "; stdout so far: "
          + out.getNow("?"));
    }
    return new Result(p.exitValue(), out.join(), err.join());
  }

  private static CompletableFuture<String> reader(java.io.InputStream in) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread t = new Thread(() -> text.complete(read(in)), "kubectl-aion-output");
    t.setDaemon(true);
    t.start();
    return text;
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
