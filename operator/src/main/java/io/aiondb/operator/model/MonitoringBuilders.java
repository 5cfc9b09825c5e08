package io.aiondb.operator.model;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.MonitoringSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * spec.monitoring as objects (docs/operator.md "Monitoring"): the PodMonitor that has a Prometheus Operator scrape the
 * members. A generic resource, so that the operator needs no Prometheus Operator model and runs where its CRDs are
 * absent. Pure: no I/O.
 *
 * <p>The scrape: every member's HTTP port ({@code http}) at {@code /metrics} (open without credentials,
 * docs/security.md); over TLS with the cluster's CA (the TLS Secret's {@code ca.crt}) and the client Service's name,
 * which every member's certificate carries. The job is {@code aion-db} (the pods' {@code app.kubernetes.io/name}), the
 * job the alerting rules select; each series gets {@code aion_cluster} (the cluster's name) beside Prometheus's
 * {@code namespace} and {@code pod}.
 */
public final class MonitoringBuilders {
  public static final ResourceDefinitionContext POD_MONITORS = new ResourceDefinitionContext.Builder()
      .withGroup("monitoring.coreos.com").withVersion("v1").withKind("PodMonitor").withPlural("podmonitors")
      .withNamespaced(true).build();

  private MonitoringBuilders() {}

  /** The PodMonitor {@code <name>}, or null when spec.monitoring.podMonitor is not true. */
  public static GenericKubernetesResource podMonitor(AionCluster cluster) {
    MonitoringSpec m = cluster.getSpec().getMonitoring();
    if (m == null || !m.wantsPodMonitor()) return null;
    ClusterNames names = ClusterNames.of(cluster);
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion("monitoring.coreos.com/v1");
    r.setKind("PodMonitor");
    var metadata = Owners.metadata(cluster, names.name());
    Map<String, String> labels = new LinkedHashMap<>(Labels.of(cluster));
    if (m.getLabels() != null) labels.putAll(m.getLabels());
    metadata.setLabels(labels);
    r.setMetadata(metadata);

    Map<String, Object> endpoint = new LinkedHashMap<>();
    endpoint.put("port", "http");
    endpoint.put("path", "/metrics");
    endpoint.put("interval", m.getInterval() == null ? "30s" : m.getInterval());
    if (TlsBuilders.enabled(cluster)) {
      endpoint.put("scheme", "https");
      endpoint.put("tlsConfig", Map.of(
          "ca", Map.of("secret", Map.of("name", TlsBuilders.secretName(cluster), "key", TlsBuilders.CA)),
          "serverName", names.clientHost()));
    } else {
      endpoint.put("scheme", "http");
    }
    endpoint.put("relabelings", List.of(Map.of("action", "replace", "targetLabel", "aion_cluster",
        "replacement", names.name())));

    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("jobLabel", Labels.NAME);
    spec.put("selector", Map.of("matchLabels", Labels.selector(cluster)));
    spec.put("podMetricsEndpoints", List.of(endpoint));
    r.setAdditionalProperty("spec", spec);
    return r;
  }
}
