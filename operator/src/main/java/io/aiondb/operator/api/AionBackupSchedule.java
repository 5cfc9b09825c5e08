package io.aiondb.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Backups of an AionCluster on a cron schedule, with retention: {@code kubectl get aionbackupschedules}. Each run is
 * an AionBackup named {@code <schedule>-<yyyyMMddHHmm>} (the scheduled time, UTC); docs/operator.md
 * "AionBackupSchedule", docs/design/010-operator-backups.md.
 */
@Group(AionCluster.GROUP)
@Version(AionCluster.VERSION)
@ShortNames("aionbks")
@AdditionalPrinterColumn(name = "Cluster", jsonPath = ".spec.cluster", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Schedule", jsonPath = ".spec.schedule", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Suspend", jsonPath = ".spec.suspend", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Last Success", jsonPath = ".status.lastSuccessfulTime", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Next", jsonPath = ".status.nextScheduleTime", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = "self.metadata.name.size() <= 40 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    message = "metadata.name must be at most 40 characters of a-z, 0-9 and '-', starting with a letter: it prefixes the names of its AionBackups")
@ValidationRule(value = "has(self.spec)", message = "spec is required")
public class AionBackupSchedule extends CustomResource<AionBackupScheduleSpec, AionBackupScheduleStatus>
    implements Namespaced {
  public static final String KIND = "AionBackupSchedule";

  @Override
  protected AionBackupScheduleStatus initStatus() {
    return new AionBackupScheduleStatus();
  }
}
