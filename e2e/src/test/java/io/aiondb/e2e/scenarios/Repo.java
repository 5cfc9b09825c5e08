package io.aiondb.e2e.scenarios;

import java.nio.file.Path;

/** Paths in the work tree and settings passed by Maven (e2e/pom.xml) or bin/test. */
final class Repo {
  private Repo() {}

  static Path root() {
    return Path.of(System.getProperty("aion.repo.root", "..")).toAbsolutePath().normalize();
  }

  /** Control-plane binaries from e2e/control-plane/build.sh (bin/test passes them), or null: start.sh finds them. */
  static String k8sBinDir() {
    String dir = System.getProperty("aion.k8s.binDir", System.getenv("AION_K8S_BIN_DIR"));
    return dir == null || dir.isBlank() ? null : dir;
  }

  static Path stateDir() {
    return Path.of(System.getProperty("aion.e2e.stateDir", root().resolve("e2e/target/e2e").toString()));
  }
}
