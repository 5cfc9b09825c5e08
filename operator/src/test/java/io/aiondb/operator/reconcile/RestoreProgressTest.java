package io.aiondb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestoreProgressTest {
  private static Pod pod(String name, ContainerStatusBuilder restore) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus()
        .withInitContainerStatuses(restore == null ? List.of() : List.of(restore.withName("restore").build()))
        .endStatus().build();
  }

  private static ContainerStatusBuilder done() {
    return new ContainerStatusBuilder().withState(new ContainerStateBuilder().withNewTerminated().withExitCode(0).endTerminated().build());
  }

  private static ContainerStatusBuilder running() {
    return new ContainerStatusBuilder().withState(new ContainerStateBuilder().withNewRunning().endRunning().build());
  }

  private static ContainerStatusBuilder crashLooping() {
    return new ContainerStatusBuilder().withRestartCount(2)
        .withState(new ContainerStateBuilder().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().build())
        .withLastState(new ContainerStateBuilder().withNewTerminated().withExitCode(1).endTerminated().build());
  }

  @Test
  void countsRestoredRestoringAndFailingMembers() {
    assertThat(RestoreProgress.describe("b1", List.of(pod("c-0", done()), pod("c-1", running()), pod("c-2", crashLooping())), 3))
        .isEqualTo("Restoring backup b1: 1 of 3 members restored, 1 restoring; failing and retried: c-2 (exit 1, 2 restarts)"
            + " (kubectl logs <pod> -c restore says why).");
    assertThat(RestoreProgress.describe("b1", List.of(pod("c-0", done()), pod("c-1", running())), 3))
        .isEqualTo("Restoring backup b1: 1 of 3 members restored, 1 restoring.");
    assertThat(RestoreProgress.describe("b1", List.of(pod("c-0", null), pod("c-1", null)), 3)).as("no restore container").isNull();
    assertThat(RestoreProgress.describe("b1", List.of(), 3)).isNull();
  }
}
