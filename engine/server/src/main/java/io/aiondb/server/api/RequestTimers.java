package io.aiondb.server.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

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

  /** Beyond this many tag combinations a timer is looked up in the registry each time instead of kept here. */
  static final int MAX_CACHED = 4_096;

  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final ConcurrentHashMap<List<String>, Timer> timers = new ConcurrentHashMap<>();
  /** Requests begun and not answered yet: {@code <name>_in_flight}. */
  private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

  /** Timers named {@code name}, one per combination of tags, made once: building one per request was 0.7 % of a
   * leader's CPU samples under load (JFR, 2026-12-07). */
  public RequestTimers(MeterRegistry registry, String name, String description) {
    this.registry = registry;
    this.name = name;
    this.description = description;
    io.micrometer.core.instrument.Gauge.builder(name + ".in.flight", inFlight, java.util.concurrent.atomic.AtomicInteger::get)
        .description("Requests received and not answered yet (" + name + ")").register(registry);
  }

  /** A request arrived: counted in flight until {@link #end}. */
  public void begin() {
    inFlight.incrementAndGet();
  }

  /** A request begun with {@link #begin} was answered (or its connection went). */
  public void end() {
    inFlight.decrementAndGet();
  }

  /** The timer with these tags (key, value pairs). */
  public Timer timer(String... tags) {
    List<String> key = List.of(tags);
    Timer t = timers.get(key);
    if (t != null) return t;
    t = Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(BUCKETS).register(registry);
    if (timers.size() < MAX_CACHED) timers.putIfAbsent(key, t);
    return t;
  }
}
