package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Transport security of the HTTP and Raft ports. {@code mode} left out means Generated for a new cluster, and for a
 * cluster whose StatefulSet exists, what it runs now ({@link io.aiondb.operator.model.TlsBuilders#resolve}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.mode) && self.mode == 'Secret' ? has(self.secretName) : !has(self.secretName)",
    message = "tls.secretName is required with mode Secret and not allowed with the other modes")
public class TlsSpec {
  public enum Mode { Disabled, Generated, Secret }

  /** Who the Raft port accepts (the engine's tls.peer-identity). */
  public enum PeerIdentity { Any, Uri }

  @JsonPropertyDescription("Disabled (plain HTTP), Generated (operator-made CA and certificates) or Secret (an existing "
      + "kubernetes.io/tls Secret). Left out: Generated for a new cluster; a cluster created before this default keeps "
      + "what its members run.")
  private Mode mode;

  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("With mode Secret: the Secret holding tls.crt, tls.key and ca.crt.")
  private String secretName;

  @JsonPropertyDescription("Who the members' Raft port accepts: Uri (only certificates naming aion://peer or "
      + "aion://peer/<pod>, as the operator's generated certificate does; a client certificate from the same CA is refused) "
      + "or Any (any certificate from the CA). Left out: Uri for a new cluster with mode Generated, Any for mode Secret; a "
      + "running cluster keeps what its members run.")
  private PeerIdentity peerIdentity;

  public PeerIdentity getPeerIdentity() { return peerIdentity; }
  public void setPeerIdentity(PeerIdentity peerIdentity) { this.peerIdentity = peerIdentity; }
  public Mode getMode() { return mode; }
  public void setMode(Mode mode) { this.mode = mode; }
  public String getSecretName() { return secretName; }
  public void setSecretName(String secretName) { this.secretName = secretName; }
}
