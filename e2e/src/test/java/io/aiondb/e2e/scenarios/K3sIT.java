package io.aiondb.e2e.scenarios;

import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The scenarios on k3s in Docker. Skipped where there is no Docker (as on the CI machines: they run
 * {@link LocalControlPlaneIT}); needs the Jib image tarballs (see {@link K3sClusterFixture}).
 */
@Testcontainers(disabledWithoutDocker = true)
class K3sIT extends AionClusterScenarios {
  @Override
  protected ClusterFixture start() throws Exception {
    return K3sClusterFixture.start();
  }
}
