package io.aiondb.operator.backup;

import io.aiondb.operator.OperatorConfig;
import io.aiondb.operator.api.AionBackup;
import io.aiondb.operator.api.AionBackupSchedule;
import io.aiondb.operator.api.AionBackupScheduleSpec;
import io.aiondb.operator.api.AionBackupScheduleStatus;
import io.aiondb.operator.api.AionBackupSpec;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.engine.BackupView;
import io.aiondb.operator.engine.EngineAddresses;
import io.aiondb.operator.engine.EngineClient;
import io.aiondb.operator.engine.EngineRefusedException;
import io.aiondb.operator.engine.EngineUnavailableException;
import io.aiondb.operator.reconcile.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Carries out {@link ScheduleStep}'s plan for an AionBackupSchedule: creates the due AionBackup (its name is the
 * scheduled time, so a create repeated after a lost status write answers 409 and counts as done), deletes the
 * AionBackups retention drops (their finalizer deletes them from the store), asks a member for a sweep of
 * unreferenced files once those deletions are through, writes the status and wakes at the next due time. The
 * schedule's AionBackups (label {@value #SCHEDULE_LABEL}) changing phase also wake it.
 */
@ControllerConfiguration(name = AionBackupScheduleReconciler.NAME)
public class AionBackupScheduleReconciler implements Reconciler<AionBackupSchedule> {
  public static final String NAME = "aionbackupschedule";
  /** On an AionBackup: the schedule that created it. */
  public static final String SCHEDULE_LABEL = "aiondb.io/schedule";
  /** On an AionBackup: the time it was scheduled for (ISO-8601, UTC). */
  public static final String SCHEDULED_AT = "aiondb.io/scheduled-at";

  private final KubernetesClient client;
  private final EngineClient engine;
  private final Members members;
  private final EventRecorder events;

  @Inject
  public AionBackupScheduleReconciler(KubernetesClient client, OperatorConfig config,
      @ConfigProperty(name = "HOSTNAME", defaultValue = "aion-operator") String instance) {
    this.client = client;
    this.engine = new EngineClient(config.engineTimeout());
    this.members = new Members(client, engine, new EngineAddresses(config.engineUrlTemplate(),
        config.engineMemberUrlTemplate()));
    this.events = new EventRecorder(client, instance);
  }

  @Override
  public List<EventSource<?, AionBackupSchedule>> prepareEventSources(EventSourceContext<AionBackupSchedule> context) {
    var backups = InformerEventSourceConfiguration.from(AionBackup.class, AionBackupSchedule.class)
        .withLabelSelector(SCHEDULE_LABEL)
        .withSecondaryToPrimaryMapper(b -> Set.of(new ResourceID(b.getMetadata().getLabels().get(SCHEDULE_LABEL),
            b.getMetadata().getNamespace())))
        .build();
    return List.of(new InformerEventSource<>(backups, context));
  }

  @Override
  public UpdateControl<AionBackupSchedule> reconcile(AionBackupSchedule schedule, Context<AionBackupSchedule> context) {
    String ns = schedule.getMetadata().getNamespace();
    String name = schedule.getMetadata().getName();
    AionBackupScheduleSpec spec = schedule.getSpec();
    AionCluster cluster = client.resources(AionCluster.class).inNamespace(ns).withName(spec.getCluster()).get();
    List<AionBackup> owned = client.resources(AionBackup.class).inNamespace(ns).withLabel(SCHEDULE_LABEL, name).list()
        .getItems();
    List<ScheduleStep.Backup> backups = owned.stream().map(AionBackupScheduleReconciler::view).toList();
    Instant now = Instant.now();
    ScheduleStep.Plan plan = ScheduleStep.decide(name, new ScheduleStep.Snapshot(now,
        Instant.parse(schedule.getMetadata().getCreationTimestamp()), spec, schedule.getStatus(), cluster != null, backups));
    AionBackupScheduleStatus status = plan.status();
    status.setObservedGeneration(schedule.getMetadata().getGeneration());
    AionBackupScheduleStatus before = schedule.getStatus();
    if (status.getReason() != null && (before == null || !status.getReason().equals(before.getReason()))) {
      events.warning(schedule, status.getReason(), status.getMessage());
    }

    if (plan.create() != null) create(schedule, cluster, plan.create());
    if (!plan.delete().isEmpty()) {
      for (String b : plan.delete()) {
        client.resources(AionBackup.class).inNamespace(ns).withName(b).delete();
      }
      events.normal(schedule, "Retention", "Deleted AionBackup " + String.join(", ", plan.delete())
          + (spec.getDeletionPolicy() == AionBackupSpec.DeletionPolicy.Delete ? " (and their backups in the store)" : "")
          + " under the retention rule.");
    }
    if (plan.sweep()) sweep(schedule, cluster, status);

    schedule.setStatus(status);
    UpdateControl<AionBackupSchedule> control = UpdateControl.patchStatus(schedule);
    return plan.wake() == null ? control : control.rescheduleAfter(plan.wake());
  }

  private void create(AionBackupSchedule schedule, AionCluster cluster, ScheduleStep.Create c) {
    AionBackupScheduleSpec spec = schedule.getSpec();
    AionBackup b = new AionBackup();
    ObjectMetaBuilder meta = new ObjectMetaBuilder().withName(c.name()).withNamespace(schedule.getMetadata().getNamespace())
        .withLabels(Map.of(SCHEDULE_LABEL, schedule.getMetadata().getName(), "app.kubernetes.io/instance", spec.getCluster()))
        .withAnnotations(Map.of(SCHEDULED_AT, c.scheduledAt().toString()));
    HasMetadata owner = switch (spec.getBackupOwnerReference()) {
      case none -> null;
      case self -> schedule;
      case cluster -> cluster;
    };
    if (owner != null) {
      meta.withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
          .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).withBlockOwnerDeletion(false)
          .withController(false).build());
    }
    b.setMetadata(meta.build());
    AionBackupSpec bs = new AionBackupSpec();
    bs.setCluster(spec.getCluster());
    bs.setTarget(spec.getTarget());
    bs.setDeletionPolicy(spec.getDeletionPolicy());
    bs.setDeadline(spec.getDeadline());
    bs.setStore(spec.getStore());
    bs.setVerify(c.verify());
    b.setSpec(bs);
    try {
      client.resource(b).create();
      events.normal(schedule, "Scheduled", "Created AionBackup " + c.name() + " for the run due at " + c.scheduledAt() + ".");
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e; // created before a lost status write: the same run, already started
    }
  }

  /** Asks one member (the leader last: the upload's load stays off it) to sweep unreferenced files. */
  private void sweep(AionBackupSchedule schedule, AionCluster given, AionBackupScheduleStatus status) {
    AionCluster cluster = members.resolved(given);
    io.aiondb.operator.engine.EngineAccess access = members.access(cluster);
    List<BackupStep.Member> seen = members.list(cluster, access);
    if (seen == null) return; // owed still; the next look tries again
    List<BackupStep.Member> order = new ArrayList<>(seen);
    order.sort((a, b) -> Boolean.compare(a.leader(), b.leader()));
    for (BackupStep.Member m : order) {
      try {
        BackupView op = engine.sweepBackups(members.of(cluster, m.pod()), schedule.getSpec().getStore(), access);
        status.setSweepPending(null);
        status.setLastSweepTime(Instant.now().toString());
        events.normal(schedule, "Swept", "Member " + m.pod() + " sweeps the unreferenced files of "
            + (schedule.getSpec().getStore() == null ? "the default store" : "store " + schedule.getSpec().getStore()) + " (operation "
            + op.id() + ").");
        return;
      } catch (EngineRefusedException e) {
        if (e.status() == 409) return; // a backup or prune holds the store: later
      } catch (EngineUnavailableException e) {
        // the next member
      }
    }
  }

  static ScheduleStep.Backup view(AionBackup b) {
    String at = b.getMetadata().getAnnotations() == null ? null : b.getMetadata().getAnnotations().get(SCHEDULED_AT);
    Instant scheduled;
    try {
      scheduled = Instant.parse(at != null ? at : b.getMetadata().getCreationTimestamp());
    } catch (java.time.format.DateTimeParseException e) { // someone edited the annotation: go by the creation time
      scheduled = Instant.parse(b.getMetadata().getCreationTimestamp());
    }
    var st = b.getStatus();
    Instant completed = st == null || st.getCompletedAt() == null ? null : Instant.parse(st.getCompletedAt());
    return new ScheduleStep.Backup(b.getMetadata().getName(), st == null ? null : st.getPhase(), scheduled, completed,
        b.getMetadata().getDeletionTimestamp() != null);
  }
}
