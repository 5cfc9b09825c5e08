package io.aiondb.e2e.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PathMapTest {
  private final PathMap map = new PathMap()
      .put("/var/lib/aion", Path.of("/state/volumes/data"))
      .put("/var/lib/aion/cold", Path.of("/state/volumes/cold"))
      .put("/etc/aion/", Path.of("/state/pods/p/volumes/config"));

  @Test
  void rewritesMountPathsAtWordStartAndPathBoundaries() {
    assertThat(map.translate("data.dir=/var/lib/aion/data")).isEqualTo("data.dir=/state/volumes/data/data");
    assertThat(map.translate("--config /etc/aion/aion.properties")).isEqualTo("--config /state/pods/p/volumes/config/aion.properties");
    assertThat(map.translate("/var/lib/aion")).isEqualTo("/state/volumes/data");
    assertThat(map.translate("a=/var/lib/aion,b=/etc/aion")).isEqualTo("a=/state/volumes/data,b=/state/pods/p/volumes/config");
  }

  @Test
  void theLongestMountWins() {
    assertThat(map.translate("data.cold-dir=/var/lib/aion/cold/x")).isEqualTo("data.cold-dir=/state/volumes/cold/x");
  }

  @Test
  void leavesOtherPathsAlone() {
    assertThat(map.translate("/var/lib/aionx/data")).isEqualTo("/var/lib/aionx/data");
    assertThat(map.translate("/opt/var/lib/aion")).isEqualTo("/opt/var/lib/aion");
    assertThat(map.translate("http.host=0.0.0.0")).isEqualTo("http.host=0.0.0.0");
    assertThat(map.translate("/var/lib/aion.bak")).isEqualTo("/var/lib/aion.bak");
  }

  @Test
  void refusesTheRootAndRelativePaths() {
    assertThatThrownBy(() -> new PathMap().put("/", Path.of("/x"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PathMap().put("etc", Path.of("/x"))).isInstanceOf(IllegalArgumentException.class);
  }
}
