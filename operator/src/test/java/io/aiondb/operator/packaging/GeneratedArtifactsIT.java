package io.aiondb.operator.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs after {@code package}: the CRD the Quarkus build generated (target/kubernetes) must equal every committed copy.
 * When the API classes change, refresh the copies with:
 * {@code for d in crds charts/aion-operator/crds olm-bundle/manifests; do cp operator/target/kubernetes/aionclusters.aiondb.io-v1.yml $d/; done}
 */
class GeneratedArtifactsIT {
  @Test
  void committedCrdsEqualTheGeneratedOne() throws Exception {
    Path generated = Path.of("target/kubernetes/aionclusters.aiondb.io-v1.yml");
    assertThat(generated).as("the build generates the CRD").exists();
    String expected = Files.readString(generated);
    for (Path copy : List.of(Repo.crd(), Repo.chart().resolve("crds/aionclusters.aiondb.io-v1.yml"),
        Repo.bundle().resolve("manifests/aionclusters.aiondb.io-v1.yml"))) {
      assertThat(Files.readString(copy)).as("%s is stale: copy %s over it (see this class' Javadoc)", copy, generated)
          .isEqualTo(expected);
    }
  }
}
