package io.aiondb.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.operator.packaging.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding the control-plane binaries, and the message when they are missing (no silent skip, no download). */
class ControlPlaneBinariesTest {
  /**
   * The Quarkus tests fail the same way, but their summary line only shows Quarkus' wrapper exception: this one puts
   * what to run into the build's summary.
   */
  @Test
  void theBinariesAreInPlace() {
    ControlPlaneBinaries.pinned().check();
  }

  @Test
  void theVersionIsTheOneTheE2eControlPlanePins() {
    assertThat(ControlPlaneBinaries.pinnedVersion(Repo.root())).matches("1\\.\\d+\\.\\d+");
  }

  @Test
  void theDirectoryIsKubeApiTestsOwn() {
    assertThat(ControlPlaneBinaries.testDir(Map.of("KUBE_API_TEST_DIR", "/x/kat"), "/home/u")).isEqualTo(Path.of("/x/kat"));
    assertThat(ControlPlaneBinaries.testDir(Map.of(), "/home/u")).isEqualTo(Path.of("/home/u/.kubeapitest"));
  }

  @Test
  void missingBinariesFailWithWhatToRun(@TempDir Path dir) throws Exception {
    ControlPlaneBinaries binaries = new ControlPlaneBinaries("1.34.4", dir);
    Files.createDirectories(binaries.binDir());
    Files.createSymbolicLink(binaries.binDir().resolve("kube-apiserver"), dir.resolve("gone"));
    Path etcd = Files.createFile(binaries.binDir().resolve("etcd"));
    etcd.toFile().setExecutable(true);
    assertThatThrownBy(binaries::check).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kube-apiserver, kubectl are missing")
        .hasMessageContaining(dir.resolve("k8s/1.34.4-linux-amd64").toString())
        .hasMessageContaining("Run e2e/control-plane/build.sh");
  }
}
