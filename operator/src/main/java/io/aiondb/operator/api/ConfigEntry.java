package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * One engine setting, like a container's env entry. A list of bounded entries rather than a map so that every CEL
 * rule on it has a small, fixed cost for the API server (map keys have no length bound in a CRD schema).
 */
@ValidationRule(value = "!(self.name in " + ConfigEntry.OPERATOR_OWNED_SETTINGS + ")",
    message = "config may not set node.id, cluster.peers, cluster.initial-members, cluster.bootstrap, raft.host, raft.port, http.port, http.host, data.dir, data.cold-dir, "
        + "http.port-file, tls.* (use spec.tls), auth.enabled, auth.root-password-file, auth.operator-key-file (use spec.auth), encryption.key-file, encryption.old-key-files (use spec.encryption) or backup.* (use spec.backup): the operator sets them")
public class ConfigEntry {
  /** Engine settings the operator owns (it sets them from the cluster's shape); users may not override them. */
  public static final String OPERATOR_OWNED_SETTINGS =
      "['node.id', 'cluster.peers', 'cluster.initial-members', 'cluster.bootstrap', 'raft.host', 'raft.port', 'http.port', 'http.host', 'data.dir', 'data.cold-dir', "
          + "'http.port-file', 'tls.cert-file', 'tls.key-file', 'tls.ca-file', 'tls.client-auth', 'tls.peer-identity', 'backup.s3.bucket',"
          + " 'backup.s3.endpoint', 'backup.s3.prefix', 'backup.s3.region', 'backup.s3.path-style',"
          + " 'backup.encryption-key-file', 'backup.encryption-old-key-files', 'backup.stores-file',"
          + " 'auth.enabled', 'auth.root-password-file', 'auth.operator-key-file', 'encryption.key-file',"
          + " 'encryption.old-key-files']";

  @Required
  @Size(min = 1, max = 63)
  @Pattern("^[a-z][a-z0-9]*([.-][a-z0-9]+)*$")
  @JsonPropertyDescription("Setting name from docs/configuration.md, e.g. cache.size.")
  private String name;

  @Required
  @Size(max = 256)
  @Pattern("^[^\\n\\r\\\\]*$")
  @JsonPropertyDescription("Setting value, one line without backslashes, e.g. 256MiB.")
  private String value;

  public ConfigEntry() {}

  public ConfigEntry(String name, String value) {
    this.name = name;
    this.value = value;
  }

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getValue() { return value; }
  public void setValue(String value) { this.value = value; }
}
