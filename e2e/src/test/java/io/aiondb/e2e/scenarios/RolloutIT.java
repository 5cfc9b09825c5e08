package io.aiondb.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.e2e.kubelet.Images;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Edits of a running AionCluster carried out by the operator, end to end (real kube-apiserver, controller-manager,
 * process kubelet running real engine processes), each under a client write load with a checker: a spec.config change
 * rolls one member at a time, the leader last; scaling 3→5→1→3 leaves the Raft membership equal to the pods; an
 * upgrade between two engine builds that report different versions; a stalled upgrade that halts after one member
 * and recovers when the spec is set back; a member whose volume is deleted is replaced. No acknowledged write is
 * lost. All share one cluster (CI time). Prints the load's figures (longest write gap, failed attempts, p99 write
 * latency, before and during the upgrade) for docs/operator.md.
 *
 * <p>Images: the process kubelet maps {@code aion-server:0.1.0} and {@code :0.2.0} to two builds that report those
 * versions ({@link EngineBuilds#withVersion}: this tree's build with its version resource rewritten), and
 * {@code :0.3.0} to a build whose jar is not a jar (it exits at once).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutIT {
  private static final String NS = "rollout";
  private static final String NAME = "roll";
  private static final Duration TIMEOUT = Duration.ofMinutes(6);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The example's spec.version; the cluster starts on it. */
  private static final String OLD_VERSION = "0.1.0";
  private static final String NEW_VERSION = "0.2.0";
  /** An image whose container exits at once. */
  private static final String BROKEN_VERSION = "0.3.0";

  /** The cluster runs with TLS and auth on (the defaults): rollouts, scaling and the writer below all run with them. */
  private ClusterAccess access;
  private LocalClusterFixture fixture;
  /** The operator that runs now: restarted when it exits, as its Deployment would (see {@link #supervise}). */
  private volatile io.aiondb.e2e.cluster.OperatorProcess operator;
  private final java.util.concurrent.atomic.AtomicInteger operatorStarts = new java.util.concurrent.atomic.AtomicInteger();
  private final AtomicBoolean supervising = new AtomicBoolean(true);
  private Thread supervisor;

  @BeforeAll
  void start() throws Exception {
    Path build = Repo.root().resolve("engine/server/target");
    Path builds = Repo.stateDir().resolve("engine-builds");
    String image = Images.ENGINE_REPOSITORY + ":";
    Images images = Images.engine(build)
        .add(image + OLD_VERSION, EngineBuilds.withVersion(build, builds.resolve(OLD_VERSION), OLD_VERSION))
        .add(image + NEW_VERSION, EngineBuilds.withVersion(build, builds.resolve(NEW_VERSION), NEW_VERSION))
        .add(image + BROKEN_VERSION, EngineBuilds.broken(builds.resolve(BROKEN_VERSION)));
    fixture = LocalClusterFixture.start("rollout", images);
    operator = fixture.devCluster().operator();
    supervisor = Thread.ofPlatform().name("e2e-operator-supervisor").start(this::supervise);
    client().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    GenericKubernetesResource c = AionClusterScenarios.example();
    c.getMetadata().setName(NAME);
    c.getMetadata().setNamespace(NS);
    client().resource(c).create();
    awaitUpToDate(3);
    access = new ClusterAccess(client(), fixture::engine);
    assertThat(ClusterAccess.tls(pods().get(0))).as("TLS by default").isTrue();
    await("root logs in with the password from Secret " + NAME + "-root").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500)).until(() -> access.rootBearer(pods().get(0)) != null);
    var r = request("PUT", pods().get(0), "/v1/namespaces/load", null);
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
  }

  @AfterAll
  void stop() throws Exception {
    supervising.set(false);
    if (supervisor != null) supervisor.join();
    if (fixture != null) fixture.close();
  }

  /**
   * Plays the operator's Deployment: an operator process that exits (killed by a test, or when it loses its Lease on
   * this overloaded machine: JOSDK exits when it stops leading) is replaced by a new replica within seconds.
   */
  private void supervise() {
    while (supervising.get()) {
      try {
        Thread.sleep(1000);
        if (supervising.get() && !operator.isAlive()) {
          int n = operatorStarts.incrementAndGet();
          System.out.println("[e2e] the operator exited; starting replica aion-operator-local-" + n);
          operator = fixture.devCluster().startOperatorReplica("aion-operator-local-" + n);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        System.out.println("[e2e] restarting the operator failed: " + e);
      }
    }
  }

  private KubernetesClient client() {
    return fixture.client();
  }

  /** (a) A spec.config change: one member at a time, the leader last, UpToDate only at the end, nothing lost. */
  @Test
  @Order(1)
  void aConfigChangeRollsOneMemberAtATimeTheLeaderLastUnderLoad() throws Exception {
    Map<String, String> uids = uids();
    String leader = (String) status().get("leader");
    long generation = cluster().get().getMetadata().getGeneration();
    try (Load load = new Load()) {
      load.awaitWrites(50);
      cluster().patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"spec\":{\"config\":[{\"name\":\"cache.size\",\"value\":\"96MiB\"},"
              + "{\"name\":\"history.keep-duration\",\"value\":\"7d\"}]}}");
      List<String> restarted = new ArrayList<>();
      List<String> violations = new ArrayList<>();
      await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
        List<Pod> listed = pods(); // one listing: a pod deleted and recreated between two would count twice
        Map<String, String> now = new HashMap<>();
        listed.forEach(p -> now.put(p.getMetadata().getName(), p.getMetadata().getUid()));
        for (var e : uids.entrySet()) {
          if (!e.getValue().equals(now.get(e.getKey())) && !restarted.contains(e.getKey())) restarted.add(e.getKey());
        }
        List<String> up = listed.stream().filter(AionClusterScenarios::ready).map(p -> p.getMetadata().getName()).toList();
        if (up.size() < 2) violations.add((3 - up.size()) + " members down at once; Ready: " + up);
        Map<String, Object> st = status();
        boolean upToDate = "UpToDate".equals(reason(st, "Progressing"))
            && ((Number) st.getOrDefault("observedGeneration", 0)).longValue() > generation;
        if (upToDate && restarted.size() < 3) violations.add("UpToDate after only " + restarted + " restarted");
        return upToDate && restarted.size() == 3 && "Running".equals(st.get("phase"));
      });
      assertThat(violations).isEmpty();
      assertThat(restarted).as("followers first, the leader (%s) last", leader).hasSize(3).last().isEqualTo(leader);
      assertThat(status()).doesNotContainKey("rollout").containsEntry("updatedReplicas", 3);
      assertThat(reasons()).contains("RestartPod", "DrainLeadership");
      load.finishAndCheck("config rollout");
    }
  }

  /**
   * (b) Scale 3→5→1→3 under load (one scenario: each scaling step costs a rollout's worth of CI time). Up to 5: the
   * new members join as learners and are promoted, (c) with the operator killed in the middle (a new one, started by
   * the supervisor, finishes); down to 1: four members are decommissioned and their volumes kept (reclaimPolicy
   * Retain); back to 3: roll-1 and roll-2 come back on the volumes they left, with a stale Raft log and data (they are
   * not Ready until added, since they know no leader), are added, catch up over the stale log and are promoted.
   * Membership equals the pods at every step; nothing lost, read back from one of the returning members.
   */
  @Test
  @Order(2)
  void scalingUpDownAndBackKeepsMembershipEqualToThePodsAndReusesTheKeptVolumes() throws Exception {
    Map<String, String> claimUids = new HashMap<>();
    for (String c : List.of("data-roll-1", "data-roll-2")) {
      claimUids.put(c, client().persistentVolumeClaims().inNamespace(NS).withName(c).get().getMetadata().getUid());
    }
    try (Load load = new Load()) {
      load.awaitWrites(50);
      cluster().patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":5}}");
      await().atMost(TIMEOUT).until(() -> client().apps().statefulSets().inNamespace(NS).withName(NAME).get()
          .getSpec().getReplicas() >= 4);
      int starts = operatorStarts.get();
      operator.close();
      await().atMost(Duration.ofMinutes(2)).until(() -> operatorStarts.get() > starts && operator.isAlive());
      awaitUpToDate(5);
      assertThat(voters()).containsExactly("roll-0", "roll-1", "roll-2", "roll-3", "roll-4");
      assertThat(reasons()).contains("ScaleStatefulSet", "AddLearner", "Promote");

      cluster().patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":1}}");
      awaitUpToDate(1);
      assertThat(pods()).extracting(p -> p.getMetadata().getName()).containsExactly("roll-0");
      assertThat(voters()).containsExactly("roll-0");
      assertThat(reasons()).contains("Decommission");
      assertThat(claims()).as("reclaimPolicy Retain keeps the volumes of removed members")
          .contains("data-roll-1", "data-roll-2", "data-roll-3", "data-roll-4");
      load.awaitWrites(50); // written while roll-1 and roll-2 are away: their logs miss these

      cluster().patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":3}}");
      awaitUpToDate(3);
      assertThat(pods()).extracting(p -> p.getMetadata().getName()).containsExactly("roll-0", "roll-1", "roll-2");
      assertThat(voters()).containsExactly("roll-0", "roll-1", "roll-2");
      for (String m : List.of("roll-1", "roll-2")) {
        var c = client().persistentVolumeClaims().inNamespace(NS).withName("data-" + m).get();
        assertThat(c.getMetadata().getUid()).as("%s came back on the volume it left", m).isEqualTo(claimUids.get("data-" + m));
        var st = JSON.readTree(request("GET", pod(m), "/v1/status", null).body());
        assertThat(st.path("dataState").asText()).as("%s started on its old data", m).isEqualTo("present");
      }
      load.finishAndCheck("scale 3->5->1->3, back on kept volumes", "roll-2");
    }
  }


  /**
   * (d) An upgrade between two real engine builds that report different versions: every member ends on the new build
   * (its own /v1/status says so), followers first, the leader last and only after leadership moved off it (seen on
   * the engine while the leader's pod still ran), nothing lost. Prints the load's figures before and during the roll.
   */
  @Test
  @Order(4)
  void anUpgradeBetweenTwoEngineBuildsRestartsTheLeaderLastAfterATransfer() throws Exception {
    assertThat(memberVersions(pods())).as("every member runs the %s build", OLD_VERSION)
        .containsOnly(Map.entry("roll-0", OLD_VERSION), Map.entry("roll-1", OLD_VERSION),
            Map.entry("roll-2", OLD_VERSION));
    Map<String, String> uids = uids();
    String leader = engineLeader(pods());
    assertThat(leader).as("the engine's leader").isIn(uids.keySet());
    long generation = cluster().get().getMetadata().getGeneration();
    Instant start = Instant.now().minusSeconds(1);
    try (Load load = new Load()) {
      load.awaitWrites(300); // the "before" window: about 5 s of steady writes
      long rollStart = System.nanoTime();
      cluster().patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"version\":\"" + NEW_VERSION + "\"}}");
      List<String> restarted = new ArrayList<>();
      List<String> violations = new ArrayList<>();
      AtomicReference<String> movedTo = new AtomicReference<>();
      await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
        List<Pod> listed = pods();
        Map<String, String> now = new HashMap<>();
        listed.forEach(p -> now.put(p.getMetadata().getName(), p.getMetadata().getUid()));
        // Leadership left the old leader while its first pod still ran, Ready and not being deleted: a transfer,
        // not an election after its pod went away.
        Pod old = listed.stream().filter(p -> p.getMetadata().getName().equals(leader)).findFirst().orElse(null);
        if (movedTo.get() == null && old != null && old.getMetadata().getUid().equals(uids.get(leader))
            && old.getMetadata().getDeletionTimestamp() == null && AionClusterScenarios.ready(old)) {
          String l = engineLeader(listed);
          if (l != null && !l.equals(leader)) movedTo.set(l);
        }
        for (var e : uids.entrySet()) {
          if (!e.getValue().equals(now.get(e.getKey())) && !restarted.contains(e.getKey())) {
            restarted.add(e.getKey());
            if (e.getKey().equals(leader) && movedTo.get() == null) {
              violations.add("the leader " + leader + " was restarted before leadership moved off it");
            }
          }
        }
        List<String> up = listed.stream().filter(AionClusterScenarios::ready).map(p -> p.getMetadata().getName()).toList();
        if (up.size() < 2) violations.add((3 - up.size()) + " members down at once; Ready: " + up);
        Map<String, Object> st = status();
        boolean upToDate = "UpToDate".equals(reason(st, "Progressing"))
            && ((Number) st.getOrDefault("observedGeneration", 0)).longValue() > generation;
        if (upToDate && restarted.size() < 3) violations.add("UpToDate after only " + restarted + " restarted");
        return upToDate && restarted.size() == 3 && "Running".equals(st.get("phase"))
            && onVersion(listed, NEW_VERSION);
      });
      long rollEnd = System.nanoTime();
      assertThat(violations).isEmpty();
      assertThat(restarted).as("followers first, the leader (%s) last", leader).hasSize(3).last().isEqualTo(leader);
      assertThat(movedTo.get()).as("leadership moved off %s before its restart", leader).isNotEqualTo(leader)
          .isIn(uids.keySet());
      assertThat(memberVersions(pods())).as("each member's /v1/status").hasSize(3).containsOnlyKeys(uids.keySet())
          .allSatisfy((m, v) -> assertThat(v).isEqualTo(NEW_VERSION));
      assertThat(status()).containsEntry("currentVersion", NEW_VERSION).doesNotContainKey("rollout");
      // Usually the roller's drain moved it; under load an election may have moved it first (then no drain is due).
      List<String> leaderEvents = eventsSince(start, leader);
      assertThat(leaderEvents).as("events naming %s", leader).contains("RestartPod");
      System.out.printf(Locale.ROOT, "[e2e] upgrade %s -> %s: leader %s restarted last, after leadership moved to %s"
          + " (%s); roll took %d s%n", OLD_VERSION, NEW_VERSION, leader, movedTo.get(),
          leaderEvents.contains("DrainLeadership") ? "drained by the operator" : "by an election before the drain",
          (rollEnd - rollStart) / 1_000_000_000);
      load.report("before the upgrade", load.startNanos, rollStart);
      load.report("during the upgrade", rollStart, rollEnd);
      load.finishAndCheck("upgrade " + OLD_VERSION + " -> " + NEW_VERSION);
    }
  }

  /**
   * (e) An upgrade to an image that cannot start, with a short podReadyTimeout: the first member restarted (the
   * highest-ordinal follower) never becomes Ready; the rollout halts (Degraded and Progressing: RolloutStalled,
   * naming it), touches no other member, and the others keep taking writes. Setting spec.version back restarts the
   * stalled member on the old image: all Ready, UpToDate, nothing lost.
   */
  @Test
  @Order(5)
  void aStalledUpgradeHaltsAfterOneMemberAndSettingTheSpecBackRecovers() throws Exception {
    String good = (String) spec().get("version");
    Map<String, String> uids = uids();
    String leader = engineLeader(pods());
    String first = uids.keySet().stream().filter(m -> !m.equals(leader)).max(String::compareTo).orElseThrow();
    try (Load load = new Load()) {
      load.awaitWrites(50);
      cluster().patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"version\":\"" + BROKEN_VERSION
          + "\",\"updateStrategy\":{\"podReadyTimeout\":\"10s\"}}}");
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        assertThat(touched(uids)).as("members restarted").containsExactly(first);
        assertThat(reason(status(), "Degraded")).isEqualTo("RolloutStalled");
      });
      Map<String, Object> halted = status();
      System.out.println("[e2e] stalled upgrade halted: " + message(halted, "Degraded"));
      assertThat(reason(halted, "Progressing")).isEqualTo("RolloutStalled");
      assertThat(message(halted, "Degraded")).contains(first);
      assertThat(halted.get("rollout")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
          .containsEntry("haltedMember", first);
      // Halted: for 8 s (more than one of the roller's 5 s requeues) no other member is touched, and writes go on.
      long ackedAtHalt = load.acked.get();
      await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
          .until(() -> touched(uids).equals(List.of(first)) && "RolloutStalled".equals(reason(status(), "Degraded")));
      assertThat(load.acked.get()).as("writes acknowledged while halted").isGreaterThan(ackedAtHalt + 20);

      cluster().patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"spec\":{\"version\":\"" + good + "\",\"updateStrategy\":null}}");
      awaitUpToDate(3);
      await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
        assertThat(reason(status(), "Degraded")).isEqualTo("AsExpected");
        assertThat(onVersion(pods(), good)).as("every member reports %s: %s", good, memberVersions(pods())).isTrue();
      });
      assertThat(status()).doesNotContainKey("rollout");
      assertThat(touched(uids)).as("only the stalled member was ever restarted").containsExactly(first);
      load.finishAndCheck("stalled upgrade and rollback");
    }
  }

  /**
   * (f) A member's volume is deleted (claim and pod, as when a disk is replaced): the member comes back empty, the
   * engine refuses to let it vote, the operator removes it, adds it back as a learner, it catches up and is promoted;
   * the voters equal the pods, and every acknowledged write is read back from the replaced member itself.
   */
  @Test
  @Order(6)
  void aMemberWhoseVolumeIsDeletedIsReplacedAndCatchesUp() throws Exception {
    String leader = engineLeader(pods());
    String victim = uids().keySet().stream().filter(m -> !m.equals(leader)).min(String::compareTo).orElseThrow();
    String claim = "data-" + victim;
    String oldPod = pod(victim).getMetadata().getUid();
    String oldClaim = client().persistentVolumeClaims().inNamespace(NS).withName(claim).get().getMetadata().getUid();
    Instant start = Instant.now().minusSeconds(1);
    try (Load load = new Load()) {
      load.awaitWrites(50);
      client().persistentVolumeClaims().inNamespace(NS).withName(claim).delete();
      client().pods().inNamespace(NS).withName(victim).delete();
      AtomicReference<Pod> replaced = new AtomicReference<>();
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        Pod p = pod(victim);
        assertThat(p).as("a new pod %s", victim).isNotNull();
        assertThat(p.getMetadata().getUid()).isNotEqualTo(oldPod);
        var c = client().persistentVolumeClaims().inNamespace(NS).withName(claim).get();
        assertThat(c).as("a new claim %s", claim).isNotNull();
        assertThat(c.getMetadata().getUid()).isNotEqualTo(oldClaim);
        assertThat(fixture.podLog(p)).as("%s's log", victim).contains("(dataState empty-refused-voter)");
        replaced.set(p);
      });
      // Until it is added it is not Ready and may not answer at all (its pod IP is new): connection errors are retried.
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
        var st = JSON.readTree(request("GET", pod(victim), "/v1/status", null).body());
        assertThat(st.path("dataState").asText()).as("%s's dataState", victim).isEqualTo("joined");
        assertThat(voters()).containsExactly("roll-0", "roll-1", "roll-2");
      });
      awaitUpToDate(3);
      assertThat(pod(victim).getMetadata().getUid()).as("the replaced member was not restarted again")
          .isEqualTo(replaced.get().getMetadata().getUid());
      assertThat(voters()).containsExactly("roll-0", "roll-1", "roll-2");
      assertThat(eventsSince(start, victim)).contains("ReplaceMember", "AddLearner", "Promote");
      load.finishAndCheck("volume " + claim + " deleted, " + victim + " replaced", victim);
    }
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** The leader as the engine names it (GET /v1/cluster/health on a Ready member), or null when none says. */
  private String engineLeader(List<Pod> listed) {
    for (Pod p : listed) {
      if (!AionClusterScenarios.ready(p) || p.getMetadata().getDeletionTimestamp() != null) continue;
      try {
        var r = request("GET", p, "/v1/cluster/health", null, Duration.ofSeconds(2));
        if (r.statusCode() != 200) continue;
        String l = JSON.readTree(r.body()).path("leader").asText(null);
        if (l != null) return l;
      } catch (IOException e) {
        // the next member
      }
    }
    return null;
  }

  /** Each member's version from its own /v1/status (members that do not answer are left out). */
  private Map<String, String> memberVersions(List<Pod> listed) {
    Map<String, String> out = new java.util.TreeMap<>();
    for (Pod p : listed) {
      if (p.getStatus() == null || p.getStatus().getPodIP() == null) continue;
      try {
        var r = request("GET", p, "/v1/status", null, Duration.ofSeconds(2));
        if (r.statusCode() == 200) out.put(p.getMetadata().getName(), JSON.readTree(r.body()).path("version").asText());
      } catch (IOException e) {
        // left out
      }
    }
    return out;
  }

  /** Every pod's member answers /v1/status with {@code version}. */
  private boolean onVersion(List<Pod> listed, String version) {
    Map<String, String> v = memberVersions(listed);
    return v.size() == listed.size() && v.values().stream().allMatch(version::equals);
  }

  /** The members whose pod is not the one {@code uids} recorded (restarted, or gone). */
  private List<String> touched(Map<String, String> uids) {
    Map<String, String> now = uids();
    return uids.entrySet().stream().filter(e -> !e.getValue().equals(now.get(e.getKey()))).map(Map.Entry::getKey)
        .sorted().toList();
  }

  private Pod pod(String name) {
    return client().pods().inNamespace(NS).withName(name).get();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> spec() {
    return (Map<String, Object>) cluster().get().getAdditionalProperties().get("spec");
  }

  @SuppressWarnings("unchecked")
  private static String message(Map<String, Object> status, String type) {
    Object list = status.get("conditions");
    if (!(list instanceof List<?> conditions)) return null;
    return conditions.stream().map(c -> (Map<String, Object>) c).filter(c -> type.equals(c.get("type")))
        .map(c -> (String) c.get("message")).findFirst().orElse(null);
  }

  /** Reasons of the cluster's events last seen at or after {@code since} whose message names {@code member}. */
  private List<String> eventsSince(Instant since, String member) {
    return client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "AionCluster".equals(e.getInvolvedObject().getKind()) && NAME.equals(e.getInvolvedObject().getName()))
        .filter(e -> e.getMessage() != null && e.getMessage().contains(member))
        .filter(e -> {
          String t = e.getLastTimestamp() != null ? e.getLastTimestamp() : e.getMetadata().getCreationTimestamp();
          return t != null && !Instant.parse(t).isBefore(since);
        })
        .map(e -> e.getReason()).toList();
  }

  private void awaitUpToDate(int replicas) {
    await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      Map<String, Object> st = status();
      assertThat(st).as("status").containsEntry("phase", "Running").containsEntry("readyReplicas", replicas);
      assertThat(reason(st, "Progressing")).isEqualTo("UpToDate");
      assertThat(pods()).hasSize(replicas);
    });
  }

  /** The voters as a member sees them. */
  private TreeSet<String> voters() throws IOException {
    TreeSet<String> out = new TreeSet<>();
    for (JsonNode m : JSON.readTree(request("GET", pods().get(0), "/v1/cluster/members", null).body())
        .path("members")) {
      if (m.path("voting").asBoolean()) out.add(m.path("id").asText());
    }
    return out;
  }

  private Resource<GenericKubernetesResource> cluster() {
    return client().genericKubernetesResources("aiondb.io/v1alpha1", "AionCluster").inNamespace(NS).withName(NAME);
  }

  private Map<String, Object> status() {
    return AionClusterScenarios.status(cluster().get());
  }

  @SuppressWarnings("unchecked")
  private static String reason(Map<String, Object> status, String type) {
    Object list = status.get("conditions");
    if (!(list instanceof List<?> conditions)) return null;
    return conditions.stream().map(c -> (Map<String, Object>) c).filter(c -> type.equals(c.get("type")))
        .map(c -> (String) c.get("reason")).findFirst().orElse(null);
  }

  /** The names of the cluster's PersistentVolumeClaims. */
  private List<String> claims() {
    return client().persistentVolumeClaims().inNamespace(NS).withLabel("app.kubernetes.io/instance", NAME).list()
        .getItems().stream().map(c -> c.getMetadata().getName()).sorted().toList();
  }

  private List<String> reasons() {
    return client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> NAME.equals(e.getInvolvedObject().getName())).map(e -> e.getReason()).toList();
  }

  private List<Pod> pods() {
    List<Pod> pods = new ArrayList<>(client().pods().inNamespace(NS).withLabel("app.kubernetes.io/instance", NAME)
        .list().getItems());
    pods.sort((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()));
    return pods;
  }

  private Map<String, String> uids() {
    Map<String, String> out = new HashMap<>();
    pods().forEach(p -> out.put(p.getMetadata().getName(), p.getMetadata().getUid()));
    return out;
  }

  private HttpResponse<String> request(String method, Pod pod, String path, String json) throws IOException {
    return request(method, pod, path, json, Duration.ofSeconds(10));
  }

  /** A request to the pod's engine over HTTPS as the cluster's root ({@link ClusterAccess}). */
  private HttpResponse<String> request(String method, Pod pod, String path, String json, Duration timeout)
      throws IOException {
    try {
      return access.send(pod, method, path, json, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /**
   * One client writing distinct keys in sequence to a Ready member (the next one after a failure), as a client
   * behind the Service would: it records every acknowledged key, every failed attempt, when each acknowledgement came
   * and its latency; {@link #report} prints the figures of a time window, {@link #finishAndCheck} those of the whole
   * run, then reads every acknowledged key back.
   */
  private final class Load implements AutoCloseable {
    /** One acknowledged write: when the acknowledgement came, how long the write took. */
    private record Ack(long atNanos, long latencyNanos) {}

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong acked = new AtomicLong();
    private final ConcurrentLinkedQueue<Long> failures = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> written = new LinkedHashMap<>();
    private final String prefix = "w" + System.nanoTime() + "-";
    final long startNanos = System.nanoTime();
    private final Thread thread = Thread.ofPlatform().name("e2e-load").start(this::run);

    private void run() {
      int target = 0;
      int n = 0;
      while (running.get()) {
        List<Pod> ready = pods().stream().filter(AionClusterScenarios::ready).toList();
        if (ready.isEmpty()) continue;
        Pod p = ready.get(Math.floorMod(target, ready.size()));
        String key = prefix + n;
        long t0 = System.nanoTime();
        try {
          var r = request("PUT", p, "/v1/ns/load/keys/" + key, "{\"n\":" + n + "}");
          if (r.statusCode() / 100 == 2) {
            long t1 = System.nanoTime();
            acks.add(new Ack(t1, t1 - t0));
            synchronized (written) {
              written.put(key, n);
            }
            acked.incrementAndGet();
            n++;
            continue;
          }
        } catch (IOException | RuntimeException e) {
          // counted below; the client moves on to another member
        }
        failures.add(System.nanoTime());
        target++;
      }
    }

    void awaitWrites(long count) {
      long start = acked.get();
      await().atMost(Duration.ofMinutes(1)).until(() -> acked.get() >= start + count);
    }

    /**
     * Prints the figures of acknowledgements in [fromNanos, toNanos): count, failed attempts, p99 latency, and the
     * longest time without an acknowledgement (from the window's start, between two, and to its end).
     */
    void report(String what, long fromNanos, long toNanos) {
      List<Ack> in = acks.stream().filter(a -> a.atNanos() >= fromNanos && a.atNanos() < toNanos).toList();
      long failed = failures.stream().filter(t -> t >= fromNanos && t < toNanos).count();
      long last = fromNanos;
      long gap = 0;
      long gapEnd = fromNanos;
      for (Ack a : in) {
        if (a.atNanos() - last > gap) {
          gap = a.atNanos() - last;
          gapEnd = a.atNanos();
        }
        last = a.atNanos();
      }
      if (toNanos - last > gap) {
        gap = toNanos - last;
        gapEnd = toNanos;
      }
      List<Long> sorted = in.stream().map(Ack::latencyNanos).sorted().toList();
      long p99 = sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99)));
      System.out.printf(Locale.ROOT, "[e2e] %s under load: %d writes acknowledged in %.1f s, %d failed attempts "
          + "(retried), longest gap between acknowledgements %d ms (ending %.1f s in), p99 write latency %.1f ms%n",
          what, in.size(), (toNanos - fromNanos) / 1e9, failed, gap / 1_000_000, (gapEnd - fromNanos) / 1e9, p99 / 1e6);
    }

    void finishAndCheck(String what) throws Exception {
      finishAndCheck(what, null);
    }

    /** Stops, prints the run's figures and reads every acknowledged key back from {@code reader} (null: the first). */
    void finishAndCheck(String what, String reader) throws Exception {
      running.set(false);
      thread.join();
      long first = acks.stream().mapToLong(Ack::atNanos).min().orElse(startNanos);
      long end = acks.stream().mapToLong(Ack::atNanos).max().orElse(startNanos) + 1;
      report(what, first, end);
      Pod from = reader == null ? pods().get(0) : pod(reader);
      Map<String, Integer> found = readBack(from);
      List<String> lost = new ArrayList<>();
      synchronized (written) {
        written.forEach((key, n) -> {
          if (!n.equals(found.get(key))) lost.add(key + (found.containsKey(key) ? " n=" + found.get(key) : " missing"));
        });
      }
      assertThat(lost).as("acknowledged writes missing after %s (read from %s)", what, from.getMetadata().getName())
          .isEmpty();
      assertThat(acked.get()).isGreaterThan(50);
    }

    /** Every key of this load as {@code member} reads it: a linearizable prefix query, page by page. */
    private Map<String, Integer> readBack(Pod member) throws IOException {
      Map<String, Integer> found = new HashMap<>();
      String cursor = null;
      do {
        var q = JSON.createObjectNode().put("prefix", prefix).put("limit", 10_000);
        if (cursor != null) q.put("cursor", cursor);
        var r = request("POST", member, "/v1/ns/load/query", q.toString(), Duration.ofSeconds(30));
        assertThat(r.statusCode()).as("query on %s: %s", member.getMetadata().getName(), r.body()).isEqualTo(200);
        JsonNode page = JSON.readTree(r.body());
        for (JsonNode item : page.path("items")) {
          found.put(item.path("key").asText(), item.path("value").path("n").asInt(-1));
        }
        cursor = page.path("cursor").isTextual() ? page.path("cursor").asText() : null;
      } while (cursor != null);
      return found;
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join();
    }
  }
}
