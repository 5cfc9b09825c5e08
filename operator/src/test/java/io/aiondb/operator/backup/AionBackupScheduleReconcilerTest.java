package io.aiondb.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aiondb.operator.api.AionBackup;
import io.aiondb.operator.api.AionBackupSchedule;
import io.aiondb.operator.api.AionBackupScheduleSpec;
import io.aiondb.operator.api.AionBackupScheduleStatus;
import io.aiondb.operator.api.AionBackupSpec;
import io.aiondb.operator.api.AionBackupStatus.Phase;
import io.aiondb.operator.kube.ControlPlane;
import io.aiondb.operator.kube.ControlPlane.AuditEvent;
import io.aiondb.operator.kube.ControlPlaneResource;
import io.aiondb.operator.kube.InjectControlPlane;
import io.aiondb.operator.reconcile.FakeEngine;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The AionBackupSchedule controller against the real API server (sharing {@code AionClusterReconcilerTest}'s API
 * server and operator) with the AionBackup controller beside it and {@link FakeEngine}'s backup API: a run creates an
 * AionBackup that the other controller takes to Completed, retention deletes AionBackups (and, through their
 * finalizer, their manifests) and then asks a member for a sweep. When runs fall due (catch-up, time zones, waiting
 * for an active run) is {@link ScheduleStepTest}'s.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
@WithTestResource(FakeEngine.class)
class AionBackupScheduleReconcilerTest {
  private static final Duration WAIT = Duration.ofSeconds(40);
  private static final String NS = "db";

  @InjectControlPlane
  ControlPlane controlPlane;

  private KubernetesClient client;

  @BeforeEach
  void namespace() {
    client = controlPlane.admin();
    controlPlane.createNamespace(NS);
  }

  private FakeEngine.Group cluster(String name) {
    return BackupFixtures.cluster(client, NS, name, true);
  }

  private AionBackupSchedule schedule(String name, String cluster, String cron, boolean immediate,
      AionBackupScheduleSpec.Retention retention, AionBackupScheduleSpec.OwnerReference owner) {
    AionBackupSchedule s = new AionBackupSchedule();
    s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    AionBackupScheduleSpec spec = new AionBackupScheduleSpec();
    spec.setCluster(cluster);
    spec.setSchedule(cron);
    spec.setImmediate(immediate);
    spec.setRetention(retention);
    spec.setBackupOwnerReference(owner);
    s.setSpec(spec);
    return client.resource(s).create();
  }

  private AionBackupScheduleStatus awaitSchedule(String name, Predicate<AionBackupScheduleStatus> condition) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
      AionBackupSchedule s = client.resources(AionBackupSchedule.class).inNamespace(NS).withName(name).get();
      return s != null && s.getStatus() != null && s.getStatus().getObservedGeneration() != null
          && condition.test(s.getStatus());
    });
    return client.resources(AionBackupSchedule.class).inNamespace(NS).withName(name).get().getStatus();
  }

  private AionBackup backup(String name) {
    return client.resources(AionBackup.class).inNamespace(NS).withName(name).get();
  }

  private String awaitRunning(String name) {
    await().atMost(WAIT).until(() -> backup(name) != null && backup(name).getStatus() != null
        && backup(name).getStatus().getPhase() == Phase.Running);
    return backup(name).getStatus().getBackupId();
  }

  private List<String> events(String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()) && "AionBackupSchedule".equals(e.getInvolvedObject().getKind()))
        .map(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage()).toList();
  }

  @Test
  void aRunCreatesAnAionBackupThatCompletesAndTheStatusFollowsIt() {
    FakeEngine.Group g = cluster("sc-quebec");
    AionBackupSchedule created = schedule("sc-quebec-nightly", "sc-quebec", "0 3 * * *", true, null,
        AionBackupScheduleSpec.OwnerReference.self);
    String first = ScheduleStep.backupName("sc-quebec-nightly",
        Instant.parse(created.getMetadata().getCreationTimestamp()).truncatedTo(java.time.temporal.ChronoUnit.MINUTES));

    AionBackupScheduleStatus st = awaitSchedule("sc-quebec-nightly", s -> first.equals(s.getLastBackup()));
    assertThat(st.getActive()).isEqualTo(first);
    assertThat(Instant.parse(st.getNextScheduleTime()).atZone(java.time.ZoneOffset.UTC).getHour()).isEqualTo(3);
    AionBackup b = backup(first);
    assertThat(b.getMetadata().getLabels()).containsEntry(AionBackupScheduleReconciler.SCHEDULE_LABEL, "sc-quebec-nightly")
        .containsEntry("app.kubernetes.io/instance", "sc-quebec");
    assertThat(b.getMetadata().getAnnotations()).containsEntry(AionBackupScheduleReconciler.SCHEDULED_AT, st.getLastScheduleTime());
    assertThat(b.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("AionBackupSchedule");
      assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid());
    });
    assertThat(b.getSpec().getDeletionPolicy()).isEqualTo(AionBackupSpec.DeletionPolicy.Delete);

    String id = awaitRunning(first);
    g.finishBackup(id, 99, 1000);
    AionBackupScheduleStatus done = awaitSchedule("sc-quebec-nightly", s -> first.equals(s.getLastSuccessfulBackup()));
    assertThat(done.getActive()).isNull();
    assertThat(done.getLastSuccessfulTime()).isNotBlank();
    assertThat(events("sc-quebec-nightly")).anyMatch(e -> e.startsWith("Normal Scheduled: Created AionBackup " + first));
    assertThat(client.resources(AionBackup.class).inNamespace(NS)
        .withLabel(AionBackupScheduleReconciler.SCHEDULE_LABEL, "sc-quebec-nightly").list().getItems()).hasSize(1);
  }

  @Test
  void retentionDeletesTheOldestBackupsAndThenAsksForASweep() {
    FakeEngine.Group g = cluster("sc-romeo");
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 1; i <= 3; i++) { // three earlier runs, completed in order
      AionBackup b = new AionBackup();
      b.setMetadata(new ObjectMetaBuilder().withName("sc-romeo-hourly-20261206010" + i).withNamespace(NS)
          .withLabels(Map.of(AionBackupScheduleReconciler.SCHEDULE_LABEL, "sc-romeo-hourly"))
          .withAnnotations(Map.of(AionBackupScheduleReconciler.SCHEDULED_AT, "2026-12-06T01:0" + i + ":00Z")).build());
      AionBackupSpec spec = new AionBackupSpec();
      spec.setCluster("sc-romeo");
      spec.setDeletionPolicy(AionBackupSpec.DeletionPolicy.Delete);
      b.setSpec(spec);
      client.resource(b).create();
      String id = awaitRunning(b.getMetadata().getName());
      g.finishBackup(id, i, 100);
      await().atMost(WAIT).until(() -> backup(b.getMetadata().getName()).getStatus().getPhase() == Phase.Completed);
      ids.add(id);
    }
    AionBackupScheduleSpec.Retention keep2 = new AionBackupScheduleSpec.Retention();
    keep2.setKeepLast(2);
    schedule("sc-romeo-hourly", "sc-romeo", "@yearly", false, keep2, AionBackupScheduleSpec.OwnerReference.none);

    AionBackupScheduleStatus st = awaitSchedule("sc-romeo-hourly", s -> s.getLastSweepTime() != null);
    assertThat(st.getSweepPending()).isNull();
    assertThat(backup("sc-romeo-hourly-202612060101")).isNull();
    assertThat(backup("sc-romeo-hourly-202612060102")).isNotNull();
    assertThat(backup("sc-romeo-hourly-202612060103")).isNotNull();
    assertThat(g.manifests).containsOnlyKeys(ids.get(1), ids.get(2));
    List<String> calls;
    synchronized (FakeEngine.CALLS) {
      calls = FakeEngine.CALLS.stream().filter(c -> c.contains("sc-romeo")).toList();
    }
    int deleted = calls.indexOf("delete-backup sc-romeo-1 " + ids.get(0));
    int swept = calls.indexOf("sweep sc-romeo-1 true");
    assertThat(deleted).as("the oldest backup's manifest deleted").isNotNegative();
    assertThat(swept).as("a follower sweeps, after the deletion").isGreaterThan(deleted);
    assertThat(st.getLastSuccessfulBackup()).isEqualTo("sc-romeo-hourly-202612060103");
    assertThat(events("sc-romeo-hourly")).anyMatch(e -> e.startsWith("Normal Retention: Deleted AionBackup sc-romeo-hourly-202612060101"))
        .anyMatch(e -> e.startsWith("Normal Swept: Member sc-romeo-1"));

    List<AuditEvent> audit = controlPlane.audit(controlPlane.operatorUser());
    assertThat(audit.stream().filter(c -> c.code() == 403).map(c -> c.permission() + " " + c.uri()).toList())
        .as("requests the API server refused (403)").isEmpty();
  }

  /**
   * An operator that was down across many due times (here: a status saying the last run was three hours ago, as a
   * stopped operator leaves it) starts exactly one catch-up run, named after the latest due time; a run whose object
   * already exists (created before a status write was lost) is taken as started, not duplicated.
   */
  @Test
  void missedRunsCollapseIntoOneCatchUpAndAnExistingRunIsNotDuplicated() {
    cluster("sc-tango");
    schedule("sc-tango-10m", "sc-tango", "*/10 * * * *", false, null, AionBackupScheduleSpec.OwnerReference.none);
    awaitSchedule("sc-tango-10m", s -> s.getNextScheduleTime() != null);
    // not within 30 s of a due time, so that the due time computed here is still the latest when the operator looks
    await().atMost(Duration.ofSeconds(40)).until(() -> {
      var t = Instant.now().atZone(java.time.ZoneOffset.UTC);
      return !(t.getMinute() % 10 == 9 && t.getSecond() >= 30);
    });
    Instant now = Instant.now();
    Instant due = now.truncatedTo(java.time.temporal.ChronoUnit.HOURS)
        .plus((now.atZone(java.time.ZoneOffset.UTC).getMinute() / 10) * 10L, java.time.temporal.ChronoUnit.MINUTES);
    String catchUp = ScheduleStep.backupName("sc-tango-10m", due);
    // the run already exists (its create went through, the status write did not)
    AionBackup existing = new AionBackup();
    existing.setMetadata(new ObjectMetaBuilder().withName(catchUp).withNamespace(NS)
        .withLabels(Map.of(AionBackupScheduleReconciler.SCHEDULE_LABEL, "sc-tango-10m"))
        .withAnnotations(Map.of(AionBackupScheduleReconciler.SCHEDULED_AT, due.toString())).build());
    AionBackupSpec spec = new AionBackupSpec();
    spec.setCluster("sc-tango");
    existing.setSpec(spec);
    String uid = client.resource(existing).create().getMetadata().getUid();
    // three hours of missed runs, as an operator stopped that long leaves the status
    client.resources(AionBackupSchedule.class).inNamespace(NS).withName("sc-tango-10m").subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"lastScheduleTime\":\""
            + due.minus(Duration.ofHours(3)) + "\"}}");
    // a reconcile now (as the operator's start would do): a spec change
    client.resources(AionBackupSchedule.class).inNamespace(NS).withName("sc-tango-10m")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"deadline\":\"7h\"}}");

    AionBackupScheduleStatus st;
    try {
      st = awaitSchedule("sc-tango-10m", s -> catchUp.equals(s.getLastBackup()));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("expected " + catchUp + ": " + io.fabric8.kubernetes.client.utils.Serialization.asYaml(
          client.resources(AionBackupSchedule.class).inNamespace(NS).withName("sc-tango-10m").get()), e);
    }
    assertThat(st.getLastScheduleTime()).isEqualTo(due.toString());
    assertThat(client.resources(AionBackup.class).inNamespace(NS)
        .withLabel(AionBackupScheduleReconciler.SCHEDULE_LABEL, "sc-tango-10m").list().getItems())
        .extracting(b -> b.getMetadata().getName()).as("one catch-up, the one that existed").containsExactly(catchUp);
    assertThat(backup(catchUp).getMetadata().getUid()).as("not replaced").isEqualTo(uid);
  }

  @Test
  void anInvalidScheduleSaysWhyUntilItIsFixed() {
    cluster("sc-sierra");
    schedule("sc-sierra-bad", "sc-sierra", "0 3 * *", false, null, AionBackupScheduleSpec.OwnerReference.none);
    AionBackupScheduleStatus bad = awaitSchedule("sc-sierra-bad", s -> "InvalidSchedule".equals(s.getReason()));
    assertThat(bad.getMessage()).contains("spec.schedule '0 3 * *' is not a schedule");
    assertThat(bad.getNextScheduleTime()).isNull();
    assertThat(events("sc-sierra-bad")).anyMatch(e -> e.startsWith("Warning InvalidSchedule: spec.schedule '0 3 * *'"));

    client.resources(AionBackupSchedule.class).inNamespace(NS).withName("sc-sierra-bad")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"schedule\":\"@daily\"}}");
    AionBackupScheduleStatus fixed = awaitSchedule("sc-sierra-bad", s -> s.getReason() == null && s.getNextScheduleTime() != null);
    assertThat(fixed.getNextScheduleTime()).endsWith("T00:00:00Z");
  }
}
