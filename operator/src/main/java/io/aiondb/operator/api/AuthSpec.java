package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Authentication and access control on the members (docs/security.md "Authentication and access control", docs/operator.md
 * "Authentication"). {@code enabled} left out means: on for a new cluster, and for a cluster that existed before this
 * setting, what its members run now (an operator upgrade never locks its clients out).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AuthSpec {
  @JsonPropertyDescription("Require credentials on every request (the engine's auth.enabled). Left out: on for a new "
      + "cluster; a cluster created before this field keeps what its members run. The operator keeps the root user's "
      + "password in Secret <name>-root and its own API key (service account aion-operator: cluster and backup "
      + "operations only, no data) in Secret <name>-operator-key.")
  private Boolean enabled;

  public AuthSpec() {}

  public AuthSpec(Boolean enabled) {
    this.enabled = enabled;
  }

  public Boolean getEnabled() { return enabled; }
  public void setEnabled(Boolean enabled) { this.enabled = enabled; }
}
