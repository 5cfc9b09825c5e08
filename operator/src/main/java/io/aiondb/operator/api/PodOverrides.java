package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.List;
import java.util.Map;

/** Overrides of the members' pod template. Unset fields keep the operator's defaults. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodOverrides {
  @JsonPropertyDescription("Replaces the default affinity (prefer spreading members across nodes and zones).")
  private Affinity affinity;

  @Size(max = 32)
  @JsonPropertyDescription("Tolerations of the member pods (none by default), e.g. to run on tainted database nodes.")
  private List<Toleration> tolerations;

  @Size(max = 16)
  @JsonPropertyDescription("Topology spread constraints of the member pods (none by default: the default affinity spreads them).")
  private List<TopologySpreadConstraint> topologySpreadConstraints;

  @Size(max = 32)
  @JsonPropertyDescription("Node labels the member pods must run on (none by default), e.g. {disk: ssd}.")
  private Map<String, String> nodeSelector;

  @Size(max = 32)
  @ValidationRule(value = "self.all(k, !k.startsWith('app.kubernetes.io/'))",
      message = "pod.labels may not set app.kubernetes.io/* labels: the operator selects its pods by them")
  @JsonPropertyDescription("Extra labels of the member pods.")
  private Map<String, String> labels;

  @Size(max = 32)
  @ValidationRule(value = "self.all(k, !k.startsWith('aiondb.io/'))",
      message = "pod.annotations may not set aiondb.io/* annotations: the operator owns them")
  @JsonPropertyDescription("Extra annotations of the member pods.")
  private Map<String, String> annotations;

  public Affinity getAffinity() { return affinity; }
  public void setAffinity(Affinity affinity) { this.affinity = affinity; }
  public List<Toleration> getTolerations() { return tolerations; }
  public void setTolerations(List<Toleration> tolerations) { this.tolerations = tolerations; }
  public List<TopologySpreadConstraint> getTopologySpreadConstraints() { return topologySpreadConstraints; }
  public void setTopologySpreadConstraints(List<TopologySpreadConstraint> c) { this.topologySpreadConstraints = c; }
  public Map<String, String> getNodeSelector() { return nodeSelector; }
  public void setNodeSelector(Map<String, String> nodeSelector) { this.nodeSelector = nodeSelector; }
  public Map<String, String> getLabels() { return labels; }
  public void setLabels(Map<String, String> labels) { this.labels = labels; }
  public Map<String, String> getAnnotations() { return annotations; }
  public void setAnnotations(Map<String, String> annotations) { this.annotations = annotations; }
}
