package io.aiondb.e2e.scenarios;

/** The scenarios on the local control plane with the process kubelet: runs in CI (bin/test). */
class LocalControlPlaneIT extends AionClusterScenarios {
  @Override
  protected ClusterFixture start() throws Exception {
    return LocalClusterFixture.start("local");
  }
}
