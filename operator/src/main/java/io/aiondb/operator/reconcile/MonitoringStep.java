package io.aiondb.operator.reconcile;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.model.ClusterNames;
import io.aiondb.operator.model.MonitoringBuilders;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;

/**
 * The "monitoring" step (docs/operator.md "Monitoring"): keeps PodMonitor {@code <name>} equal to
 * {@link MonitoringBuilders#podMonitor} (hash annotation, as {@link Applier}), or deletes it when spec.monitoring no
 * longer asks for one. The Prometheus Operator's CRD may be missing: the API server then answers 404 for the kind, and
 * the step reports it without failing the reconcile (a cluster runs the same without a PodMonitor). Calls: get,
 * create, update, delete of PodMonitors.
 */
final class MonitoringStep {
  /** What the step did. */
  enum Outcome { NONE, CREATED, UPDATED, UNCHANGED, DELETED, UNAVAILABLE }

  private final KubernetesClient client;

  MonitoringStep(KubernetesClient client) {
    this.client = client;
  }

  Outcome run(AionCluster cluster) {
    ClusterNames names = ClusterNames.of(cluster);
    var monitors = client.genericKubernetesResources(MonitoringBuilders.POD_MONITORS).inNamespace(names.namespace());
    GenericKubernetesResource desired = MonitoringBuilders.podMonitor(cluster);
    try {
      GenericKubernetesResource existing = monitors.withName(names.name()).get(); // null also when the kind is unknown
      if (desired == null) {
        if (existing == null) return Outcome.NONE;
        monitors.withName(names.name()).delete();
        return Outcome.DELETED;
      }
      String hash = Applier.hash(desired);
      if (desired.getMetadata().getAnnotations() == null) desired.getMetadata().setAnnotations(new LinkedHashMap<>());
      desired.getMetadata().getAnnotations().put(Applier.HASH_ANNOTATION, hash);
      if (existing == null) {
        monitors.resource(desired).create();
        return Outcome.CREATED;
      }
      var annotations = existing.getMetadata().getAnnotations();
      if (annotations != null && hash.equals(annotations.get(Applier.HASH_ANNOTATION))) return Outcome.UNCHANGED;
      desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
      monitors.resource(desired).update();
      return Outcome.UPDATED;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 && desired != null) return Outcome.UNAVAILABLE; // no PodMonitor kind: no Prometheus Operator
      // not asked for, and the operator may not even read PodMonitors (RBAC of an older chart): nothing to remove
      if (desired == null && (e.getCode() == 403 || e.getCode() == 404)) return Outcome.NONE;
      throw e;
    }
  }
}
