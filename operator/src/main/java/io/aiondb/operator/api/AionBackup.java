package io.aiondb.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One backup of an AionCluster to the cluster's object store (spec.backup): {@code kubectl get aionbackups}. Its spec
 * never changes; its status follows the backup from Pending to Completed or Failed (docs/operator.md "AionBackup",
 * docs/design/010-operator-backups.md); io.aiondb.operator.backup.AionBackupReconciler carries it out.
 */
@Group(AionCluster.GROUP)
@Version(AionCluster.VERSION)
@ShortNames("aionbk")
@AdditionalPrinterColumn(name = "Cluster", jsonPath = ".spec.cluster", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Backup", jsonPath = ".status.backupId", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Revision", jsonPath = ".status.revision", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Bytes", jsonPath = ".status.bytes", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Verified", jsonPath = ".status.verification.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = "has(self.spec)", message = "spec is required")
public class AionBackup extends CustomResource<AionBackupSpec, AionBackupStatus> implements Namespaced {
  public static final String KIND = "AionBackup";

  @Override
  protected AionBackupStatus initStatus() {
    return new AionBackupStatus();
  }
}
