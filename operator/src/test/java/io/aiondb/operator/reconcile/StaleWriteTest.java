package io.aiondb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

/** Which reconcile failures are an optimistic-locking retry rather than something to report. */
class StaleWriteTest {
  private static KubernetesClientException refused(int code, String reason) {
    return new KubernetesClientException(new StatusBuilder().withCode(code).withReason(reason)
        .withMessage("Operation cannot be fulfilled on aionclusters.aiondb.io \"roll\"").build());
  }

  @Test
  void aConflictIsAStaleCopyEvenWhenWrapped() {
    assertThat(AionClusterReconciler.staleWrite(refused(409, "Conflict"))).isTrue();
    assertThat(AionClusterReconciler.staleWrite(new IllegalStateException("status patch", refused(409, "Conflict"))))
        .isTrue();
  }

  @Test
  void otherRefusalsAreReported() {
    assertThat(AionClusterReconciler.staleWrite(refused(409, "AlreadyExists"))).as("a foreign object in the way").isFalse();
    assertThat(AionClusterReconciler.staleWrite(refused(403, "Forbidden"))).isFalse();
    assertThat(AionClusterReconciler.staleWrite(refused(422, "Invalid"))).isFalse();
    assertThat(AionClusterReconciler.staleWrite(new IllegalStateException("boom"))).isFalse();
  }
}
