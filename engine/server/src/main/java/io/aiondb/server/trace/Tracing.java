package io.aiondb.server.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A node's OpenTelemetry traces (docs/tracing.md): off (a no-op tracer, nothing recorded) unless
 * {@code tracing.otlp-endpoint} is set; then spans are sampled ({@code tracing.sample-ratio} of the traces this node
 * starts; a request that arrives with a W3C {@code traceparent} keeps its caller's decision) and sent in batches over
 * OTLP/HTTP. One instance per node, made before the transports and the Raft server, closed last (it flushes).
 *
 * <p>The span names, parents and attributes a write produces are listed in docs/tracing.md: the transport's server
 * span, {@code aion.propose} for each command, {@code aion.raft.proposal} for the Raft entry that carries it (a batch of
 * commands: parented by the first sampled command, linked to the others), and on the leader {@code aion.raft.replicate}
 * (append, replication, commit), {@code aion.apply} and {@code rocksdb.write}. A proposal a follower forwards carries
 * its span context in the Raft client request (Ratis's {@code SpanContextProto}, a W3C carrier), never in the log.
 */
public final class Tracing implements AutoCloseable {
  public static final AttributeKey<Long> COMMANDS = AttributeKey.longKey("aion.commands");
  public static final AttributeKey<Long> BYTES = AttributeKey.longKey("aion.bytes");
  public static final AttributeKey<Long> RAFT_INDEX = AttributeKey.longKey("aion.raft.index");
  public static final AttributeKey<Long> RAFT_TERM = AttributeKey.longKey("aion.raft.term");
  public static final AttributeKey<String> COMMAND = AttributeKey.stringKey("aion.command");

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<Function<String, String>> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Function<String, String> carrier) {
      return List.of("traceparent", "tracestate");
    }

    @Override
    public String get(Function<String, String> carrier, String key) {
      return carrier == null ? null : carrier.apply(key);
    }
  };

  private final OpenTelemetrySdk sdk;
  private final Tracer tracer;

  private Tracing(OpenTelemetrySdk sdk, Tracer tracer) {
    this.sdk = sdk;
    this.tracer = tracer;
  }

  /** No tracing: every span is a no-op, nothing is sampled or sent. */
  public static Tracing off() {
    return new Tracing(null, OpenTelemetry.noop().getTracer("io.aiondb.server"));
  }

  /**
   * Tracing to {@code endpoint} (an OTLP/HTTP traces URL, e.g. {@code http://collector:4318/v1/traces}).
   *
   * @param sampleRatio the share of the traces this node starts that are recorded, 0 to 1
   * @param exportDelay how long finished spans may wait before a batch is sent
   */
  public static Tracing otlp(String endpoint, double sampleRatio, String serviceName, String nodeId, String version,
      Duration exportDelay) {
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), serviceName,
        AttributeKey.stringKey("service.instance.id"), nodeId,
        AttributeKey.stringKey("service.version"), version)));
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint)
        .setTimeout(Duration.ofSeconds(10)).build();
    SdkTracerProvider provider = SdkTracerProvider.builder().setResource(resource)
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(sampleRatio)))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(exportDelay).build())
        .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    return new Tracing(sdk, sdk.getTracer("io.aiondb.server", version));
  }

  public boolean enabled() {
    return sdk != null;
  }

  public Tracer tracer() {
    return tracer;
  }

  /** The context a request carries in W3C {@code traceparent}/{@code tracestate} headers ({@code header} by name). */
  public Context extract(Function<String, String> header) {
    if (sdk == null) return Context.root();
    return W3C.extract(Context.root(), header, GETTER);
  }

  /** The W3C headers that carry {@code context} to another process (empty when it holds no valid span). */
  public static Map<String, String> inject(Context context) {
    Map<String, String> out = new HashMap<>();
    if (Span.fromContext(context).getSpanContext().isValid()) W3C.inject(context, out, Map::put);
    return out;
  }

  /**
   * A span child of {@code parent}, or the no-op span when {@code parent} is not sampled: requests that are not traced
   * pay for no span below their transport's.
   */
  public Span childOf(Context parent, String name, SpanKind kind) {
    if (sdk == null || !Span.fromContext(parent).getSpanContext().isSampled()) return Span.getInvalid();
    return tracer.spanBuilder(name).setParent(parent).setSpanKind(kind).startSpan();
  }

  /** A span builder for a server span of a request that arrived with {@code parent} (root when none). */
  public SpanBuilder server(String name, Context parent) {
    return tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER);
  }

  /** Ends {@code span}, marked as an error when {@code error} is not null. */
  public static void end(Span span, Throwable error) {
    if (error != null) {
      Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
          ? error.getCause() : error;
      span.setStatus(StatusCode.ERROR, String.valueOf(cause.getMessage()));
      span.recordException(cause);
    }
    span.end();
  }

  /** Flushes what is left and stops exporting (waits up to 10 s for the collector). */
  @Override
  public void close() {
    if (sdk != null) sdk.shutdown().join(10, TimeUnit.SECONDS);
  }
}
