package io.aiondb.server.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Request latency timers with fixed histogram buckets (docs/metrics.md), so that Prometheus can compute any quantile
 * over any set of nodes ({@code histogram_quantile(0.99, sum by (le) (rate(..._bucket[5m])))}): 0.25 ms to 30 s, the
 * range between a cached read on the leader and a write that times out.
 */
public final class RequestTimers {
  static final Duration[] BUCKETS = {Duration.ofMillis(0).plusNanos(250_000), Duration.ofNanos(500_000),
      Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(30)};

  private RequestTimers() {}

  /** A timer {@code name} with the request buckets and these tags (key, value pairs). */
  public static Timer timer(MeterRegistry registry, String name, String description, String... tags) {
    return Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(BUCKETS).register(registry);
  }
}
