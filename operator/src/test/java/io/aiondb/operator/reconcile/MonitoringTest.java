package io.aiondb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aiondb.operator.Clusters;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.MonitoringSpec;
import io.aiondb.operator.api.TlsSpec;
import io.aiondb.operator.kube.ControlPlane;
import io.aiondb.operator.kube.ControlPlaneResource;
import io.aiondb.operator.kube.InjectControlPlane;
import io.aiondb.operator.model.MonitoringBuilders;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * spec.monitoring against the real API server (shared with the other reconciler tests): without the Prometheus
 * Operator's PodMonitor kind the cluster is made as usual and a Warning says why there is no PodMonitor; once the
 * kind exists the PodMonitor is made, follows the spec, and goes when turned off.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
@WithTestResource(FakeEngine.class)
class MonitoringTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NS = "watched";

  @InjectControlPlane
  ControlPlane controlPlane;

  private KubernetesClient client;

  @BeforeEach
  void namespace() {
    client = controlPlane.admin();
    controlPlane.createNamespace(NS);
  }

  private GenericKubernetesResource podMonitor(String name) {
    return client.genericKubernetesResources(MonitoringBuilders.POD_MONITORS).inNamespace(NS).withName(name).get();
  }

  /** The PodMonitor kind as the Prometheus Operator's CRD defines it (its schema left open here). */
  private void installPodMonitorKind() {
    CustomResourceDefinition crd = new CustomResourceDefinitionBuilder().withNewMetadata()
        .withName("podmonitors.monitoring.coreos.com").endMetadata().withNewSpec().withGroup("monitoring.coreos.com")
        .withScope("Namespaced").withNewNames().withKind("PodMonitor").withPlural("podmonitors")
        .withSingular("podmonitor").withListKind("PodMonitorList").endNames()
        .addNewVersion().withName("v1").withServed(true).withStorage(true).withNewSchema().withNewOpenAPIV3Schema()
        .withType("object").withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema().endVersion()
        .endSpec().build();
    if (client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get() == null) {
      client.resource(crd).create();
    }
    client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
        .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions() != null && c.getStatus()
            .getConditions().stream().anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
            30, java.util.concurrent.TimeUnit.SECONDS);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> endpoint(GenericKubernetesResource pm) {
    Map<String, Object> spec = (Map<String, Object>) pm.getAdditionalProperties().get("spec");
    return ((List<Map<String, Object>>) spec.get("podMetricsEndpoints")).get(0);
  }

  @Test
  void aPodMonitorWhenTheKindExistsAWarningWhenNotAndNoneWhenTurnedOff() {
    AionCluster c = Clusters.cluster("mon", 3, "0.1.0");
    c.getMetadata().setNamespace(NS);
    c.getMetadata().setUid(null);
    c.getMetadata().setGeneration(null);
    MonitoringSpec m = new MonitoringSpec();
    m.setPodMonitor(true);
    m.setLabels(Map.of("release", "prom"));
    c.getSpec().setMonitoring(m);
    client.resource(c).create();

    // no PodMonitor kind yet: the cluster is made all the same, and a Warning says why there is no PodMonitor
    await().atMost(WAIT).until(() -> client.v1().events().inNamespace(NS).list().getItems().stream()
        .anyMatch(e -> "mon".equals(e.getInvolvedObject().getName()) && "MonitoringUnavailable".equals(e.getReason())));

    installPodMonitorKind();
    await().atMost(WAIT).until(() -> podMonitor("mon") != null);
    // the missing kind failed no reconcile meanwhile (a thrown step is a Warning ReconcileError)
    assertThat(client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "mon".equals(e.getInvolvedObject().getName())).map(e -> e.getReason()))
        .doesNotContain("ReconcileError");
    GenericKubernetesResource pm = podMonitor("mon");
    String uid = client.resources(AionCluster.class).inNamespace(NS).withName("mon").get().getMetadata().getUid();
    assertThat(pm.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getUid()).isEqualTo(uid));
    assertThat(pm.getMetadata().getLabels()).containsEntry("release", "prom")
        .containsEntry("app.kubernetes.io/instance", "mon");
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) pm.getAdditionalProperties().get("spec");
    assertThat(spec.get("jobLabel")).isEqualTo("app.kubernetes.io/name");
    assertThat(spec.get("selector")).isEqualTo(Map.of("matchLabels",
        Map.of("app.kubernetes.io/name", "aion-db", "app.kubernetes.io/instance", "mon")));
    Map<String, Object> ep = endpoint(pm);
    assertThat(ep).containsEntry("port", "http").containsEntry("path", "/metrics").containsEntry("scheme", "http")
        .containsEntry("interval", "30s").doesNotContainKey("tlsConfig");
    assertThat(ep.get("relabelings").toString()).contains("targetLabel=aion_cluster", "replacement=mon");
    // the pods the StatefulSet makes carry the labels the PodMonitor selects
    var podLabels = client.apps().statefulSets().inNamespace(NS).withName("mon").get().getSpec().getTemplate()
        .getMetadata().getLabels();
    assertThat(podLabels).containsAllEntriesOf(Map.of("app.kubernetes.io/name", "aion-db", "app.kubernetes.io/instance", "mon"));

    client.resources(AionCluster.class).inNamespace(NS).withName("mon").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"spec\":{\"monitoring\":{\"interval\":\"15s\"}}}");
    await().atMost(WAIT).until(() -> "15s".equals(endpoint(podMonitor("mon")).get("interval")));

    client.resources(AionCluster.class).inNamespace(NS).withName("mon").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"spec\":{\"monitoring\":{\"podMonitor\":false}}}");
    await().atMost(WAIT).until(() -> podMonitor("mon") == null);
  }

  /**
   * A real Prometheus (Debian's, installed by bin/check-alerts, which bin/test runs first) scrapes this operator's
   * /q/metrics every second; every query of the operator dashboard must then return data, as Grafana would run it.
   */
  private void everyOperatorDashboardQueryReturnsDataInARealPrometheus() throws Exception {
    String binary = java.util.stream.Stream.of("/usr/bin/prometheus", "/usr/local/bin/prometheus")
        .filter(b -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(b))).findFirst().orElseThrow(() ->
            new AssertionError("prometheus is not installed: run bin/check-alerts (bin/test does) or apt-get install prometheus"));
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("operator-prometheus");
    java.nio.file.Path config = dir.resolve("prometheus.yml");
    java.nio.file.Files.writeString(config, """
        global: {scrape_interval: 1s, scrape_timeout: 900ms}
        scrape_configs:
          - job_name: aion-operator
            metrics_path: /q/metrics
            honor_labels: true
            static_configs: [{targets: ['%s']}]
        """.formatted(metricsUrl.getAuthority()));
    int port = 20000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(5000);
    Process prometheus = new ProcessBuilder(binary, "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port, "--log.level=warn").redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    try {
      var http = java.net.http.HttpClient.newHttpClient();
      var json = new com.fasterxml.jackson.databind.ObjectMapper();
      var dashboard = json.readTree(io.aiondb.operator.packaging.Repo.chart().resolve("files/dashboards/aion-operator.json").toFile());
      Map<String, String> queries = new java.util.LinkedHashMap<>();
      for (var panel : dashboard.path("panels")) {
        for (var t : panel.path("targets")) {
          queries.put(panel.path("title").asText() + " / " + t.path("refId").asText(),
              t.path("expr").asText().replace("$namespace", ".*")); // Grafana's variable: every namespace
        }
      }
      // a list of what is wrong is rightly empty while nothing is: there, the series it filters must exist
      String degraded = "Degraded or blocked clusters / A";
      assertThat(queries).containsKey(degraded);
      queries.put(degraded, "count(aion_operator_cluster_condition{type=\"Degraded\"})");
      assertThat(queries).hasSizeGreaterThanOrEqualTo(8);
      java.util.Set<String> empty = new java.util.TreeSet<>(queries.keySet());
      try {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
          for (var q : queries.entrySet()) {
            if (!empty.contains(q.getKey())) continue;
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                + "/api/v1/query?query=" + java.net.URLEncoder.encode(q.getValue(), java.nio.charset.StandardCharsets.UTF_8)))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            var body = json.readTree(r.body());
            assertThat(body.path("status").asText()).as("%s: %s", q.getKey(), r.body()).isEqualTo("success");
            if (!body.path("data").path("result").isEmpty()) empty.remove(q.getKey());
          }
          return empty.isEmpty();
        });
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("operator dashboard queries without data in Prometheus: " + empty + " (log: "
            + java.nio.file.Files.readString(dir.resolve("prometheus.log")) + ")", e);
      }
    } finally {
      prometheus.destroy();
      prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @io.quarkus.test.common.http.TestHTTPResource("/q/metrics")
  java.net.URL metricsUrl;

  private String scrape() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var r = http.send(java.net.http.HttpRequest.newBuilder(metricsUrl.toURI()).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** The value of the series {@code name} whose labels include {@code labels}; null when there is none. */
  private static Double series(String scrape, String name, Map<String, String> labels) {
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name + "{")) continue;
      String set = line.substring(name.length(), line.lastIndexOf('}') + 1);
      if (labels.entrySet().stream().allMatch(e -> set.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
        return Double.valueOf(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return null;
  }

  @Test
  void theOperatorsMetricsSayWhatEachClusterReportsAndGoWithIt() throws Exception {
    AionCluster c = Clusters.cluster("metered", 3, "0.1.0");
    c.getMetadata().setNamespace(NS);
    c.getMetadata().setUid(null);
    c.getMetadata().setGeneration(null);
    client.resource(c).create();
    Map<String, String> metered = Map.of("namespace", NS, "cluster", "metered");
    await().atMost(WAIT).until(() -> {
      String s = scrape();
      AionCluster now = client.resources(AionCluster.class).inNamespace(NS).withName("metered").get();
      if (now.getStatus() == null || now.getStatus().getPhase() == null) return false;
      var phase = new java.util.HashMap<>(metered);
      phase.put("phase", now.getStatus().getPhase().name());
      var desired = new java.util.HashMap<>(metered);
      desired.put("state", "desired");
      var ready = new java.util.HashMap<>(metered);
      ready.put("state", "ready");
      var progressing = new java.util.HashMap<>(metered);
      progressing.put("type", "Progressing");
      progressing.put("status", "True");
      return Double.valueOf(1).equals(series(s, "aion_operator_cluster_phase", phase))
          && Double.valueOf(3).equals(series(s, "aion_operator_cluster_members", desired))
          && Double.valueOf(0).equals(series(s, "aion_operator_cluster_members", ready))
          && Double.valueOf(1).equals(series(s, "aion_operator_cluster_condition", progressing));
    });
    // each step of the reconcile is timed: the statefulset apply and the observation of the members ran and succeeded
    String stepped = scrape();
    for (String step : List.of("tls-check", "checks", "configuration", "statefulset", "rollout", "observe")) {
      assertThat(stepped).as("step %s timed", step).containsPattern(
          "(?m)^aion_operator_reconcile_step_seconds_count\\{[^}]*outcome=\"ok\"[^}]*step=\"" + step + "\"[^}]*} [1-9]");
    }
    assertThat(stepped.lines().filter(l -> l.startsWith("aion_operator_reconcile_step_seconds_bucket{")
        && l.contains("step=\"statefulset\"") && l.contains("le=\"0.5\"")).toList()).as("a histogram").hasSize(1);
    // JOSDK's reconcile metrics for the AionCluster controller are there too
    assertThat(scrape()).containsPattern("(?m)^operator_sdk_\\w+\\{[^}]*aionclusters?[^}]*} [1-9]");
    // every series the operator's Grafana dashboard queries is on /q/metrics
    String dashboard = java.nio.file.Files.readString(
        io.aiondb.operator.packaging.Repo.chart().resolve("files/dashboards/aion-operator.json"));
    java.util.regex.Matcher used = java.util.regex.Pattern.compile("\\b(aion_operator|operator_sdk)_[a-z_]+").matcher(dashboard);
    String now = scrape();
    int checked = 0;
    while (used.find()) {
      assertThat(now).as("the operator dashboard queries %s", used.group()).containsPattern("(?m)^" + used.group() + "[{ ]");
      checked++;
    }
    assertThat(checked).isGreaterThanOrEqualTo(8);
    everyOperatorDashboardQueryReturnsDataInARealPrometheus();

    client.resources(AionCluster.class).inNamespace(NS).withName("metered").delete();
    // another cluster's next reconcile (the resync is 2 s here) drops the deleted one's series
    AionCluster other = Clusters.cluster("metered-other", 1, "0.1.0");
    other.getMetadata().setNamespace(NS);
    other.getMetadata().setUid(null);
    other.getMetadata().setGeneration(null);
    client.resource(other).create();
    await().atMost(WAIT).until(() -> {
      String s = scrape();
      return series(s, "aion_operator_cluster_members", metered) == null
          && series(s, "aion_operator_cluster_members", Map.of("cluster", "metered-other", "state", "desired")) != null;
    });
  }

  @Test
  void withTlsTheScrapeTrustsTheClustersCaAndNamesItsService() {
    AionCluster c = Clusters.cluster("secure", 3, "0.1.0");
    c.getMetadata().setNamespace("db");
    c.getSpec().getTls().setMode(TlsSpec.Mode.Generated);
    MonitoringSpec m = new MonitoringSpec();
    m.setPodMonitor(true);
    c.getSpec().setMonitoring(m);
    Map<String, Object> ep = endpoint(MonitoringBuilders.podMonitor(c));
    assertThat(ep).containsEntry("scheme", "https");
    assertThat(ep.get("tlsConfig").toString()).contains("name=secure-tls", "key=ca.crt", "serverName=secure.db.svc");
    c.getSpec().setMonitoring(null);
    assertThat(MonitoringBuilders.podMonitor(c)).as("left out: none").isNull();
  }
}
