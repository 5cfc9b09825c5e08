package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.client.Aion;
import io.aiondb.client.AionClient;
import io.aiondb.server.security.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package, installed by bin/check-alerts, which bin/test runs first) scrapes a three-node
 * TLS cluster under load, labelled as the operator's PodMonitor labels it, and loads monitoring/alerts.yml. Every
 * query of every Grafana dashboard returns data, every alerting rule evaluates without error, and the series move as
 * the cluster does: a paused follower falls behind in the leader's eyes, is seen down, and catches up when resumed.
 */
class PrometheusIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path REPO = Path.of("../..");
  @TempDir Path dir;

  @Test
  void aRealPrometheusScrapesTheClusterAndEveryDashboardQueryAndAlertRuleWorks() throws Exception {
    TestPki pki = new TestPki(dir.resolve("pki"), "aion-cluster");
    try (LocalCluster cl = new LocalCluster(dir.resolve("nodes"), 3, 3, pki).label("prometheus");
        Prometheus prom = Prometheus.start(dir.resolve("prometheus"), cl, pki.caFile)) {
      int leader = cl.leaderIndex(WAIT);
      int follower = leader % 3 + 1;
      try (AionClient c = AionClient.connect(cl.url(leader), Duration.ofSeconds(30), cl.trust());
          Aion db = Aion.builder().seeds(cl.protocolSeeds()).addressMapper(LocalCluster::mapAddress).tls(cl.trust())
              .requestTimeout(Duration.ofSeconds(10)).connect()) {
        c.createNamespace("m");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        // writes over HTTP to the leader, reads over HTTP and the binary protocol: every request panel has a series
        Thread load = Thread.ofPlatform().name("prometheus-it-load").start(() -> {
          for (long n = 0; !stop.get(); n++) {
            try {
              c.put("m", "k" + (n % 500), "v" + n);
              writes.incrementAndGet();
              c.get("m", "k" + (n % 500));
              db.get("m", "k" + (n % 500));
              c.get("m", "absent-" + n);
            } catch (RuntimeException e) {
              sleep(50); // the follower's pause may cost a request its deadline; the load goes on
            }
          }
        });
        try {
          await("Prometheus scrapes all three members", () -> prom.scalar("count(up{job=\"aion\"} == 1)") == 3);

          // every query of every dashboard, with the dashboard's variables set to the labels this scrape adds
          Map<String, String> queries = dashboardQueries();
          assertThat(queries).hasSizeGreaterThanOrEqualTo(55); // both dashboards
          List<String> empty = new ArrayList<>();
          await("every dashboard query returns data", () -> {
            empty.clear();
            for (var q : queries.entrySet()) {
              if (prom.query(q.getValue()).isEmpty()) empty.add(q.getKey() + ": " + q.getValue());
            }
            return empty.isEmpty();
          }, () -> "queries without data: " + empty);

          // every alerting rule evaluated, none failed (a PromQL error such as many-to-many matching shows only here)
          await("every alerting rule evaluated without error", () -> prom.ruleHealth().values().stream()
              .allMatch("ok"::equals), () -> "rule health: " + prom.ruleHealth());
          assertThat(prom.ruleHealth()).hasSizeGreaterThanOrEqualTo(15);

          // a paused follower: the leader sees it fall behind and fewer voters; Prometheus sees it down
          String f = LocalCluster.name(follower);
          String l = LocalCluster.name(leader);
          String lag = "max(aion_raft_commit_index{pod=\"" + l + "\"}) - max(ratis_log_appender_follower_match_index{pod=\""
              + l + "\", peer=\"" + f + "\"})";
          cl.pause(follower);
          try {
            long before = writes.get();
            await("the paused follower falls 50 entries behind", () -> prom.scalar(lag) >= 50 && writes.get() > before);
            await("the leader hears 2 of 3 voters", () ->
                prom.scalar("max(aion_raft_voters_reachable{pod=\"" + l + "\"})") == 2);
            await("Prometheus sees the paused member down", () ->
                prom.scalar("count(up{job=\"aion\", pod=\"" + f + "\"} == 0)") == 1);
            await("AionMemberDown pending or firing for it", () -> prom.alerts().contains("AionMemberDown/" + f));
          } finally {
            cl.resume(follower);
          }
          await("the resumed follower catches up", () -> prom.scalar(lag) < 20
              && prom.scalar("max(aion_raft_voters_reachable{pod=\"" + l + "\"})") == 3);
        } finally {
          stop.set(true);
          load.join(30_000);
        }
      }
    }
  }

  /** Every target expression of every dashboard in the chart, by "dashboard / panel / refId". */
  static Map<String, String> dashboardQueries() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(REPO.resolve("charts/aion-operator/files/dashboards"))) {
      // the operator's dashboard queries the operator's /q/metrics, not a cluster's: MonitoringTest checks its series
      for (Path p : files.filter(x -> x.toString().endsWith(".json") && !x.endsWith("aion-operator.json")).sorted().toList()) {
        JsonNode d = JSON.readTree(p.toFile());
        for (JsonNode panel : d.path("panels")) {
          for (JsonNode t : panel.path("targets")) {
            String expr = t.path("expr").asText()
                .replace("${cluster}", "it").replace("$cluster", "it")
                .replace("${namespace}", "default").replace("$namespace", "default")
                .replace("${pod}", ".*").replace("$pod", ".*"); // the member dashboard: any member
            out.put(p.getFileName() + " / " + panel.path("title").asText() + " / " + t.path("refId").asText(), expr);
          }
        }
      }
    }
    return out;
  }

  private static void await(String what, java.util.concurrent.Callable<Boolean> cond) {
    await(what, cond, () -> "");
  }

  private static void await(String what, java.util.concurrent.Callable<Boolean> cond,
      java.util.concurrent.Callable<String> detail) {
    try {
      Awaitility.await(what).atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(cond);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      String d;
      try {
        d = detail.call();
      } catch (Exception x) {
        d = x.toString();
      }
      throw new AssertionError(what + " within " + WAIT + "; " + d, e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A Prometheus server process: one job "aion" over the cluster's members, the alerting rules loaded. */
  static final class Prometheus implements AutoCloseable {
    private final Process process;
    private final String url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Prometheus(Process process, String url) {
      this.process = process;
      this.url = url;
    }

    static Prometheus start(Path dir, LocalCluster cl, Path caFile) throws Exception {
      String binary = Stream.of("/usr/bin/prometheus", "/usr/local/bin/prometheus").filter(b -> Files.isExecutable(Path.of(b)))
          .findFirst().orElseThrow(() -> new AssertionError(
              "prometheus is not installed: run bin/check-alerts (bin/test does) or apt-get install prometheus"));
      Files.createDirectories(dir);
      StringBuilder targets = new StringBuilder();
      for (int i = 1; i <= cl.size(); i++) {
        // the labels the operator's PodMonitor gives a member's series (docs/operator.md "Monitoring")
        targets.append("      - targets: ['").append(URI.create(cl.url(i)).getAuthority()).append("']\n")
            .append("        labels: {aion_cluster: it, namespace: default, pod: ").append(LocalCluster.name(i)).append("}\n");
      }
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, """
          global:
            scrape_interval: 1s
            scrape_timeout: 900ms
            evaluation_interval: 1s
          rule_files:
            - %s
          scrape_configs:
            - job_name: aion
              scheme: https
              tls_config:
                ca_file: %s
              static_configs:
          %s""".formatted(REPO.resolve("monitoring/alerts.yml").toAbsolutePath().normalize(), caFile.toAbsolutePath(),
          targets));
      for (int attempt = 0; ; attempt++) {
        int port = 15000 + ThreadLocalRandom.current().nextInt(5000); // below the ephemeral range (LocalCluster)
        Process p = new ProcessBuilder(binary, "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
            "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
            .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus-" + attempt + ".log").toFile()).start();
        Prometheus prom = new Prometheus(p, "http://127.0.0.1:" + port);
        try {
          Awaitility.await("Prometheus ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
              .until(() -> !p.isAlive() || prom.ready());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          prom.close();
          throw new AssertionError("Prometheus did not start: " + Files.readString(dir.resolve("prometheus-" + attempt + ".log")));
        }
        if (p.isAlive()) return prom;
        String log = Files.readString(dir.resolve("prometheus-" + attempt + ".log"));
        if (attempt == 3 || !log.contains("address already in use")) throw new AssertionError("Prometheus exited: " + log);
      }
    }

    private boolean ready() {
      try {
        return get("/-/ready").statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    }

    private HttpResponse<String> get(String path) throws Exception {
      return http.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode api(String path) throws Exception {
      HttpResponse<String> r = get(path);
      JsonNode body = JSON.readTree(r.body());
      if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
        throw new AssertionError("Prometheus " + path + ": " + r.statusCode() + " " + r.body());
      }
      return body.path("data");
    }

    /** An instant query's result vector (an error, e.g. a PromQL syntax error, throws). */
    List<JsonNode> query(String promql) throws Exception {
      JsonNode data = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
      List<JsonNode> out = new ArrayList<>();
      if ("scalar".equals(data.path("resultType").asText())) {
        out.add(data.path("result"));
      } else {
        data.path("result").forEach(out::add);
      }
      return out;
    }

    /** The single value of a query, NaN when it returns nothing. */
    double scalar(String promql) throws Exception {
      List<JsonNode> r = query(promql);
      if (r.isEmpty()) return Double.NaN;
      JsonNode v = r.get(0).has("value") ? r.get(0).path("value") : r.get(0);
      return Double.parseDouble(v.get(1).asText());
    }

    /** Each alerting rule's health ("ok", "err", "unknown" before its first evaluation), by name. */
    Map<String, String> ruleHealth() throws Exception {
      Map<String, String> out = new LinkedHashMap<>();
      for (JsonNode g : api("/api/v1/rules?type=alert").path("groups")) {
        for (JsonNode r : g.path("rules")) {
          String h = r.path("health").asText();
          out.put(r.path("name").asText(), r.path("lastError").asText().isEmpty() ? h : h + ": " + r.path("lastError").asText());
        }
      }
      return out;
    }

    /** Active alerts (pending or firing) as "name/pod". */
    List<String> alerts() throws Exception {
      List<String> out = new ArrayList<>();
      for (JsonNode a : api("/api/v1/alerts").path("alerts")) {
        out.add(a.path("labels").path("alertname").asText() + "/" + a.path("labels").path("pod").asText());
      }
      return out;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    }
  }
}
