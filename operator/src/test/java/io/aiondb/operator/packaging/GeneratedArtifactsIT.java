package io.aiondb.operator.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs after {@code package}: the CRD the Quarkus build generated (target/kubernetes) must equal every committed copy.
 * When the API classes change, refresh the copies with:
 * {@code for d in crds charts/aion-operator/crds olm-bundle/manifests; do cp operator/target/kubernetes/*.aiondb.io-v1.yml $d/; done}
 */
class GeneratedArtifactsIT {
  @Test
  void committedCrdsEqualTheGeneratedOnes() throws Exception {
    List<Path> generated = Repo.generatedCrds();
    assertThat(generated).as("the build generates a CRD per kind")
        .extracting(p -> p.getFileName().toString())
        .containsExactly("aionbackups.aiondb.io-v1.yml", "aionbackupschedules.aiondb.io-v1.yml", "aionclusters.aiondb.io-v1.yml",
            "aionusers.aiondb.io-v1.yml");
    for (Path dir : List.of(Repo.root().resolve("crds"), Repo.chart().resolve("crds"), Repo.bundle().resolve("manifests"))) {
      try (java.util.stream.Stream<Path> files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".aiondb.io-v1.yml")).sorted())
            .as("the CRDs in %s", dir).containsExactlyElementsOf(generated.stream().map(p -> p.getFileName().toString()).toList());
      }
      for (Path g : generated) {
        Path copy = dir.resolve(g.getFileName());
        assertThat(Files.readString(copy)).as("%s is stale: copy %s over it (see this class' Javadoc)", copy, g)
            .isEqualTo(Files.readString(g));
      }
    }
  }
}
