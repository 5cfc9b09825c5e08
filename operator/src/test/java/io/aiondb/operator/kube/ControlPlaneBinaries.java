package io.aiondb.operator.kube;

import io.aiondb.operator.packaging.Repo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where kube-api-test finds etcd, kube-apiserver and kubectl: {@code $KUBE_API_TEST_DIR} (default
 * {@code ~/.kubeapitest}) {@code /k8s/<version>-linux-amd64/}, laid out by {@code e2e/control-plane/build.sh}. The
 * version is the one the e2e control plane pins in {@code e2e/control-plane/gomod/go.mod}. Nothing is ever downloaded:
 * when a binary is missing the tests fail and say to run the build script.
 */
public record ControlPlaneBinaries(String version, Path testDir) {
  static final List<String> BINARIES = List.of("kube-apiserver", "etcd", "kubectl");
  private static final Pattern PINNED = Pattern.compile(
      "^\\s*(?:require\\s+)?k8s\\.io/kubernetes\\s+v(\\d+\\.\\d+\\.\\d+)\\b", Pattern.MULTILINE);

  /** The binaries of the version e2e/control-plane pins, in the directory kube-api-test reads. */
  public static ControlPlaneBinaries pinned() {
    return new ControlPlaneBinaries(pinnedVersion(Repo.root()), testDir(System.getenv(), System.getProperty("user.home")));
  }

  static String pinnedVersion(Path repoRoot) {
    Path goMod = repoRoot.resolve("e2e/control-plane/gomod/go.mod");
    try {
      Matcher m = PINNED.matcher(Files.readString(goMod));
      if (!m.find()) {
        throw new IllegalStateException(goMod + " requires no k8s.io/kubernetes version");
      }
      return m.group(1);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the pinned Kubernetes version from " + goMod, e);
    }
  }

  /** kube-api-test's own rule: {@code $KUBE_API_TEST_DIR}, else {@code ~/.kubeapitest}. */
  static Path testDir(Map<String, String> env, String home) {
    String configured = env.get("KUBE_API_TEST_DIR");
    return configured != null && !configured.isBlank() ? Path.of(configured) : Path.of(home, ".kubeapitest");
  }

  public Path binDir() {
    return testDir.resolve("k8s").resolve(version + "-linux-amd64");
  }

  /** Throws with what to run when a binary is missing or not executable (a dangling symlink counts as missing). */
  public ControlPlaneBinaries check() {
    List<String> missing = BINARIES.stream().filter(b -> !Files.isExecutable(binDir().resolve(b))).toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException("The tests against a real API server need kube-apiserver " + version
          + ", etcd and kubectl in " + binDir() + ", but " + String.join(", ", missing) + (missing.size() == 1 ? " is" : " are")
          + " missing. Run e2e/control-plane/build.sh first: it builds kube-apiserver v" + version
          + " from the Go modules (about 6 minutes once, then cached) and lays the binaries out there"
          + " (set KUBE_API_TEST_DIR to use another directory, for both).");
    }
    return this;
  }
}
