package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Where the cluster's backups go (docs/backup.md, docs/operator.md "Backups"): an S3-compatible bucket, the Secret with
 * its credentials, and optionally the Secret with the key that encrypts every backup. Configured once per cluster and
 * mounted into every member, so that whichever member is asked to back up can.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupSpec {
  @Required
  @JsonPropertyDescription("The S3-compatible object store.")
  private S3 s3;

  @JsonPropertyDescription("Client-side encryption of every backup with the key in a Secret.")
  private Encryption encryption;

  @Size(max = 8)
  @ValidationRule(value = "self.all(a, self.exists_one(b, b.name == a.name))", message = "store names must be unique")
  @JsonPropertyDescription("Named stores besides the default one (s3), mounted into every member too: an AionBackup or"
      + " AionBackupSchedule picks one with spec.store (e.g. an archive bucket in another region, with its own"
      + " credentials and key). Adding, changing or removing one restarts the members one at a time.")
  private java.util.List<NamedStore> stores;

  public java.util.List<NamedStore> getStores() { return stores; }
  public void setStores(java.util.List<NamedStore> stores) { this.stores = stores; }

  /** The named store {@code name}, or null. */
  public NamedStore store(String name) {
    return stores == null || name == null ? null
        : stores.stream().filter(s -> name.equals(s.getName())).findFirst().orElse(null);
  }

  /** A store besides the default one, picked by name (docs/operator.md "Named stores"). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class NamedStore {
    @Required
    @Size(min = 1, max = 40)
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("The store's name (a DNS label of at most 40 characters), as AionBackup spec.store gives it.")
    private String name;

    @Required
    @JsonPropertyDescription("The S3-compatible object store, as spec.backup.s3 (prefix default: <namespace>/<cluster"
        + " name>).")
    private S3 s3;

    @JsonPropertyDescription("Client-side encryption of the backups in this store with the key in a Secret.")
    private Encryption encryption;

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public S3 getS3() { return s3; }
    public void setS3(S3 s3) { this.s3 = s3; }
    public Encryption getEncryption() { return encryption; }
    public void setEncryption(Encryption encryption) { this.encryption = encryption; }
  }

  public S3 getS3() { return s3; }
  public void setS3(S3 s3) { this.s3 = s3; }
  public Encryption getEncryption() { return encryption; }
  public void setEncryption(Encryption encryption) { this.encryption = encryption; }

  /** An S3-compatible bucket and how to reach it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class S3 {
    @Required
    @Size(min = 3, max = 63)
    @Pattern("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    @JsonPropertyDescription("The bucket; it must exist.")
    private String bucket;

    @Size(max = 256)
    @Pattern("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$")
    @JsonPropertyDescription("Endpoint URL, e.g. http://minio.storage.svc:9000. Empty: AWS S3 for the region.")
    private String endpoint;

    @Size(max = 512)
    @Pattern("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$")
    @JsonPropertyDescription("Key prefix of this cluster's backups. Default: <namespace>/<cluster name>.")
    private String prefix;

    @Size(max = 64)
    @Pattern("^[a-z0-9-]+$")
    @Default("us-east-1")
    @JsonPropertyDescription("Region the requests are signed for.")
    private String region = "us-east-1";

    @Default("false")
    @JsonPropertyDescription("Path-style URLs (endpoint/bucket/key), as MinIO, Ceph and s3proxy need.")
    private Boolean pathStyle = false;

    @Required
    @JsonPropertyDescription("Secret with the access key id and secret access key (mounted into the members as the"
        + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables).")
    private CredentialsSecret credentialsSecret;

    public String getBucket() { return bucket; }
    public void setBucket(String bucket) { this.bucket = bucket; }
    public String getEndpoint() { return endpoint; }
    public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
    public String getPrefix() { return prefix; }
    public void setPrefix(String prefix) { this.prefix = prefix; }
    public String getRegion() { return region; }
    public void setRegion(String region) { this.region = region; }
    public Boolean getPathStyle() { return pathStyle; }
    public void setPathStyle(Boolean pathStyle) { this.pathStyle = pathStyle; }
    public CredentialsSecret getCredentialsSecret() { return credentialsSecret; }
    public void setCredentialsSecret(CredentialsSecret credentialsSecret) { this.credentialsSecret = credentialsSecret; }
  }

  /** The Secret holding the S3 credentials, and under which keys. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class CredentialsSecret {
    @Required
    @Size(max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @JsonPropertyDescription("Secret name, in the cluster's namespace.")
    private String name;

    @Size(max = 253)
    @Pattern("^[-._a-zA-Z0-9]+$")
    @Default("AWS_ACCESS_KEY_ID")
    @JsonPropertyDescription("Key of the access key id in the Secret.")
    private String accessKeyIdKey = "AWS_ACCESS_KEY_ID";

    @Size(max = 253)
    @Pattern("^[-._a-zA-Z0-9]+$")
    @Default("AWS_SECRET_ACCESS_KEY")
    @JsonPropertyDescription("Key of the secret access key in the Secret.")
    private String secretAccessKeyKey = "AWS_SECRET_ACCESS_KEY";

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getAccessKeyIdKey() { return accessKeyIdKey; }
    public void setAccessKeyIdKey(String accessKeyIdKey) { this.accessKeyIdKey = accessKeyIdKey; }
    public String getSecretAccessKeyKey() { return secretAccessKeyKey; }
    public void setSecretAccessKeyKey(String secretAccessKeyKey) { this.secretAccessKeyKey = secretAccessKeyKey; }
  }

  /** The Secret key that holds the backup encryption key (32 bytes as 64 hex digits or base64). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Encryption {
    @Required
    @Size(max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @JsonPropertyDescription("Secret name, in the cluster's namespace (e.g. made from openssl rand -hex 32).")
    private String secretName;

    @Size(max = 253)
    @Pattern("^[-._a-zA-Z0-9]+$")
    @Default("backup.key")
    @JsonPropertyDescription("Key in the Secret that holds the encryption key.")
    private String key = "backup.key";

    public String getSecretName() { return secretName; }
    public void setSecretName(String secretName) { this.secretName = secretName; }
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }
  }
}
