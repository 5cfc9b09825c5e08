package io.aiondb.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
 * rolls one member at a time, the leader last; scaling 3→5→3 leaves the Raft membership equal to the pods; no
 * acknowledged write is lost. Prints the load's figures (longest write gap, failed attempts) for docs/operator.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutIT {
  private static final String NS = "rollout";
  private static final String NAME = "roll";
  private static final Duration TIMEOUT = Duration.ofMinutes(6);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private LocalClusterFixture fixture;
  /** The operator that runs now: restarted when it exits, as its Deployment would (see {@link #supervise}). */
  private volatile io.aiondb.e2e.cluster.OperatorProcess operator;
  private final java.util.concurrent.atomic.AtomicInteger operatorStarts = new java.util.concurrent.atomic.AtomicInteger();
  private final AtomicBoolean supervising = new AtomicBoolean(true);
  private Thread supervisor;

  @BeforeAll
  void start() throws Exception {
    fixture = LocalClusterFixture.start("rollout");
    operator = fixture.devCluster().operator();
    supervisor = Thread.ofPlatform().name("e2e-operator-supervisor").start(this::supervise);
    client().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    GenericKubernetesResource c = AionClusterScenarios.example();
    c.getMetadata().setName(NAME);
    c.getMetadata().setNamespace(NS);
    client().resource(c).create();
    awaitUpToDate(3);
    var r = request("PUT", engine(pods().get(0)), "/v1/namespaces/load", null);
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

  /** (b) Scale 3→5→3 under load: members join as learners, are promoted, then leave; membership equals the pods. */
  @Test
  @Order(2)
  void scalingUpAndDownKeepsMembershipEqualToThePods() throws Exception {
    try (Load load = new Load()) {
      load.awaitWrites(50);
      cluster().patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":5}}");
      // (c) the operator is killed in the middle of the scale-up; a new one (started by the supervisor) finishes it
      await().atMost(TIMEOUT).until(() -> client().apps().statefulSets().inNamespace(NS).withName(NAME).get()
          .getSpec().getReplicas() >= 4);
      int starts = operatorStarts.get();
      operator.close();
      await().atMost(Duration.ofMinutes(2)).until(() -> operatorStarts.get() > starts && operator.isAlive());
      awaitUpToDate(5);
      assertThat(voters()).containsExactly("roll-0", "roll-1", "roll-2", "roll-3", "roll-4");
      assertThat(reasons()).contains("ScaleStatefulSet", "AddLearner", "Promote");
      cluster().patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":3}}");
      awaitUpToDate(3);
      assertThat(pods()).extracting(p -> p.getMetadata().getName()).containsExactly("roll-0", "roll-1", "roll-2");
      assertThat(voters()).containsExactly("roll-0", "roll-1", "roll-2");
      assertThat(reasons()).contains("Decommission");
      load.finishAndCheck("scale 3->5->3");
    }
  }

  // ------------------------------------------------------------------------------------------------ helpers

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
    for (JsonNode m : JSON.readTree(request("GET", engine(pods().get(0)), "/v1/cluster/members", null).body())
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

  private URI engine(Pod p) {
    return fixture.engine(p);
  }

  private HttpResponse<String> request(String method, URI base, String path, String json) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /**
   * One client writing distinct keys in sequence to a Ready member (the next one after a failure), as a client
   * behind the Service would: it records every acknowledged key, every failed attempt, the longest time between two
   * acknowledgements and the latencies; {@link #finishAndCheck} reads every acknowledged key back.
   */
  private final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong longestGapNanos = new AtomicLong();
    private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    private final Map<String, String> written = new LinkedHashMap<>();
    private final String prefix = "w" + System.nanoTime() + "-";
    private final Thread thread = Thread.ofPlatform().name("e2e-load").start(this::run);

    private void run() {
      long last = System.nanoTime();
      int target = 0;
      int n = 0;
      while (running.get()) {
        List<Pod> ready = pods().stream().filter(AionClusterScenarios::ready).toList();
        if (ready.isEmpty()) continue;
        Pod p = ready.get(Math.floorMod(target, ready.size()));
        String key = prefix + n;
        long t0 = System.nanoTime();
        try {
          var r = request("PUT", engine(p), "/v1/ns/load/keys/" + key, "{\"n\":" + n + "}");
          if (r.statusCode() / 100 == 2) {
            long t1 = System.nanoTime();
            latencies.add(t1 - t0);
            longestGapNanos.accumulateAndGet(t1 - last, Math::max);
            last = t1;
            synchronized (written) {
              written.put(key, "\"n\":" + n);
            }
            acked.incrementAndGet();
            n++;
            continue;
          }
        } catch (IOException | RuntimeException e) {
          // counted below; the client moves on to another member
        }
        failed.incrementAndGet();
        target++;
      }
    }

    void awaitWrites(long count) {
      long start = acked.get();
      await().atMost(Duration.ofMinutes(1)).until(() -> acked.get() >= start + count);
    }

    void finishAndCheck(String what) throws Exception {
      running.set(false);
      thread.join();
      List<Long> sorted = latencies.stream().sorted().toList();
      long p99 = sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99)));
      System.out.printf(Locale.ROOT, "[e2e] %s under load: %d writes acknowledged, %d failed attempts (retried), "
          + "longest gap between acknowledgements %d ms, p99 write latency %.1f ms%n", what, acked.get(),
          failed.get(), longestGapNanos.get() / 1_000_000, p99 / 1e6);
      Pod reader = pods().get(0);
      List<String> lost = new ArrayList<>();
      synchronized (written) {
        for (var e : written.entrySet()) {
          var r = request("GET", engine(reader), "/v1/ns/load/keys/" + e.getKey(), null);
          if (r.statusCode() != 200 || !r.body().contains(e.getValue())) lost.add(e.getKey() + " " + r.statusCode());
        }
      }
      assertThat(lost).as("acknowledged writes missing after %s", what).isEmpty();
      assertThat(acked.get()).isGreaterThan(50);
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join();
    }
  }
}
