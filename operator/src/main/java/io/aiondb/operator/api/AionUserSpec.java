package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Who the account is and what it may do (docs/operator.md "Users"). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.cluster == oldSelf.cluster", message = "spec.cluster cannot change: create another AionUser")
public class AionUserSpec {
  @Required
  @Size(max = 40)
  @Pattern("^[a-z]([-a-z0-9]*[a-z0-9])?$")
  @JsonPropertyDescription("The AionCluster (in this namespace) the account is made in; it must run with auth on.")
  private String cluster;

  @JsonPropertyDescription("How the account proves who it is. Left out: a password the operator generates.")
  private Authentication authentication = new Authentication();

  @Size(max = 50)
  @JsonPropertyDescription("Roles bound to the account: built-in (root, admin, readwrite, readonly) or made through the"
      + " API. A role that does not exist yet keeps the AionUser not Ready (reason RoleNotFound) until it does.")
  private List<@Pattern("^[a-z0-9][a-z0-9._-]{0,255}$") String> roles = new ArrayList<>();

  @Size(max = 100)
  @JsonPropertyDescription("Grants of the account's own role (the engine's role aionuser.<name>, kept by the operator):"
      + " namespaces, optional key prefixes, operations. Grants add up with those of spec.roles.")
  private List<Rule> rules = new ArrayList<>();

  /** The engine's credential kinds. */
  public enum Type { password, apiKey }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Authentication {
    @Default("password")
    @JsonPropertyDescription("password: a user that logs in (POST /v1/auth/login, aion login) with the password in the"
        + " Secret; apiKey: a service account whose API key (aion_...) is in the Secret, sent as a bearer token.")
    private Type type = Type.password;

    @JsonPropertyDescription("type password only: the user's own Secret holding the password (at least 8"
        + " characters); left out, the operator generates one into Secret <name>. A change of its value is applied"
        + " within a minute (the user's tokens are revoked).")
    private SecretKey passwordSecret;

    public Type getType() { return type; }
    public void setType(Type type) { this.type = type; }
    public SecretKey getPasswordSecret() { return passwordSecret; }
    public void setPasswordSecret(SecretKey passwordSecret) { this.passwordSecret = passwordSecret; }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SecretKey {
    @Required
    @Size(max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @JsonPropertyDescription("A Secret in this namespace.")
    private String name;

    @Default("password")
    @Size(max = 253)
    @Pattern("^[-._a-zA-Z0-9]+$")
    @JsonPropertyDescription("Its key holding the password.")
    private String key = "password";

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }
  }

  /** One grant, as the engine's role rules (docs/security.md "Roles"). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "!self.operations.exists(o, o in ['user-admin', 'cluster-read', 'cluster-admin', 'backup'])"
      + " || self.namespaces == ['*']",
      message = "user-admin, cluster-read, cluster-admin and backup are granted only on namespaces [\"*\"]")
  public static class Rule {
    /** The engine's operations, as it spells them. */
    public enum Operation {
      read, write, delete, query, watch, txn,
      @com.fasterxml.jackson.annotation.JsonProperty("index-admin") indexAdmin,
      @com.fasterxml.jackson.annotation.JsonProperty("namespace-admin") namespaceAdmin,
      @com.fasterxml.jackson.annotation.JsonProperty("user-admin") userAdmin,
      @com.fasterxml.jackson.annotation.JsonProperty("cluster-read") clusterRead,
      @com.fasterxml.jackson.annotation.JsonProperty("cluster-admin") clusterAdmin,
      backup
    }

    @Required
    @Size(min = 1, max = 100)
    @JsonPropertyDescription("Namespace names or globs with *, e.g. [orders] or [\"*\"].")
    private List<@Size(min = 1, max = 256) String> namespaces = new ArrayList<>();

    @Size(max = 100)
    @JsonPropertyDescription("Key prefixes the grant is limited to; left out: whole namespaces.")
    private List<@Size(min = 1, max = 1024) String> keyPrefixes;

    @Required
    @Size(min = 1, max = 12)
    @JsonPropertyDescription("read, write, delete, query, watch, txn, index-admin, namespace-admin; user-admin,"
        + " cluster-read, cluster-admin and backup only on namespaces [\"*\"].")
    private List<Operation> operations = new ArrayList<>();

    public List<String> getNamespaces() { return namespaces; }
    public void setNamespaces(List<String> namespaces) { this.namespaces = namespaces; }
    public List<String> getKeyPrefixes() { return keyPrefixes; }
    public void setKeyPrefixes(List<String> keyPrefixes) { this.keyPrefixes = keyPrefixes; }
    public List<Operation> getOperations() { return operations; }
    public void setOperations(List<Operation> operations) { this.operations = operations; }
  }

  public String getCluster() { return cluster; }
  public void setCluster(String cluster) { this.cluster = cluster; }
  public Authentication getAuthentication() { return authentication; }
  public void setAuthentication(Authentication authentication) { this.authentication = authentication; }
  public List<String> getRoles() { return roles; }
  public void setRoles(List<String> roles) { this.roles = roles; }
  public List<Rule> getRules() { return rules; }
  public void setRules(List<Rule> rules) { this.rules = rules; }
}
