package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.Map;

/**
 * Scraping by a Prometheus Operator (docs/operator.md "Monitoring"): a PodMonitor for the members. The alerting rules
 * and dashboards come with the Helm chart, once for every cluster, not per cluster.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MonitoringSpec {
  @Default("false")
  @JsonPropertyDescription("Create PodMonitor <name> (monitoring.coreos.com/v1) that scrapes every member's /metrics"
      + " (over TLS with the cluster's CA when TLS is on). Needs the Prometheus Operator's CRDs; without them the"
      + " cluster runs as usual and a Warning event (MonitoringUnavailable) says why there is none. false deletes it.")
  private Boolean podMonitor = false;

  @Default("30s")
  @Pattern("^[1-9][0-9]{0,3}(s|m)$")
  @JsonPropertyDescription("How often the members are scraped, e.g. 15s or 1m.")
  private String interval = "30s";

  @Size(max = 16)
  @JsonPropertyDescription("Labels on the PodMonitor, for your Prometheus's podMonitorSelector (e.g. release: prometheus).")
  private Map<String, @Size(max = 63) String> labels;

  public Boolean getPodMonitor() { return podMonitor; }
  public void setPodMonitor(Boolean podMonitor) { this.podMonitor = podMonitor; }
  public String getInterval() { return interval; }
  public void setInterval(String interval) { this.interval = interval; }
  public Map<String, String> getLabels() { return labels; }
  public void setLabels(Map<String, String> labels) { this.labels = labels; }

  public boolean wantsPodMonitor() { return Boolean.TRUE.equals(podMonitor); }
}
