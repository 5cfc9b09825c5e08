package io.aiondb.operator.packaging;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository's committed artefacts, found from the operator module. */
public final class Repo {
  private Repo() {}

  public static Path root() {
    String configured = System.getProperty("aion.repo.root");
    Path root = configured != null ? Path.of(configured) : Path.of("..");
    root = root.toAbsolutePath().normalize();
    if (!Files.isDirectory(root.resolve("crds"))) {
      throw new IllegalStateException("not the repository root (no crds/): " + root);
    }
    return root;
  }

  public static Path crd() {
    return root().resolve("crds/aionclusters.aiondb.io-v1.yml");
  }

  public static Path chart() {
    return root().resolve("charts/aion-operator");
  }

  public static Path bundle() {
    return root().resolve("olm-bundle");
  }
}
