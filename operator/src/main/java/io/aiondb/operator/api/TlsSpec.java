package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Transport security of the HTTP and Raft ports. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.mode == 'Secret' ? has(self.secretName) : !has(self.secretName)",
    message = "tls.secretName is required with mode Secret and not allowed with the other modes")
public class TlsSpec {
  public enum Mode { Disabled, Generated, Secret }

  @Default("Disabled")
  @JsonPropertyDescription("Disabled (plain HTTP), Generated (operator-made CA and certificates) or Secret (an existing kubernetes.io/tls Secret).")
  private Mode mode = Mode.Disabled;

  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("With mode Secret: the Secret holding tls.crt, tls.key and ca.crt.")
  private String secretName;

  public Mode getMode() { return mode; }
  public void setMode(Mode mode) { this.mode = mode; }
  public String getSecretName() { return secretName; }
  public void setSecretName(String secretName) { this.secretName = secretName; }
}
