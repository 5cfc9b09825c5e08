package io.aiondb.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aiondb.operator.Clusters;
import io.aiondb.operator.api.AionBackup;
import io.aiondb.operator.api.AionBackupSpec;
import io.aiondb.operator.api.AionBackupStatus;
import io.aiondb.operator.api.AionBackupStatus.Phase;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.kube.ControlPlane;
import io.aiondb.operator.kube.ControlPlane.AuditEvent;
import io.aiondb.operator.kube.ControlPlaneResource;
import io.aiondb.operator.kube.InjectControlPlane;
import io.aiondb.operator.reconcile.FakeEngine;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The AionBackup controller in the operator, against the real API server (with the chart's RBAC, as
 * {@code AionClusterReconcilerTest}, whose API server and operator it shares) and {@link FakeEngine}'s backup API.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
@WithTestResource(FakeEngine.class)
class AionBackupReconcilerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NS = "db";

  @InjectControlPlane
  ControlPlane controlPlane;

  private KubernetesClient client;

  @BeforeEach
  void namespace() {
    client = controlPlane.admin();
    controlPlane.createNamespace(NS);
  }

  /** A 3-member cluster with spec.backup, and the fake engine's group for it (leader: member 0). */
  private FakeEngine.Group cluster(String name, boolean withBackup) {
    return BackupFixtures.cluster(client, NS, name, withBackup);
  }

  private AionBackup backup(String name, String cluster, AionBackupSpec.DeletionPolicy policy) {
    AionBackup b = new AionBackup();
    b.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    AionBackupSpec spec = new AionBackupSpec();
    spec.setCluster(cluster);
    spec.setDeletionPolicy(policy);
    b.setSpec(spec);
    return client.resource(b).create();
  }

  private AionBackup get(String name) {
    return client.resources(AionBackup.class).inNamespace(NS).withName(name).get();
  }

  private AionBackup awaitBackup(String name, Predicate<AionBackupStatus> condition) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
      AionBackup b = get(name);
      return b != null && b.getStatus() != null && b.getStatus().getPhase() != null && condition.test(b.getStatus());
    });
    return get(name);
  }

  private List<String> events(String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()) && "AionBackup".equals(e.getInvolvedObject().getKind()))
        .map(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage()).toList();
  }

  private List<String> starts(String id) {
    synchronized (FakeEngine.CALLS) {
      return FakeEngine.CALLS.stream().filter(c -> c.startsWith("backup ") && c.endsWith(" " + id)).toList();
    }
  }

  @Test
  void backsUpOnACaughtUpFollowerAndFollowsItToCompleted() {
    FakeEngine.Group g = cluster("bk-lima", true);
    AionBackup created = backup("bk-lima-nightly", "bk-lima", AionBackupSpec.DeletionPolicy.Retain);

    AionBackupStatus running = awaitBackup("bk-lima-nightly", s -> s.getPhase() == Phase.Running).getStatus();
    assertThat(running.getMember()).as("the lowest caught-up follower, not the leader bk-lima-0").isEqualTo("bk-lima-1");
    assertThat(running.getBackupId()).isEqualTo(AionBackupReconciler.backupId(created)).matches("[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}");
    assertThat(running.getStartedAt()).isNotBlank();
    assertThat(starts(running.getBackupId())).containsExactly("backup bk-lima-1 " + running.getBackupId());

    g.progressBackup(running.getBackupId(), 400, 1000);
    awaitBackup("bk-lima-nightly", s -> s.getBytesDone() != null && s.getBytesDone() == 400 && s.getBytesTotal() == 1000);

    g.finishBackup(running.getBackupId(), 4242, 1000);
    AionBackupStatus done = awaitBackup("bk-lima-nightly", s -> s.getPhase() == Phase.Completed).getStatus();
    assertThat(done.getRevision()).isEqualTo(4242);
    assertThat(done.getBytes()).isEqualTo(1000);
    assertThat(done.getBytesReused()).isEqualTo(500);
    assertThat(done.getKeyCount()).isEqualTo(10);
    assertThat(done.getCompletedAt()).isNotBlank();
    assertThat(done.getReason()).isNull();
    assertThat(starts(running.getBackupId())).as("started once").hasSize(1);
    await().atMost(WAIT).untilAsserted(() -> {
      var last = client.resources(AionCluster.class).inNamespace(NS).withName("bk-lima").get().getStatus().getLastBackup();
      assertThat(last).as("the cluster's status.lastBackup").isNotNull();
      assertThat(last.getName()).isEqualTo("bk-lima-nightly");
      assertThat(last.getBackupId()).isEqualTo(running.getBackupId());
      assertThat(last.getRevision()).isEqualTo(4242);
      assertThat(last.getCompletedAt()).isEqualTo(done.getCompletedAt());
    });
    assertThat(events("bk-lima-nightly")).anyMatch(e -> e.startsWith("Normal Started: Member bk-lima-1 is backing up"))
        .anyMatch(e -> e.startsWith("Normal Completed: Backup " + running.getBackupId() + " of revision 4242"));

    List<AuditEvent> calls = controlPlane.audit(controlPlane.operatorUser());
    assertThat(calls).extracting(AuditEvent::permission).contains("watch aiondb.io/aionbackups",
        "patch aiondb.io/aionbackups/status");
    assertThat(calls.stream().filter(c -> c.code() == 403).map(c -> c.permission() + " " + c.uri()).toList())
        .as("requests the API server refused (403)").isEmpty();
  }

  @Test
  void aMemberThatRestartedIsAskedAgainWithTheSameIdAndABusyOneLater() {
    FakeEngine.Group g = cluster("bk-mike", true);
    g.busy.add("bk-mike-1");
    backup("bk-mike-a", "bk-mike", AionBackupSpec.DeletionPolicy.Retain);
    AionBackupStatus waiting = awaitBackup("bk-mike-a", s -> s.getMessage() != null && s.getMessage().contains("busy")).getStatus();
    assertThat(waiting.getPhase()).isEqualTo(Phase.Pending);
    g.busy.clear();
    String id = awaitBackup("bk-mike-a", s -> s.getPhase() == Phase.Running).getStatus().getBackupId();

    g.restart("bk-mike-1"); // the running member forgets its operation: the operator asks again with the same id
    await().atMost(WAIT).until(() -> starts(id).size() == 2);
    assertThat(starts(id)).containsOnly("backup bk-mike-1 " + id);
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("bk-mike-a")) // recorded after the engine answered
        .anyMatch(e -> e.startsWith("Normal Restarted: Member bk-mike-1 no longer knows backup " + id)));

    g.finishBackup(id, 7, 100); // it finished, then restarted before the operator looked: the store answers
    g.restart("bk-mike-1");
    assertThat(awaitBackup("bk-mike-a", s -> s.getPhase() == Phase.Completed).getStatus().getRevision()).isEqualTo(7);
    assertThat(starts(id)).as("nothing started after the manifest was written").hasSize(2);
  }

  @Test
  void failsWithAReasonNeverStaysRunning() {
    cluster("bk-november", false);
    backup("no-store", "bk-november", AionBackupSpec.DeletionPolicy.Retain);
    backup("no-cluster", "nobody", AionBackupSpec.DeletionPolicy.Retain);
    AionBackupStatus noStore = awaitBackup("no-store", s -> s.getPhase() == Phase.Failed).getStatus();
    assertThat(noStore.getReason()).isEqualTo("BackupNotConfigured");
    assertThat(noStore.getMessage()).contains("bk-november has no spec.backup");
    assertThat(awaitBackup("no-cluster", s -> s.getPhase() == Phase.Failed).getStatus().getReason()).isEqualTo("ClusterNotFound");
    assertThat(events("no-store")).anyMatch(e -> e.startsWith("Warning Failed: BackupNotConfigured"));

    FakeEngine.Group g = cluster("bk-oscar", true);
    backup("bk-oscar-a", "bk-oscar", AionBackupSpec.DeletionPolicy.Retain);
    String id = awaitBackup("bk-oscar-a", s -> s.getPhase() == Phase.Running).getStatus().getBackupId();
    g.failBackup(id, "PUT objects/ab12 failed: Connection refused");
    AionBackupStatus failed = awaitBackup("bk-oscar-a", s -> s.getPhase() == Phase.Failed).getStatus();
    assertThat(failed.getReason()).isEqualTo("Engine");
    assertThat(failed.getMessage()).isEqualTo("member bk-oscar-1: PUT objects/ab12 failed: Connection refused");

    // the spec is immutable: another backup is another object
    assertThatThrownBy(() -> client.resources(AionBackup.class).inNamespace(NS).withName("bk-oscar-a")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"target\":\"Leader\"}}"))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getMessage()).contains("cannot change");
        });
  }

  @Test
  void aCompletedBackupIsVerifiedAsItsSpecAsks() {
    FakeEngine.Group g = cluster("bk-quebec", true);
    for (String level : List.of("Deep", "Light")) {
      AionBackup b = new AionBackup();
      b.setMetadata(new ObjectMetaBuilder().withName("bk-quebec-" + level.toLowerCase()).withNamespace(NS).build());
      AionBackupSpec spec = new AionBackupSpec();
      spec.setCluster("bk-quebec");
      spec.setVerify(AionBackupSpec.Verify.valueOf(level));
      b.setSpec(spec);
      client.resource(b).create();
    }
    String deep = awaitBackup("bk-quebec-deep", s -> s.getPhase() == Phase.Running).getStatus().getBackupId();
    String light = awaitBackup("bk-quebec-light", s -> s.getPhase() == Phase.Running).getStatus().getBackupId();
    g.finishBackup(deep, 5, 100);
    g.finishBackup(light, 5, 100);

    AionBackupStatus.Verification v = awaitBackup("bk-quebec-deep", s -> s.getVerification() != null).getStatus().getVerification();
    assertThat(v.getState()).isEqualTo(AionBackupStatus.Verification.State.Running);
    assertThat(v.getLevel()).isEqualTo("Deep");
    assertThat(v.getMember()).isEqualTo("bk-quebec-1");
    assertThat(FakeEngine.CALLS).contains("verify bk-quebec-1 " + deep + " deep");
    g.finishVerify(v.getOperation(), "file 000012.sst of backup " + deep + " is damaged (SHA-256 differs)");
    AionBackupStatus failed = awaitBackup("bk-quebec-deep", s -> s.getVerification().getState()
        != AionBackupStatus.Verification.State.Running).getStatus();
    assertThat(failed.getPhase()).as("the backup completed; its verification failed").isEqualTo(Phase.Completed);
    assertThat(failed.getVerification().getState()).isEqualTo(AionBackupStatus.Verification.State.Failed);
    assertThat(failed.getVerification().getMessage()).contains("000012.sst", "damaged");
    assertThat(events("bk-quebec-deep")).anyMatch(e -> e.startsWith("Warning VerificationFailed: Deep verification of backup " + deep));

    String lightOp = awaitBackup("bk-quebec-light", s -> s.getVerification() != null).getStatus().getVerification().getOperation();
    assertThat(FakeEngine.CALLS).contains("verify bk-quebec-1 " + light + " light");
    g.finishVerify(lightOp, null);
    assertThat(awaitBackup("bk-quebec-light", s -> s.getVerification().getState()
        == AionBackupStatus.Verification.State.Passed).getStatus().getVerification().getCompletedAt()).isNotBlank();
    assertThat(FakeEngine.CALLS.stream().filter(c -> c.startsWith("verify bk-quebec-1 " + light))).as("once").hasSize(1);
  }

  /**
   * spec.bootstrap.restore.backup: a new cluster from an AionBackup by name waits (nothing created) until the backup
   * completed, then its members restore that backup id from the backed-up cluster's store; the resolution is kept in
   * status.restoreSource, so the pod template stays when the AionBackup and its cluster are gone.
   */
  @Test
  void aClusterRestoredFromAnAionBackupByNameWaitsForItAndKeepsWhatItResolved() {
    FakeEngine.Group g = cluster("bk-romeo", true);
    backup("bk-romeo-a", "bk-romeo", AionBackupSpec.DeletionPolicy.Retain);
    String id = awaitBackup("bk-romeo-a", s -> s.getPhase() == Phase.Running).getStatus().getBackupId();

    AionCluster copy = Clusters.cluster("bk-romeo-copy", 3, "0.1.0");
    copy.getMetadata().setUid(null);
    copy.getMetadata().setGeneration(null);
    var restore = new io.aiondb.operator.api.BootstrapSpec.Restore();
    restore.setBackup("bk-romeo-a");
    var bootstrap = new io.aiondb.operator.api.BootstrapSpec();
    bootstrap.setRestore(restore);
    copy.getSpec().setBootstrap(bootstrap);
    client.resource(copy).create();
    var clusters = client.resources(AionCluster.class).inNamespace(NS);
    await().atMost(WAIT).until(() -> {
      var st = clusters.withName("bk-romeo-copy").get().getStatus();
      return st != null && st.getConditions() != null && st.getConditions().stream()
          .anyMatch(c -> "RestoreSourceNotReady".equals(c.getReason()));
    });
    assertThat(client.apps().statefulSets().inNamespace(NS).withName("bk-romeo-copy").get()).as("nothing created yet").isNull();

    g.finishBackup(id, 77, 100);
    await().atMost(Duration.ofSeconds(60)).until(() -> client.apps().statefulSets().inNamespace(NS).withName("bk-romeo-copy").get() != null);
    var init = client.apps().statefulSets().inNamespace(NS).withName("bk-romeo-copy").get().getSpec().getTemplate()
        .getSpec().getInitContainers();
    assertThat(init).singleElement().satisfies(c -> assertThat(c.getCommand()).contains("--backup", id,
        "--backup.s3.bucket=backups", "--backup.s3.prefix=db/bk-romeo"));
    await().atMost(WAIT).until(() -> clusters.withName("bk-romeo-copy").get().getStatus().getRestoreSource() != null);
    var resolved = clusters.withName("bk-romeo-copy").get().getStatus().getRestoreSource();
    assertThat(resolved.getBackupId()).isEqualTo(id);
    assertThat(resolved.getSource().getS3().getPrefix()).isEqualTo("db/bk-romeo");
    assertThat(client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "bk-romeo-copy".equals(e.getInvolvedObject().getName())).map(e -> e.getReason()))
        .contains("RestoreSourceResolved");

    // the AionBackup and its cluster go; a spec change later keeps the restore as resolved
    client.resources(AionBackup.class).inNamespace(NS).withName("bk-romeo-a").delete();
    clusters.withName("bk-romeo").delete();
    await().atMost(WAIT).until(() -> get("bk-romeo-a") == null);
    clusters.withName("bk-romeo-copy").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"spec\":{\"updateStrategy\":{\"podReadyTimeout\":\"7m\"}}}");
    long generation = clusters.withName("bk-romeo-copy").get().getMetadata().getGeneration();
    await().atMost(WAIT).until(() -> generation == clusters.withName("bk-romeo-copy").get().getStatus().getObservedGeneration());
    assertThat(clusters.withName("bk-romeo-copy").get().getStatus().getRestoreSource().getBackupId()).isEqualTo(id);
    assertThat(client.apps().statefulSets().inNamespace(NS).withName("bk-romeo-copy").get().getSpec().getTemplate()
        .getSpec().getInitContainers()).as("unchanged").isEqualTo(init);
  }

  /**
   * spec.bootstrap.restore.backupId latest, against a real S3 API: nothing is created while the store holds no
   * complete backup (objects without a manifest do not count); then the newest by start time (the engine's order, not
   * the id's) under exactly the source prefix is resolved once into status.restoreSource, and a newer backup arriving
   * later changes nothing. A manifest that is not the engine's blocks with a message naming it.
   */
  @Test
  void aClusterRestoredFromTheLatestBackupInAStoreResolvesItOnce() throws Exception {
    try (S3Store s3 = S3Store.start()) {
      client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("bk-sierra-s3")
          .withNamespace(NS).endMetadata().addToStringData("AWS_ACCESS_KEY_ID", S3Store.ACCESS_KEY)
          .addToStringData("AWS_SECRET_ACCESS_KEY", S3Store.SECRET_KEY).build()).create();
      var clusters = client.resources(AionCluster.class).inNamespace(NS);
      createRestoredFromLatest("bk-sierra", s3.url(), "db/orders");
      awaitReason("bk-sierra", "RestoreSourceNotFound", "there is no complete backup in aion-backups/db/orders");
      s3.put("db/orders/objects/0f1e2d", "a file of a backup still being written");
      s3.put("db/orders/backups/20261206T100000Z-aaaaaaaa/manifest.json", manifest("20261206T100000Z-aaaaaaaa", "2026-12-06T10:00:00Z"));
      s3.put("db/orders/backups/20261206T090000Z-ffffffff/manifest.json", manifest("20261206T090000Z-ffffffff", "2026-12-06T11:00:00Z"));
      s3.put("db/orders-b/backups/20261206T230000Z-bbbbbbbb/manifest.json", manifest("20261206T230000Z-bbbbbbbb", "2026-12-06T23:00:00Z"));
      String latest = "20261206T090000Z-ffffffff";
      await().atMost(Duration.ofSeconds(60)).until(() -> client.apps().statefulSets().inNamespace(NS).withName("bk-sierra").get() != null);
      var init = client.apps().statefulSets().inNamespace(NS).withName("bk-sierra").get().getSpec().getTemplate()
          .getSpec().getInitContainers();
      assertThat(init).singleElement().satisfies(c -> assertThat(c.getCommand()).contains("--backup", latest,
          "--backup.s3.bucket=aion-backups", "--backup.s3.prefix=db/orders"));
      await().atMost(WAIT).until(() -> clusters.withName("bk-sierra").get().getStatus().getRestoreSource() != null);
      assertThat(clusters.withName("bk-sierra").get().getStatus().getRestoreSource().getBackupId()).isEqualTo(latest);
      assertThat(client.v1().events().inNamespace(NS).list().getItems().stream()
          .filter(e -> "bk-sierra".equals(e.getInvolvedObject().getName()) && "RestoreSourceResolved".equals(e.getReason()))
          .map(e -> e.getMessage())).singleElement().asString().contains(latest, "the latest of 2 in aion-backups/db/orders");

      s3.put("db/orders/backups/20261206T120000Z-cccccccc/manifest.json", manifest("20261206T120000Z-cccccccc", "2026-12-06T12:00:00Z"));
      clusters.withName("bk-sierra").patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"spec\":{\"updateStrategy\":{\"podReadyTimeout\":\"7m\"}}}");
      long generation = clusters.withName("bk-sierra").get().getMetadata().getGeneration();
      await().atMost(WAIT).until(() -> generation == clusters.withName("bk-sierra").get().getStatus().getObservedGeneration());
      assertThat(clusters.withName("bk-sierra").get().getStatus().getRestoreSource().getBackupId()).isEqualTo(latest);
      assertThat(client.apps().statefulSets().inNamespace(NS).withName("bk-sierra").get().getSpec().getTemplate()
          .getSpec().getInitContainers()).as("unchanged").isEqualTo(init);

      s3.put("db/broken/backups/20261206T100000Z-dddddddd/manifest.json", "{\"id\":\"20261206T100000Z-dddddddd\"}");
      createRestoredFromLatest("bk-sierra-broken", s3.url(), "db/broken");
      awaitReason("bk-sierra-broken", "RestoreSourceUnreadable",
          "aion-backups/db/broken/backups/20261206T100000Z-dddddddd/manifest.json has no valid createdAt");
      assertThat(client.apps().statefulSets().inNamespace(NS).withName("bk-sierra-broken").get()).isNull();
      clusters.withName("bk-sierra").delete();
      clusters.withName("bk-sierra-broken").delete();
    }
  }

  private void createRestoredFromLatest(String name, String endpoint, String prefix) {
    AionCluster c = Clusters.cluster(name, 3, "0.1.0");
    c.getMetadata().setUid(null);
    c.getMetadata().setGeneration(null);
    var s3 = new io.aiondb.operator.api.BackupSpec.S3();
    s3.setBucket(S3Store.BUCKET);
    s3.setEndpoint(endpoint);
    s3.setPathStyle(true);
    s3.setPrefix(prefix);
    var creds = new io.aiondb.operator.api.BackupSpec.CredentialsSecret();
    creds.setName("bk-sierra-s3");
    s3.setCredentialsSecret(creds);
    var source = new io.aiondb.operator.api.BackupSpec();
    source.setS3(s3);
    var restore = new io.aiondb.operator.api.BootstrapSpec.Restore();
    restore.setBackupId(io.aiondb.operator.api.BootstrapSpec.Restore.LATEST);
    restore.setSource(source);
    var bootstrap = new io.aiondb.operator.api.BootstrapSpec();
    bootstrap.setRestore(restore);
    c.getSpec().setBootstrap(bootstrap);
    client.resource(c).create();
  }

  private void awaitReason(String cluster, String reason, String message) {
    await().atMost(WAIT).untilAsserted(() -> {
      var st = client.resources(AionCluster.class).inNamespace(NS).withName(cluster).get().getStatus();
      assertThat(st == null ? null : st.getConditions()).as("conditions of %s", cluster).anySatisfy(c -> {
        assertThat(c.getReason()).isEqualTo(reason);
        assertThat(c.getMessage()).contains(message);
      });
    });
    assertThat(client.apps().statefulSets().inNamespace(NS).withName(cluster).get()).as("nothing created").isNull();
  }

  /** A manifest as the engine writes it (the fields the operator reads, and a few it does not). */
  private static String manifest(String id, String createdAt) {
    return "{\"format\":1,\"id\":\"" + id + "\",\"cluster\":\"orders\",\"node\":\"orders-0\",\"engineVersion\":\"0.1.0\","
        + "\"createdAt\":\"" + createdAt + "\",\"completedAt\":\"" + createdAt + "\",\"groups\":[]}";
  }

  /**
   * spec.backup.stores: the members get the named store's settings file and its credentials as files; an AionBackup
   * with spec.store asks the member for that store (start and, with deletionPolicy Delete, delete), one naming a store
   * the cluster lacks fails StoreNotFound without asking anyone.
   */
  @Test
  void aBackupToANamedStoreAsksTheMemberForThatStore() {
    FakeEngine.Group g = BackupFixtures.cluster(client, NS, "bk-uniform", true, c -> {
      var archive = new io.aiondb.operator.api.BackupSpec.NamedStore();
      archive.setName("archive");
      var s3 = new io.aiondb.operator.api.BackupSpec.S3();
      s3.setBucket("cold-archive");
      s3.setRegion("eu-west-1");
      var creds = new io.aiondb.operator.api.BackupSpec.CredentialsSecret();
      creds.setName("archive-s3");
      creds.setAccessKeyIdKey("id");
      s3.setCredentialsSecret(creds);
      archive.setS3(s3);
      c.getSpec().getBackup().setStores(List.of(archive));
    });
    await().atMost(WAIT).until(() -> client.apps().statefulSets().inNamespace(NS).withName("bk-uniform").get() != null);
    var pod = client.apps().statefulSets().inNamespace(NS).withName("bk-uniform").get().getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes()).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo("bstore-cred-archive");
      assertThat(v.getSecret().getSecretName()).isEqualTo("archive-s3");
      assertThat(v.getSecret().getItems()).extracting(i -> i.getKey() + "->" + i.getPath())
          .containsExactly("id->AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY->AWS_SECRET_ACCESS_KEY");
    });
    assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo("bstore-cred-archive");
      assertThat(m.getMountPath()).isEqualTo("/etc/aion-backup-stores/archive/credentials");
    });
    var config = client.configMaps().inNamespace(NS).withName("bk-uniform-config").get().getData();
    assertThat(config.get("aion.properties")).contains("backup.stores-file=/etc/aion/backup-stores.properties");
    assertThat(config.get("backup-stores.properties")).contains("archive.bucket=cold-archive\n",
        "archive.prefix=db/bk-uniform\n", "archive.region=eu-west-1\n",
        "archive.credentials-dir=/etc/aion-backup-stores/archive/credentials\n");

    AionBackup b = new AionBackup();
    b.setMetadata(new ObjectMetaBuilder().withName("bk-uniform-a").withNamespace(NS).build());
    AionBackupSpec spec = new AionBackupSpec();
    spec.setCluster("bk-uniform");
    spec.setStore("archive");
    spec.setDeletionPolicy(AionBackupSpec.DeletionPolicy.Delete);
    b.setSpec(spec);
    client.resource(b).create();
    AionBackupStatus running = awaitBackup("bk-uniform-a", s -> s.getPhase() == Phase.Running).getStatus();
    assertThat(FakeEngine.STORE_CALLS).contains("POST " + running.getMember() + " /v1/backups?store=archive");
    g.finishBackup(running.getBackupId(), 3, 10);
    awaitBackup("bk-uniform-a", s -> s.getPhase() == Phase.Completed);
    client.resources(AionBackup.class).inNamespace(NS).withName("bk-uniform-a").delete();
    await().atMost(WAIT).until(() -> get("bk-uniform-a") == null);
    assertThat(FakeEngine.STORE_CALLS).anyMatch(c -> c.startsWith("DELETE ")
        && c.endsWith(" /v1/backups/" + running.getBackupId() + "?store=archive"));

    AionBackup other = new AionBackup();
    other.setMetadata(new ObjectMetaBuilder().withName("bk-uniform-b").withNamespace(NS).build());
    AionBackupSpec otherSpec = new AionBackupSpec();
    otherSpec.setCluster("bk-uniform");
    otherSpec.setStore("offsite");
    other.setSpec(otherSpec);
    int calls = FakeEngine.CALLS.size();
    client.resource(other).create();
    AionBackupStatus failed = awaitBackup("bk-uniform-b", s -> s.getPhase() == Phase.Failed).getStatus();
    assertThat(failed.getReason()).isEqualTo("StoreNotFound");
    assertThat(failed.getMessage()).contains("no store 'offsite' in spec.backup.stores");
    assertThat(FakeEngine.CALLS.subList(calls, FakeEngine.CALLS.size())).noneMatch(c -> c.startsWith("backup bk-uniform"));
  }

  @Test
  void deletionPolicyDeleteDeletesTheManifestRetainKeepsIt() {
    FakeEngine.Group g = cluster("bk-papa", true);
    backup("bk-papa-delete", "bk-papa", AionBackupSpec.DeletionPolicy.Delete);
    backup("bk-papa-retain", "bk-papa", AionBackupSpec.DeletionPolicy.Retain);
    // one member backs up at a time (the second start answers BACKUP_BUSY in the engine; here both may run)
    String deleted = awaitBackup("bk-papa-delete", s -> s.getPhase() == Phase.Running).getStatus().getBackupId();
    String kept = awaitBackup("bk-papa-retain", s -> s.getPhase() == Phase.Running).getStatus().getBackupId();
    g.finishBackup(deleted, 1, 10);
    g.finishBackup(kept, 1, 10);
    awaitBackup("bk-papa-delete", s -> s.getPhase() == Phase.Completed);
    awaitBackup("bk-papa-retain", s -> s.getPhase() == Phase.Completed);
    assertThat(get("bk-papa-delete").getMetadata().getFinalizers()).isNotEmpty();

    client.resources(AionBackup.class).inNamespace(NS).withName("bk-papa-delete").delete();
    client.resources(AionBackup.class).inNamespace(NS).withName("bk-papa-retain").delete();
    await().atMost(WAIT).until(() -> get("bk-papa-delete") == null && get("bk-papa-retain") == null);
    assertThat(g.manifests).containsOnlyKeys(kept);
    assertThat(FakeEngine.CALLS).contains("delete-backup bk-papa-1 " + deleted).noneMatch(c -> c.endsWith(" " + kept)
        && c.startsWith("delete-backup"));
  }
}
