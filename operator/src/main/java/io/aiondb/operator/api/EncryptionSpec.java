package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * Encryption at rest of the members (docs/security.md "Encryption at rest", docs/operator.md "Encryption at rest"):
 * the key-encryption key comes from a Secret, the user's or one the operator makes once; turning it on for a running
 * cluster takes two rollouts, which the operator chains; it cannot be turned off.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EncryptionSpec {
  @JsonPropertyDescription("Seal every value and every Raft log entry with AES-256-GCM (the engine's encryption.key-file). "
      + "Off when left out. On a running cluster the operator first rolls out members that open sealed data, then "
      + "members that seal; once on it cannot be turned off.")
  private Boolean enabled;

  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("Secret holding the key-encryption key (32 bytes as 64 hex digits or base64, e.g. openssl "
      + "rand -hex 32). Left out: the operator makes Secret <name>-encryption-key once. Keep a copy elsewhere: without "
      + "it neither the volumes nor the backups of this cluster can be read.")
  private String secretName;

  @Size(max = 253)
  @Pattern("^[-._a-zA-Z0-9]+$")
  @Default("key")
  @JsonPropertyDescription("Key in the Secret that holds the key-encryption key.")
  private String key = "key";

  @Size(max = 8)
  @JsonPropertyDescription("Earlier keys still needed to open what they sealed while a new secretName takes over "
      + "(the engine's encryption.old-key-files; docs/operator.md \"Changing the key\").")
  private List<OldKey> oldKeys;

  public EncryptionSpec() {}

  public EncryptionSpec(Boolean enabled) {
    this.enabled = enabled;
  }

  /** A Secret key holding an earlier key-encryption key. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class OldKey {
    @Required
    @Size(max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @JsonPropertyDescription("Secret name, in the cluster's namespace.")
    private String secretName;

    @Size(max = 253)
    @Pattern("^[-._a-zA-Z0-9]+$")
    @Default("key")
    @JsonPropertyDescription("Key in the Secret.")
    private String key = "key";

    public OldKey() {}

    public OldKey(String secretName, String key) {
      this.secretName = secretName;
      this.key = key;
    }

    public String getSecretName() { return secretName; }
    public void setSecretName(String secretName) { this.secretName = secretName; }
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }
  }

  public Boolean getEnabled() { return enabled; }
  public void setEnabled(Boolean enabled) { this.enabled = enabled; }
  public String getSecretName() { return secretName; }
  public void setSecretName(String secretName) { this.secretName = secretName; }
  public String getKey() { return key; }
  public void setKey(String key) { this.key = key; }
  public List<OldKey> getOldKeys() { return oldKeys; }
  public void setOldKeys(List<OldKey> oldKeys) { this.oldKeys = oldKeys; }
}
