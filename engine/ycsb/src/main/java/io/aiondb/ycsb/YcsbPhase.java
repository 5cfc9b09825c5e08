package io.aiondb.ycsb;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.htrace.core.HTraceConfiguration;
import org.apache.htrace.core.Tracer;
import site.ycsb.ClientThread;
import site.ycsb.DB;
import site.ycsb.DBFactory;
import site.ycsb.UnknownDBException;
import site.ycsb.Workload;
import site.ycsb.measurements.Measurements;
import site.ycsb.measurements.exporter.MeasurementsExporter;
import site.ycsb.workloads.CoreWorkload;

/**
 * One YCSB phase (the load, or one run of a workload) in this JVM, with YCSB's own machinery: {@link CoreWorkload},
 * {@link ClientThread}s over {@code DBWrapper}-wrapped bindings, and YCSB's {@link Measurements} (HdrHistogram when
 * {@code measurementtype=hdrhistogram}; the percentiles come from {@code hdrhistogram.percentiles}). It does what
 * {@code site.ycsb.Client.main} does between parsing its arguments and printing, without {@code System.exit}, so
 * several phases (a warm-up, then the measured run) can follow each other in one warm JVM.
 */
final class YcsbPhase {
  /** Latencies of one YCSB operation type, in microseconds. */
  record OpStats(String op, long operations, double p50us, double p99us, double p999us) {}

  /**
   * @param errors operations that did not return OK or BATCHED_OK (YCSB's other {@code Return=} counts), per operation
   *               type
   */
  record Result(long opsDone, double seconds, List<OpStats> ops, Map<String, Long> errors) {
    double opsPerSec() {
      return opsDone / seconds;
    }

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private YcsbPhase() {}

  /**
   * @param load       true for YCSB's load phase (inserts {@code recordcount} records), false to run the workload
   * @param operations total operations over all threads; 0 with {@code maxSeconds} &gt; 0 runs for that long
   */
  static Result run(Properties phaseProps, boolean load, int threads, long operations, int maxSeconds) throws Exception {
    Properties props = new Properties();
    props.putAll(phaseProps);
    // CoreWorkload sizes its zipfian key space by the expected inserts (operationcount x insertproportion); a timed
    // run has no operation count, so it gets an estimate of 2,000 operations per second
    props.setProperty("operationcount", Long.toString(operations > 0 ? operations : maxSeconds * 2_000L));
    props.setProperty("dotransactions", Boolean.toString(!load)); // as site.ycsb.Client sets it for -load / -t
    resetMeasurements(props);
    Workload workload = new CoreWorkload();
    workload.init(props);
    String dbName = props.getProperty("db");
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().unstarted(r));
    Tracer tracer = new Tracer.Builder("YCSB").conf(HTraceConfiguration.EMPTY).build();
    try {
      // YCSB's "target" (operations per second over all threads; bin/bench-peers --target): the workload runs at
      // that rate, for latency at a fixed load below saturation; the load phase is never throttled
      double target = Double.parseDouble(props.getProperty("target", "0"));
      if (!(target >= 0)) throw new IllegalArgumentException("target must be a rate >= 0, not " + target);
      double perThreadPerMs = !load && target > 0 ? target / 1000.0 / threads : -1;
      CountDownLatch done = new CountDownLatch(threads);
      List<ClientThread> clients = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        DB db = DBFactory.newDB(dbName, props, tracer);
        if (db == null) throw new UnknownDBException(dbName);
        long perThread = operations / threads + (t < operations % threads ? 1 : 0);
        ClientThread c = new ClientThread(db, !load, workload, props, Math.toIntExact(perThread), perThreadPerMs, done);
        c.setThreadId(t);
        c.setThreadCount(threads);
        clients.add(c);
      }
      List<Thread> running = new ArrayList<>();
      long start = System.nanoTime();
      for (ClientThread c : clients) running.add(Thread.ofPlatform().name("ycsb-" + running.size()).start(c));
      if (maxSeconds > 0) timer.schedule(workload::requestStop, maxSeconds, TimeUnit.SECONDS);
      for (Thread t : running) t.join();
      double seconds = (System.nanoTime() - start) / 1e9;
      long opsDone = clients.stream().mapToLong(ClientThread::getOpsDone).sum();
      workload.cleanup();
      Collector c = new Collector();
      Measurements.getMeasurements().exportMeasurements(c);
      return c.result(opsDone, seconds);
    } finally {
      timer.shutdownNow();
      tracer.close();
    }
  }

  /** YCSB keeps its measurements in a process-wide singleton; a new phase starts from empty histograms. */
  private static void resetMeasurements(Properties props) throws ReflectiveOperationException {
    synchronized (Measurements.class) {
      Field singleton = Measurements.class.getDeclaredField("singleton");
      singleton.setAccessible(true);
      singleton.set(null, null);
      Measurements.setProperties(props);
    }
  }

  /** Keeps what YCSB's exporter would print, e.g. {@code [READ], 99.9PercentileLatency(us), 1234}. */
  private static final class Collector implements MeasurementsExporter {
    private final Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();

    @Override
    public void write(String metric, String measurement, int i) {
      write(metric, measurement, (double) i);
    }

    @Override
    public void write(String metric, String measurement, long i) {
      write(metric, measurement, (double) i);
    }

    @Override
    public void write(String metric, String measurement, double d) {
      metrics.computeIfAbsent(metric, m -> new LinkedHashMap<>()).put(measurement, d);
    }

    @Override
    public void close() {}

    Result result(long opsDone, double seconds) {
      List<OpStats> ops = new ArrayList<>();
      Map<String, Long> errors = new LinkedHashMap<>();
      metrics.forEach((metric, m) -> {
        m.forEach((measurement, value) -> {
          if (measurement.startsWith("Return=") && !measurement.equals("Return=OK")
              && !measurement.equals("Return=BATCHED_OK") && value > 0) { // BATCHED_OK: buffered, written later
            errors.merge(metric + " " + measurement.substring("Return=".length()), value.longValue(), Long::sum);
          }
        });
        if (metric.equals("CLEANUP") || metric.endsWith("-FAILED") || !m.containsKey("Operations")) return;
        ops.add(new OpStats(metric, m.get("Operations").longValue(), m.getOrDefault("50thPercentileLatency(us)", Double.NaN),
            m.getOrDefault("99thPercentileLatency(us)", Double.NaN), m.getOrDefault("99.9PercentileLatency(us)", Double.NaN)));
      });
      return new Result(opsDone, seconds, ops, errors);
    }
  }
}
