package io.aiondb.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** An Aion DB cluster: {@code kubectl get aionclusters} (short name {@code aion}). */
@Group(AionCluster.GROUP)
@Version(AionCluster.VERSION)
@ShortNames("aion")
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".spec.replicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.readyReplicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Updated", jsonPath = ".status.updatedReplicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.currentVersion", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Leader", jsonPath = ".status.leader", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Last Backup", jsonPath = ".status.lastBackup.completedAt", type = AdditionalPrinterColumn.Type.DATE,
    priority = 1)
@ValidationRule(value = "self.metadata.name.size() <= 40 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    message = "metadata.name must be at most 40 characters of a-z, 0-9 and '-', starting with a letter: it names the cluster's Services, StatefulSet and pod DNS names")
@ValidationRule(value = "has(self.spec)", message = "spec is required")
public class AionCluster extends CustomResource<AionClusterSpec, AionClusterStatus> implements Namespaced {
  public static final String GROUP = "aiondb.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "AionCluster";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  @Override
  protected AionClusterStatus initStatus() {
    return new AionClusterStatus();
  }
}
