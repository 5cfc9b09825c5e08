package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.ArrayList;
import java.util.List;

/** What the user asks for. Every field is validated by the CRD's OpenAPI schema and CEL rules. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(has(self.storage) && has(self.storage.storageClassName))"
    + " == (has(oldSelf.storage) && has(oldSelf.storage.storageClassName))",
    fieldPath = ".storage.storageClassName",
    message = "storageClassName cannot be added or removed once the cluster exists: a StatefulSet's volume claim"
        + " template cannot change and existing volumes are not migrated")
@ValidationRule(value = "has(self.bootstrap) == has(oldSelf.bootstrap)", fieldPath = ".bootstrap",
    message = "spec.bootstrap is given when the cluster is created and cannot be added or removed later")
public class AionClusterSpec {
  @SpecReplicas
  @Min(1)
  @Max(7)
  @Default("3")
  @ValidationRule(value = "self % 2 == 1",
      message = "replicas must be 1, 3, 5 or 7: an odd number of voting members is what keeps a majority when one fails")
  @JsonPropertyDescription("Number of voting members: 1, 3, 5 or 7.")
  private Integer replicas = 3;

  @Required
  @Size(max = 64)
  @Pattern("^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$")
  @ValidationRule(value = "int(self.split('.')[0]) >= int(oldSelf.split('.')[0])",
      message = "version cannot go down a major version (e.g. 2.x to 1.x): the on-disk format is not read by older majors")
  @JsonPropertyDescription("Engine version, e.g. 0.1.0. The image is derived from it unless image is set.")
  private String version;

  @Size(max = 512)
  @Pattern("^[a-zA-Z0-9][a-zA-Z0-9._/:@-]*$")
  @JsonPropertyDescription("Engine container image; overrides the one derived from version.")
  private String image;

  @JsonPropertyDescription("Persistent storage of each member.")
  private StorageSpec storage = new StorageSpec();

  @JsonPropertyDescription("CPU and memory of each member's engine container.")
  private ResourceRequirements resources;

  @Size(max = 64)
  @ValidationRule(value = "self.all(a, self.exists_one(b, b.name == a.name))", message = "config names must be unique")
  @JsonPropertyDescription("Engine settings (docs/configuration.md) written into the members' configuration file, e.g. {name: cache.size, value: 256MiB}.")
  private List<ConfigEntry> config = new ArrayList<>();

  @JsonPropertyDescription("Overrides applied to the members' pod template.")
  private PodOverrides pod;

  @JsonPropertyDescription("Transport security.")
  private TlsSpec tls = new TlsSpec();

  @JsonPropertyDescription("Authentication and access control (on unless set to false; see docs/operator.md).")
  private AuthSpec auth;

  @JsonPropertyDescription("Encryption at rest: every value and Raft log entry sealed with AES-256-GCM (off unless enabled; see docs/operator.md).")
  private EncryptionSpec encryption;

  @JsonPropertyDescription("NetworkPolicy <name>: the Raft port from the members only, the API ports from apiFrom (default: anyone).")
  private NetworkPolicySpec networkPolicy;

  @JsonPropertyDescription("Scraping by a Prometheus Operator: a PodMonitor for the members (docs/operator.md"
      + " \"Monitoring\").")
  private MonitoringSpec monitoring;

  @JsonPropertyDescription("How changes are rolled out to the members.")
  private UpdateStrategy updateStrategy = new UpdateStrategy();

  @JsonPropertyDescription("Where backups go (an S3-compatible bucket, its credentials, optional encryption); absent:"
      + " the cluster cannot be backed up.")
  private BackupSpec backup;

  @ValidationRule(value = "self == oldSelf", message = "spec.bootstrap cannot change: it says how the cluster started")
  @JsonPropertyDescription("How the cluster starts: absent, empty; restore, from a backup (only at creation).")
  private BootstrapSpec bootstrap;

  @Default("false")
  @JsonPropertyDescription("When true the operator changes nothing on the cluster; status.phase says Paused.")
  private Boolean paused = false;

  public BootstrapSpec getBootstrap() { return bootstrap; }
  public void setBootstrap(BootstrapSpec bootstrap) { this.bootstrap = bootstrap; }
  public Integer getReplicas() { return replicas; }
  public void setReplicas(Integer replicas) { this.replicas = replicas; }
  public String getVersion() { return version; }
  public void setVersion(String version) { this.version = version; }
  public String getImage() { return image; }
  public void setImage(String image) { this.image = image; }
  public StorageSpec getStorage() { return storage; }
  public void setStorage(StorageSpec storage) { this.storage = storage; }
  public ResourceRequirements getResources() { return resources; }
  public void setResources(ResourceRequirements resources) { this.resources = resources; }
  public List<ConfigEntry> getConfig() { return config; }
  public void setConfig(List<ConfigEntry> config) { this.config = config; }
  public PodOverrides getPod() { return pod; }
  public void setPod(PodOverrides pod) { this.pod = pod; }
  public MonitoringSpec getMonitoring() { return monitoring; }
  public void setMonitoring(MonitoringSpec monitoring) { this.monitoring = monitoring; }
  public NetworkPolicySpec getNetworkPolicy() { return networkPolicy; }
  public void setNetworkPolicy(NetworkPolicySpec networkPolicy) { this.networkPolicy = networkPolicy; }
  public EncryptionSpec getEncryption() { return encryption; }
  public void setEncryption(EncryptionSpec encryption) { this.encryption = encryption; }
  public AuthSpec getAuth() { return auth; }
  public void setAuth(AuthSpec auth) { this.auth = auth; }
  public TlsSpec getTls() { return tls; }
  public void setTls(TlsSpec tls) { this.tls = tls; }
  public UpdateStrategy getUpdateStrategy() { return updateStrategy; }
  public void setUpdateStrategy(UpdateStrategy updateStrategy) { this.updateStrategy = updateStrategy; }
  public BackupSpec getBackup() { return backup; }
  public void setBackup(BackupSpec backup) { this.backup = backup; }
  public Boolean getPaused() { return paused; }
  public void setPaused(Boolean paused) { this.paused = paused; }

  public boolean isPaused() { return Boolean.TRUE.equals(paused); }
  public int replicasOrDefault() { return replicas == null ? 3 : replicas; }
  public java.time.Duration podReadyTimeout() {
    return (updateStrategy != null ? updateStrategy : new UpdateStrategy()).podReadyTimeout();
  }
}
