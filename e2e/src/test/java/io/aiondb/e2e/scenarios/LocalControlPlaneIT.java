package io.aiondb.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aiondb.e2e.cluster.OperatorProcess;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** The scenarios on the local control plane with the process kubelet: runs in CI (bin/test). */
class LocalControlPlaneIT extends AionClusterScenarios {
  private LocalClusterFixture local;

  @Override
  protected ClusterFixture start() throws Exception {
    local = LocalClusterFixture.start("local");
    return local;
  }

  private String leaseHolder() {
    Lease lease = client().leases().inNamespace("aion-system").withName("aion-operator-leader").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  /** Who recorded the AionCluster's Events: the operator's HOSTNAME, its pod name (aion-operator-local-N here). */
  private Set<String> reporters(String cluster) {
    return client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "AionCluster".equals(e.getInvolvedObject().getKind()) && cluster.equals(e.getInvolvedObject().getName()))
        .map(Event::getReportingInstance)
        .collect(Collectors.toSet());
  }

  /**
   * Volume growth on a running 3-member cluster under writes: the claims grow (the process kubelet plays the resizer
   * of its StorageClass with allowVolumeExpansion), the StatefulSet is recreated with the new claim template and
   * adopts the running pods; no pod restarts, every acknowledged write is still there. Runs before the RBAC check
   * (order 20), so the operator's new calls are checked against the chart too.
   */
  @Test
  @Order(15)
  void volumesGrowOnARunningClusterUnderWritesWithoutRestartingAPod() throws Exception {
    GenericKubernetesResource grow = example();
    grow.getMetadata().setName("grow");
    grow.getMetadata().setNamespace(NS);
    spec(grow).put("storage", new java.util.LinkedHashMap<>(java.util.Map.of("size", "1Gi",
        "storageClassName", io.aiondb.e2e.cluster.DevCluster.EXPANDABLE_CLASS)));
    client().resource(grow).create();
    awaitRunning("grow", 3);
    java.util.List<Pod> pods = pods("grow");
    java.util.Map<String, String> uids = pods.stream()
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
    StatefulSet before = client().apps().statefulSets().inNamespace(NS).withName("grow").get();
    assertThat(claims("grow")).hasSize(3).allSatisfy(c -> assertThat(capacity(c)).isEqualTo("1Gi"));
    var ns = request("PUT", pods.get(0), "/v1/namespaces/grow", null);
    assertThat(ns.statusCode()).as(ns.body()).isIn(200, 201);

    // a steady writer, round robin over the members, for the whole growth
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.List<Integer> acked = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.List<String> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread writer = new Thread(() -> {
      for (int i = 0; !stop.get(); i++) {
        try {
          var r = request("PUT", pods.get(i % pods.size()), "/v1/ns/grow/keys/w" + i, "{\"n\":" + i + "}");
          if (r.statusCode() == 200 || r.statusCode() == 201) acked.add(i); else failed.add(i + ": " + r.statusCode() + " " + r.body());
        } catch (AssertionError e) {
          failed.add(i + ": " + e.getMessage());
        }
      }
    }, "grow-writer");
    writer.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 5);

    aionCluster("grow").edit(c -> {
      @SuppressWarnings("unchecked")
      java.util.Map<String, Object> storage = (java.util.Map<String, Object>) spec(c).get("storage");
      storage.put("size", "2Gi");
      return c;
    });
    await("claims, volumes and the StatefulSet at 2Gi, the cluster up to date").atMost(READY_TIMEOUT)
        .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
          assertThat(claims("grow")).hasSize(3).allSatisfy(c -> {
            assertThat(c.getSpec().getResources().getRequests().get("storage")).hasToString("2Gi");
            assertThat(capacity(c)).isEqualTo("2Gi");
            assertThat(client().persistentVolumes().withName(c.getSpec().getVolumeName()).get().getSpec().getCapacity()
                .get("storage")).hasToString("2Gi");
          });
          StatefulSet now = client().apps().statefulSets().inNamespace(NS).withName("grow").get();
          assertThat(now).isNotNull();
          assertThat(now.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage"))
              .hasToString("2Gi");
          GenericKubernetesResource c = aionCluster("grow").get();
          assertThat(status(c)).containsEntry("phase", "Running").containsEntry("readyReplicas", 3);
          assertThat(progressing(c)).isEqualTo("UpToDate");
        });
    int during = acked.size();
    await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= during + 5);
    stop.set(true);
    writer.join(Duration.ofMinutes(1).toMillis());

    StatefulSet after = client().apps().statefulSets().inNamespace(NS).withName("grow").get();
    assertThat(after.getMetadata().getUid()).as("recreated").isNotEqualTo(before.getMetadata().getUid());
    java.util.List<Pod> now = pods("grow");
    assertThat(now.stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid())))
        .as("no pod was replaced").isEqualTo(uids);
    assertThat(now).allSatisfy(p -> {
      assertThat(p.getStatus().getContainerStatuses()).allSatisfy(cs -> assertThat(cs.getRestartCount()).isZero());
      assertThat(p.getMetadata().getOwnerReferences()).as("adopted by the new StatefulSet").singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo(after.getMetadata().getUid()));
    });
    assertThat(failed).as("failed writes").isEmpty();
    for (Pod p : now) {
      for (int i : acked) {
        var r = request("GET", p, "/v1/ns/grow/keys/w" + i + "?consistency=stale", null);
        assertThat(r.statusCode()).as(p.getMetadata().getName() + " w" + i + ": " + r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"n\":" + i);
      }
    }
    assertThat(client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "grow".equals(e.getInvolvedObject().getName())).map(Event::getMessage).toList())
        .contains("Raised the storage request of PersistentVolumeClaim data-grow-0 to 2Gi.")
        .anySatisfy(m -> assertThat(m).startsWith("Deleted StatefulSet grow with propagationPolicy Orphan"));

    aionCluster("grow").delete();
    awaitGone("grow");
    client().persistentVolumeClaims().inNamespace(NS).withLabel("app.kubernetes.io/instance", "grow").delete();
  }

  /**
   * Backup and restore as a user runs them, against real engines and a real S3 API (s3proxy, the engine's test
   * store, as a process the members reach): a cluster with spec.backup, an AionBackup that the operator takes to
   * Completed on a member, then a new 3-member AionCluster with spec.bootstrap.restore whose members each restore that
   * backup in their init container (the process kubelet runs init containers) and form a new cluster that serves the
   * data as of the backup, and continues its revisions. Meanwhile an AionBackupSchedule every minute keeping one
   * backup on the new 3-member cluster runs on a follower, makes up once for a run missed while the operator was
   * down, and its retention deletes the first run from the store; deleting the schedule deletes its runs (owner
   * reference self).
   */
  @Test
  @Order(16)
  void anAionBackupRestoresIntoANewThreeMemberCluster() throws Exception {
    java.nio.file.Path store = Files.createTempDirectory("e2e-s3");
    Process s3 = startS3(store);
    try {
      String url = Files.readString(store.resolve("url"));
      client().resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("s3-credentials")
          .withNamespace(NS).endMetadata().addToStringData("AWS_ACCESS_KEY_ID", "test-access-key")
          .addToStringData("AWS_SECRET_ACCESS_KEY", "test-secret-key-0123456789").build()).create();
      java.util.Map<String, Object> s3Spec = new java.util.LinkedHashMap<>(java.util.Map.of("bucket", "aion-backups",
          "endpoint", url, "pathStyle", true, "credentialsSecret", java.util.Map.of("name", "s3-credentials")));

      GenericKubernetesResource orders = example();
      orders.getMetadata().setName("orders");
      orders.getMetadata().setNamespace(NS);
      spec(orders).put("replicas", 1);
      spec(orders).put("storage", java.util.Map.of("size", "1Gi", "reclaimPolicy", "Delete"));
      spec(orders).put("backup", java.util.Map.of("s3", s3Spec));
      client().resource(orders).create();
      awaitRunning("orders", 1);
      Pod source = pods("orders").get(0);
      assertThat(request("PUT", source, "/v1/namespaces/orders", null).statusCode()).isIn(200, 201);
      for (int i = 0; i < 50; i++) {
        var w = request("PUT", source, "/v1/ns/orders/keys/o" + i, "{\"n\":" + i + "}");
        assertThat(w.statusCode()).as(w.body()).isIn(200, 201);
      }

      // the backup through kubectl aion, as a user takes one now (it creates the AionBackup and follows it)
      var taken = plugin().run(Duration.ofMinutes(6), "backup", "orders", "-n", NS, "--name", "orders-1", "--wait",
          "--timeout", "5m");
      assertThat(taken.exit()).as("%s", taken).isZero();
      assertThat(taken.out()).contains("aionbackup/orders-1 created", "Completed on orders-0");
      var backups = client().genericKubernetesResources("aiondb.io/v1alpha1", "AionBackup").inNamespace(NS);
      assertThat(status(backups.withName("orders-1").get())).containsEntry("phase", "Completed");
      var again = plugin().run(Duration.ofMinutes(1), "backup", "orders", "-n", NS, "--name", "orders-1");
      assertThat(again.exit()).isEqualTo(1);
      assertThat(again.err()).contains("an AionBackup orders-1 exists already");
      java.util.Map<String, Object> done = status(backups.withName("orders-1").get());
      String backupId = (String) done.get("backupId");
      long revision = ((Number) done.get("revision")).longValue();
      assertThat(done).containsEntry("member", "orders-0").containsEntry("keyCount", 50);
      assertThat(taken.out()).contains("backup " + backupId + " completed: revision " + revision + ", 50 keys");
      await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
        var st = plugin().run(Duration.ofMinutes(1), "status", "orders", "-n", NS);
        assertThat(st.out()).as("%s", st).contains("Last backup: orders-1 (id " + backupId + ", revision " + revision + ")");
      });
      var late = request("PUT", source, "/v1/ns/orders/keys/late", "{\"n\":-1}");
      assertThat(late.statusCode()).as(late.body()).isIn(200, 201);

      GenericKubernetesResource copy = example();
      copy.getMetadata().setName("orders-copy");
      copy.getMetadata().setNamespace(NS);
      spec(copy).put("storage", java.util.Map.of("size", "1Gi", "reclaimPolicy", "Delete"));
      java.util.Map<String, Object> sourceS3 = new java.util.LinkedHashMap<>(s3Spec);
      sourceS3.put("prefix", NS + "/orders");
      spec(copy).put("bootstrap", java.util.Map.of("restore", java.util.Map.of("backupId", backupId,
          "source", java.util.Map.of("s3", sourceS3))));
      spec(copy).put("backup", java.util.Map.of("s3", s3Spec)); // its own store: prefix e2e/orders-copy
      client().resource(copy).create();
      // a schedule every minute (its first run at once) keeping one backup, on the new 3-member cluster: its runs wait
      // for the members to restore and start, then go to a caught-up follower
      GenericKubernetesResource schedule = new GenericKubernetesResource();
      schedule.setApiVersion("aiondb.io/v1alpha1");
      schedule.setKind("AionBackupSchedule");
      schedule.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("minutely").withNamespace(NS).build());
      schedule.setAdditionalProperty("spec", java.util.Map.of("cluster", "orders-copy", "schedule", "* * * * *",
          "immediate", true, "retention", java.util.Map.of("keepLast", 1), "backupOwnerReference", "self"));
      client().resource(schedule).create();
      awaitRunning("orders-copy", 3);

      java.util.List<Pod> members = pods("orders-copy");
      for (Pod p : members) {
        assertThat(p.getStatus().getInitContainerStatuses()).singleElement().satisfies(c -> {
          assertThat(c.getName()).isEqualTo("restore");
          assertThat(c.getState().getTerminated().getExitCode()).isZero();
        });
        assertThat(local.podLog(p)).contains("restored: ", backupId);
        for (int i = 0; i < 50; i += 7) {
          var r = request("GET", p, "/v1/ns/orders/keys/o" + i + "?consistency=stale", null);
          assertThat(r.statusCode()).as(p.getMetadata().getName() + ": " + r.body()).isEqualTo(200);
          assertThat(r.body()).contains("\"n\":" + i);
        }
      }
      assertThat(request("GET", members.get(0), "/v1/ns/orders/keys/late", null).statusCode())
          .as("written after the backup").isEqualTo(404);
      var next = request("PUT", members.get(1), "/v1/ns/orders/keys/new", "{\"n\":1}");
      assertThat(next.statusCode()).as(next.body()).isIn(200, 201);
      assertThat(next.body()).as("revisions continue after the backup's").contains("\"revision\":" + (revision + 1));

      // the operator stopped across a due time of the schedule and started again (same identity, as a restarted
      // container): the run it missed is made up exactly once, for the latest due time it missed
      var schedules = client().genericKubernetesResources("aiondb.io/v1alpha1", "AionBackupSchedule").inNamespace(NS);
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
          .until(() -> status(schedules.withName("minutely").get()).get("runs") instanceof Number n && n.intValue() >= 1);
      int runsBefore = ((Number) status(schedules.withName("minutely").get()).get("runs")).intValue();
      java.time.Instant[] down = new java.time.Instant[2];
      local.devCluster().restartOperator(() -> {
        down[0] = java.time.Instant.now();
        java.time.Instant due = down[0].truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(60);
        // past it: an operator that only acts on due times it is awake for (a timer) would miss this run
        await("a due time passes while the operator is down").atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200)).until(() -> java.time.Instant.now().isAfter(due.plusSeconds(8)));
        down[1] = java.time.Instant.now();
      });
      java.time.Instant missed = down[1].truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
      await("the catch-up run").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
          .until(() -> scheduledRuns("minutely").stream().anyMatch(t -> t.isAfter(down[0]) && !t.isAfter(down[1])));
      assertThat(scheduledRuns("minutely").stream().filter(t -> t.isAfter(down[0]) && !t.isAfter(down[1])).toList())
          .as("runs created for due times while the operator was down (%s to %s)", down[0], down[1])
          .containsExactly(missed);
      assertThat(((Number) status(schedules.withName("minutely").get()).get("runs")).intValue())
          .as("runs counted after the restart").isGreaterThan(runsBefore);

      // the schedule: a second run a minute later, then retention deleted the first run's AionBackup and, through its
      // finalizer, its backup in the store; orders-1 (not the schedule's) stays
      java.util.List<String> firstRun = new java.util.ArrayList<>();
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        var runs = backups.withLabel("aiondb.io/schedule", "minutely").list().getItems();
        if (firstRun.isEmpty() && !runs.isEmpty()) {
          runs.stream().min(java.util.Comparator.comparing(r -> r.getMetadata().getName())).ifPresent(r -> {
            Object id = status(r).get("backupId");
            if ("Completed".equals(status(r).get("phase")) && id != null) firstRun.add(r.getMetadata().getName() + " " + id);
          });
        }
        java.util.Map<String, Object> st = status(schedules.withName("minutely").get());
        return !firstRun.isEmpty() && st.get("runs") instanceof Number n && n.intValue() >= 2
            && runs.size() == 1 && "Completed".equals(status(runs.get(0)).get("phase"))
            && !firstRun.get(0).startsWith(runs.get(0).getMetadata().getName() + " ");
      });
      String firstId = firstRun.get(0).split(" ")[1];
      Pod copyMember = pods("orders-copy").get(0);
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() ->
          request("GET", copyMember, "/v1/backups/" + firstId, null).statusCode() == 404);
      var kept = backups.withLabel("aiondb.io/schedule", "minutely").list().getItems().get(0);
      String keptId = (String) status(kept).get("backupId");
      assertThat(request("GET", copyMember, "/v1/backups/" + keptId, null).statusCode()).isEqualTo(200);
      assertThat(status(kept).get("member")).as("PreferFollower: not the leader")
          .isNotEqualTo(status(aionCluster("orders-copy").get()).get("leader"));
      assertThat(request("GET", source, "/v1/backups/" + backupId, null).statusCode()).isEqualTo(200);
      assertThat(status(aionCluster("orders-copy").get()).get("lastBackup").toString()).contains(keptId);

      schedules.withName("minutely").delete();
      await().atMost(Duration.ofMinutes(1)).until(() -> backups.withLabel("aiondb.io/schedule", "minutely").list()
          .getItems().isEmpty());
      for (String c : java.util.List.of("orders-copy", "orders")) aionCluster(c).delete();
      backups.withName("orders-1").delete();
      awaitGone("orders-copy");
      awaitGone("orders");
    } finally {
      s3.destroy();
      s3.waitFor();
    }
  }

  /** The due times of the runs the schedule's Events say the operator created ("Scheduled" Events). */
  private java.util.List<java.time.Instant> scheduledRuns(String schedule) {
    java.util.regex.Pattern due = java.util.regex.Pattern.compile("for the run due at (\\S+)\\.$");
    return client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> schedule.equals(e.getInvolvedObject().getName()) && "Scheduled".equals(e.getReason()))
        .map(e -> due.matcher(e.getMessage())).filter(java.util.regex.Matcher::find)
        .map(m -> java.time.Instant.parse(m.group(1))).sorted().toList();
  }

  /** The engine's test S3 store (s3proxy over a directory) as a process; its URL lands in {@code dir/url}. */
  private static Process startS3(java.nio.file.Path dir) throws Exception {
    java.nio.file.Path server = Repo.root().resolve("engine/server/target");
    java.nio.file.Path cp = server.resolve("test-classpath.txt");
    assertThat(cp).as("built by the engine's build (process-test-classes)").exists();
    String jvm = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(jvm, "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
        server.resolve("test-classes") + java.io.File.pathSeparator + Files.readString(cp).trim(),
        "io.aiondb.server.backup.S3ServerMain", dir.resolve("data").toString(), dir.resolve("url").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("s3.log").toFile()).start();
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(dir.resolve("url")) || !p.isAlive());
    assertThat(p.isAlive()).as(() -> "S3ServerMain: " + readQuietly(dir.resolve("s3.log"))).isTrue();
    return p;
  }

  private static String readQuietly(java.nio.file.Path f) {
    try {
      return Files.readString(f);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static String capacity(PersistentVolumeClaim c) {
    return c.getStatus() == null || c.getStatus().getCapacity() == null ? null
        : c.getStatus().getCapacity().get("storage").toString();
  }

  @SuppressWarnings("unchecked")
  private static String progressing(GenericKubernetesResource r) {
    Object list = status(r).get("conditions");
    if (!(list instanceof java.util.List<?> conditions)) return null;
    return conditions.stream().map(c -> (java.util.Map<String, Object>) c).filter(c -> "Progressing".equals(c.get("type")))
        .map(c -> (String) c.get("reason")).findFirst().orElse(null);
  }

  /** Two operator replicas: one reconciles, the other waits; when the leader stops, the standby takes over. */
  @Test
  @Order(30)
  void aStandbyOperatorTakesOverWhenTheLeaderStops() throws Exception {
    assertThat(leaseHolder()).isEqualTo("aion-operator-local-0");
    OperatorProcess standby = local.devCluster().startOperatorReplica("aion-operator-local-1");

    // A cluster created while both replicas run: the leader makes it Running; the standby, checked on every poll
    // from creation until a few seconds after, never takes the lease nor reconciles it.
    GenericKubernetesResource beside = example();
    beside.getMetadata().setName("beside-standby");
    beside.getMetadata().setNamespace(NS);
    spec(beside).put("replicas", 1);
    Callable<Boolean> standbyActed = () -> !"aion-operator-local-0".equals(leaseHolder())
        || Files.readString(standby.log()).contains(NS + "/beside-standby")
        || reporters("beside-standby").contains("aion-operator-local-1");
    client().resource(beside).create();
    await("the leader makes it Running").atMost(READY_TIMEOUT).pollInterval(Duration.ofSeconds(1))
        .failFast("the standby took the lease or reconciled the cluster", standbyActed)
        .untilAsserted(() -> assertThat(status(aionCluster("beside-standby").get()))
            .containsEntry("phase", "Running").containsEntry("readyReplicas", 1));
    await("the standby stays passive").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
        .until(() -> !standbyActed.call());
    assertThat(reporters("beside-standby")).as("who recorded the cluster's events").containsExactly("aion-operator-local-0");
    aionCluster("beside-standby").delete();
    awaitGone("beside-standby");

    local.devCluster().operator().close(); // SIGTERM, as a rollout or a drained node would
    await("the standby holds the lease").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
        .until(() -> "aion-operator-local-1".equals(leaseHolder()));

    GenericKubernetesResource one = example();
    one.getMetadata().setName("after-failover");
    one.getMetadata().setNamespace(NS);
    spec(one).put("replicas", 1);
    client().resource(one).create();
    awaitRunning("after-failover", 1);
    assertThat(Files.readString(standby.log())).contains(NS + "/after-failover");
    assertThat(reporters("after-failover")).containsExactly("aion-operator-local-1");
    aionCluster("after-failover").delete();
    awaitGone("after-failover");
  }
}
