package io.aiondb.server.consensus.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ratis's Dropwizard metrics as Prometheus series: names, labels, values, and metrics that come and go. */
class RatisMetricsBridgeTest {
  private static final String GROUP = "ABCDEF012345";
  private final MetricRegistryInfo appender =
      new MetricRegistryInfo("m1@group-" + GROUP, "ratis_grpc", "log_appender", "Metrics for the log appender");
  private final MetricRegistryInfo worker =
      new MetricRegistryInfo("m1@group-" + GROUP, "ratis", "log_worker", "Metrics for Log Worker");
  private final MetricRegistryInfo otherMember =
      new MetricRegistryInfo("m9@group-" + GROUP, "ratis", "log_worker", "Metrics for Log Worker");

  @AfterEach
  void removeRegistries() {
    MetricRegistries.global().remove(appender);
    MetricRegistries.global().remove(worker);
    MetricRegistries.global().remove(otherMember);
  }

  @Test
  void bridgesTimersCountersAndGaugesWithPeerMemberAndGroupLabels() {
    RatisMetricRegistry a = MetricRegistries.global().create(appender);
    Timekeeper latency = a.timer("m2_latency");
    for (int ms = 1; ms <= 100; ms++) latency.time().stop(); // counts; the values below come from update()
    AtomicLong match = new AtomicLong(41);
    a.gauge("follower_m2_match_index", () -> match::get);
    a.counter("num_requests").inc(7);
    RatisMetricRegistry w = MetricRegistries.global().create(worker);
    w.counter("flushCount").inc(3);
    w.gauge("syncBatchSize", () -> () -> "not a number");
    MetricRegistries.global().create(otherMember).counter("flushCount").inc(99);

    PrometheusMeterRegistry prom = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RatisMetricsBridge bridge = new RatisMetricsBridge(prom, "m1", () -> Set.of("m1", "m2", "m3"));
    bridge.sync();
    String text = prom.scrape();

    String labels = "group=\"" + GROUP + "\",member=\"m1\",peer=\"m2\"";
    assertThat(text).contains("ratis_grpc_log_appender_follower_match_index{" + labels + "} 41.0");
    assertThat(text).contains("ratis_grpc_log_appender_latency_timed_total{" + labels + "} 100.0");
    assertThat(text).contains("ratis_grpc_log_appender_latency_seconds{" + labels + ",quantile=\"0.5\"}");
    assertThat(text).contains("ratis_grpc_log_appender_latency_seconds{" + labels + ",quantile=\"0.999\"}");
    assertThat(text).contains("ratis_grpc_log_appender_num_requests_total{group=\"" + GROUP + "\",member=\"m1\",peer=\"\"} 7.0");
    assertThat(text).contains("ratis_log_worker_flush_total{group=\"" + GROUP + "\",member=\"m1\",peer=\"\"} 3.0");
    assertThat(text).doesNotContain("sync_batch_size"); // not numeric
    assertThat(text).doesNotContain("member=\"m9\""); // another member's registry in the same JVM
    assertThat(text).doesNotContain("m2_latency").doesNotContain("follower_m2");

    match.set(57); // gauges read Ratis's value at each scrape
    assertThat(prom.scrape()).contains("ratis_grpc_log_appender_follower_match_index{" + labels + "} 57.0");
  }

  @Test
  void timerQuantilesAreInSeconds() {
    RatisMetricRegistry a = MetricRegistries.global().create(appender);
    a.timer("m3_latency");
    // Timekeeper has no update(); reach the Dropwizard timer behind it
    var dw = (org.apache.ratis.thirdparty.com.codahale.metrics.Timer)
        ((org.apache.ratis.metrics.impl.RatisMetricRegistryImpl) a).get("m3_latency");
    for (int i = 0; i < 1000; i++) dw.update(2, TimeUnit.MILLISECONDS);
    PrometheusMeterRegistry prom = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new RatisMetricsBridge(prom, "m1", () -> Set.of("m1", "m3")).sync();
    assertThat(prom.scrape()).contains(
        "ratis_grpc_log_appender_latency_seconds{group=\"" + GROUP + "\",member=\"m1\",peer=\"m3\",quantile=\"0.5\"} 0.002");
  }

  @Test
  void metricsRatisDropsDisappearAndNewOnesAppear() {
    RatisMetricRegistry a = MetricRegistries.global().create(appender);
    a.counter("m2_success_reply_count").inc();
    PrometheusMeterRegistry prom = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RatisMetricsBridge bridge = new RatisMetricsBridge(prom, "m1", () -> Set.of("m1", "m2", "m3"));
    bridge.sync();
    assertThat(prom.scrape()).contains("ratis_grpc_log_appender_success_reply_total{");

    // leadership lost: Ratis removes the appender registry; gained again later with another follower set
    MetricRegistries.global().remove(appender);
    bridge.sync();
    assertThat(prom.scrape()).doesNotContain("ratis_grpc_log_appender");
    MetricRegistries.global().create(appender).counter("m3_success_reply_count").inc(5);
    bridge.sync();
    assertThat(prom.scrape()).contains("ratis_grpc_log_appender_success_reply_total{group=\"" + GROUP
        + "\",member=\"m1\",peer=\"m3\"} 5.0");
  }

  @Test
  void peerIdsAreTakenOutOfNamesWholeAndLongestFirst() {
    List<String> peers = List.of("node-10", "node-1");
    assertThat(RatisMetricsBridge.name("node-10_lastHeartbeatElapsedTime", peers))
        .isEqualTo(new RatisMetricsBridge.Named("last_heartbeat_elapsed_time", "node-10"));
    assertThat(RatisMetricsBridge.name("follower_node-1_next_index", peers))
        .isEqualTo(new RatisMetricsBridge.Named("follower_next_index", "node-1"));
    assertThat(RatisMetricsBridge.name("node-1x_latency", peers)) // not a peer id, only a prefix of one
        .isEqualTo(new RatisMetricsBridge.Named("node_1x_latency", ""));
    assertThat(RatisMetricsBridge.name("appendEntryLatency", peers))
        .isEqualTo(new RatisMetricsBridge.Named("append_entry_latency", ""));
  }
}
