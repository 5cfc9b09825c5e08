package io.aiondb.operator.reconcile;

import io.aiondb.operator.model.StatefulSetBuilders;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;

/**
 * How far the members of a cluster created from a backup (spec.bootstrap.restore) are with their restore init
 * container, for the Progressing condition while the cluster is Creating: a pure function of the pods.
 */
final class RestoreProgress {
  private RestoreProgress() {}

  /** The Progressing message, or null when no member runs or waits on a restore container. */
  static String describe(String backupId, List<Pod> pods, int replicas) {
    int restored = 0;
    int restoring = 0;
    List<String> failing = new ArrayList<>();
    for (Pod p : pods) {
      ContainerStatus c = restoreStatus(p);
      if (c == null || c.getState() == null) continue;
      if (c.getState().getTerminated() != null && Integer.valueOf(0).equals(c.getState().getTerminated().getExitCode())) {
        restored++;
      } else if (c.getState().getRunning() != null) {
        restoring++;
      } else if (c.getRestartCount() != null && c.getRestartCount() > 0 || c.getState().getTerminated() != null) {
        var last = c.getLastState() == null ? null : c.getLastState().getTerminated();
        failing.add(p.getMetadata().getName() + (last == null || last.getExitCode() == null ? ""
            : " (exit " + last.getExitCode() + ", " + c.getRestartCount() + " restarts)"));
      }
    }
    if (restored == 0 && restoring == 0 && failing.isEmpty()) return null;
    StringBuilder s = new StringBuilder("Restoring backup ").append(backupId).append(": ").append(restored).append(" of ")
        .append(replicas).append(" members restored, ").append(restoring).append(" restoring");
    if (!failing.isEmpty()) {
      s.append("; failing and retried: ").append(String.join(", ", failing))
          .append(" (kubectl logs <pod> -c ").append(StatefulSetBuilders.RESTORE_CONTAINER).append(" says why)");
    }
    return s.append('.').toString();
  }

  private static ContainerStatus restoreStatus(Pod p) {
    if (p.getStatus() == null || p.getStatus().getInitContainerStatuses() == null) return null;
    return p.getStatus().getInitContainerStatuses().stream()
        .filter(c -> StatefulSetBuilders.RESTORE_CONTAINER.equals(c.getName())).findFirst().orElse(null);
  }
}
