package io.aiondb.e2e.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PodWorkerTest {
  @Test
  void expandsVariableReferencesAsKubernetesDoes() {
    Map<String, String> env = Map.of("A", "x", "B", "y");
    assertThat(PodWorker.expand("$(A)-$(B)", env)).isEqualTo("x-y");
    assertThat(PodWorker.expand("$(C)", env)).isEqualTo("$(C)");
    assertThat(PodWorker.expand("$$(A)", env)).isEqualTo("$(A)");
    assertThat(PodWorker.expand("plain $A", env)).isEqualTo("plain $A");
  }
}
