package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.util.List;

/**
 * The NetworkPolicy the operator keeps for a cluster (docs/operator.md "Network policy"): the Raft port from the
 * members only, the API ports (HTTP and the binary protocol) from {@code apiFrom}, the members and the operator, or
 * from anywhere when {@code apiFrom} is left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkPolicySpec {
  @Default("true")
  @JsonPropertyDescription("Create NetworkPolicy <name> for the members (default true). Enforced only where the "
      + "cluster's network plugin supports NetworkPolicies.")
  private Boolean enabled = true;

  @Size(max = 16)
  @JsonPropertyDescription("Who may reach the API ports (HTTP and the binary protocol) besides the members and the "
      + "operator, as NetworkPolicy peers (podSelector, namespaceSelector, ipBlock). Left out: anyone. Include your "
      + "Prometheus if it scrapes /metrics.")
  private List<NetworkPolicyPeer> apiFrom;

  public Boolean getEnabled() { return enabled; }
  public void setEnabled(Boolean enabled) { this.enabled = enabled; }
  public List<NetworkPolicyPeer> getApiFrom() { return apiFrom; }
  public void setApiFrom(List<NetworkPolicyPeer> apiFrom) { this.apiFrom = apiFrom; }

  public boolean isEnabled() { return enabled == null || enabled; }
}
