package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the engine holds for the AionUser. Written only by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AionUserStatus {
  /** Ready: True when the engine's account matches the spec; False with a reason otherwise. */
  private List<Condition> conditions = new ArrayList<>();
  private Long observedGeneration;
  /** The kind of account the engine holds: password (a user) or apiKey (a service account). */
  private String type;
  /** The Secret an application reads its credentials from. */
  private String secret;
  /** The password Secret's resourceVersion last sent to the engine (a new one: the password is set again). */
  private String passwordVersion;
  /** The id of the API key in the Secret (type apiKey): the account's only key. */
  private String keyId;
  /** Whether the engine holds the inline role aionuser.&lt;name&gt; (spec.rules). */
  private Boolean inlineRole;

  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public String getType() { return type; }
  public void setType(String type) { this.type = type; }
  public String getSecret() { return secret; }
  public void setSecret(String secret) { this.secret = secret; }
  public String getPasswordVersion() { return passwordVersion; }
  public void setPasswordVersion(String passwordVersion) { this.passwordVersion = passwordVersion; }
  public String getKeyId() { return keyId; }
  public void setKeyId(String keyId) { this.keyId = keyId; }
  public Boolean getInlineRole() { return inlineRole; }
  public void setInlineRole(Boolean inlineRole) { this.inlineRole = inlineRole; }
}
