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

  /** The committed CRDs (crds/*.yml), by file name: one per resource kind the operator serves. */
  public static java.util.List<Path> crds() {
    try (java.util.stream.Stream<Path> files = Files.list(root().resolve("crds"))) {
      return files.filter(p -> p.getFileName().toString().endsWith(".aiondb.io-v1.yml")).sorted().toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The CRDs the operator build generated from io.aiondb.operator.api (operator/target/kubernetes). */
  public static java.util.List<Path> generatedCrds() {
    Path dir = root().resolve("operator/target/kubernetes");
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".aiondb.io-v1.yml")).sorted().toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(dir + " cannot be listed: build the operator first", e);
    }
  }

  public static Path chart() {
    return root().resolve("charts/aion-operator");
  }

  public static Path bundle() {
    return root().resolve("olm-bundle");
  }
}
