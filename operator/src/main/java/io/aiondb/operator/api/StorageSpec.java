package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The PersistentVolumeClaim of each member. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {
  public enum ReclaimPolicy { Retain, Delete }

  @Default("10Gi")
  @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
  @JsonPropertyDescription("Volume size per member, as a Kubernetes quantity (e.g. 10Gi).")
  private String size = "10Gi";

  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @ValidationRule(value = "self == oldSelf", message = "storageClassName cannot change once set: existing volumes are not migrated")
  @JsonPropertyDescription("StorageClass of the volumes; empty uses the cluster's default class.")
  private String storageClassName;

  @Default("Retain")
  @JsonPropertyDescription("What happens to the volumes when the AionCluster is deleted: Retain keeps them (default), Delete removes them.")
  private ReclaimPolicy reclaimPolicy = ReclaimPolicy.Retain;

  public String getSize() { return size; }
  public void setSize(String size) { this.size = size; }
  public String getStorageClassName() { return storageClassName; }
  public void setStorageClassName(String storageClassName) { this.storageClassName = storageClassName; }
  public ReclaimPolicy getReclaimPolicy() { return reclaimPolicy; }
  public void setReclaimPolicy(ReclaimPolicy reclaimPolicy) { this.reclaimPolicy = reclaimPolicy; }
}
