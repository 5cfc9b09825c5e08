package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.aiondb.client.AionClient;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces over the real OTLP/HTTP protocol (docs/tracing.md): a receiver in the test decodes what each node's exporter
 * sends (ExportTraceServiceRequest), and a PUT through a follower shows, under the caller's own traceparent, the
 * follower's server, propose and proposal spans and the leader's replicate, apply and RocksDB write spans, each the
 * child of the one before across the two processes. A request without a traceparent starts its own trace; one whose
 * caller did not sample it leaves no span.
 */
class TracingIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final HexFormat HEX = HexFormat.of();
  @TempDir Path dir;

  /** One span as received, with the node that sent it (its resource's service.instance.id). */
  record Received(String node, String traceId, String spanId, String parentId, String name, String kind,
      Map<String, String> attributes, List<String> links) {}

  /** An OTLP/HTTP traces receiver (protobuf, as the Java exporter sends by default). */
  static final class Receiver implements AutoCloseable {
    final ConcurrentLinkedQueue<Received> spans = new ConcurrentLinkedQueue<>();
    /** What the receiver failed on (a test that sees no span says why). */
    final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final HttpServer server;

    Receiver() throws Exception {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/v1/traces", exchange -> {
        try (exchange) {
          byte[] body = exchange.getRequestBody().readAllBytes();
          if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            body = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
          }
          ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(body);
          for (ResourceSpans rs : req.getResourceSpansList()) {
            String node = attributes(rs.getResource().getAttributesList()).get("service.instance.id");
            for (ScopeSpans ss : rs.getScopeSpansList()) {
              for (var s : ss.getSpansList()) {
                spans.add(new Received(node, HEX.formatHex(s.getTraceId().toByteArray()),
                    HEX.formatHex(s.getSpanId().toByteArray()), HEX.formatHex(s.getParentSpanId().toByteArray()),
                    s.getName(), s.getKind().name(), attributes(s.getAttributesList()),
                    s.getLinksList().stream().map(l -> HEX.formatHex(l.getSpanId().toByteArray())).toList()));
              }
            }
          }
          byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, ok.length);
          exchange.getResponseBody().write(ok);
        } catch (Throwable t) { // the server would close the connection and say nothing
          errors.add(t);
          throw t;
        }
      });
      server.start();
    }

    String endpoint() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    List<Received> trace(String traceId) {
      return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    @Override
    public void close() {
      server.stop(0);
    }

    private static Map<String, String> attributes(List<KeyValue> kvs) {
      return kvs.stream().collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().hasStringValue()
          ? kv.getValue().getStringValue() : kv.getValue().toString().trim(), (a, b) -> b));
    }
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] |= 1; // never all zero (an invalid id)
    return HEX.formatHex(b);
  }

  private static HttpResponse<String> put(String url, String key, String value, String traceparent) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + "/v1/ns/t/keys/" + key))
        .header("Content-Type", "text/plain").timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofString(value));
    if (traceparent != null) b.header("traceparent", traceparent);
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Received one(List<Received> spans, String name) {
    List<Received> named = spans.stream().filter(s -> s.name().equals(name)).toList();
    assertThat(named).as("spans named %s in %s", name, spans).hasSize(1);
    return named.get(0);
  }

  private static List<Received> awaitSpans(Receiver r, String traceId, String... names) {
    try {
      Awaitility.await("spans " + List.of(names) + " of trace " + traceId).atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> r.trace(traceId).stream().map(Received::name).collect(Collectors.toSet()).containsAll(List.of(names)));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("spans " + List.of(names) + " of trace " + traceId + " not all received; of it: "
          + r.trace(traceId) + "; all received: " + r.spans.stream().map(s -> s.node() + ":" + s.name()).toList()
          + "; receiver errors: " + r.errors, e);
    }
    return r.trace(traceId);
  }

  @Test
  void aPutThroughAFollowerIsOneTraceAcrossBothNodesFromTheRequestToRocksDb() throws Exception {
    try (Receiver receiver = new Receiver();
        LocalCluster cl = new LocalCluster(dir, 3, "--tracing.otlp-endpoint=" + receiver.endpoint()).label("tracing")) {
      int leader = cl.leaderIndex(WAIT);
      int follower = leader % 3 + 1;
      try (AionClient c = AionClient.connect(cl.url(leader))) {
        c.createNamespace("t");
      }

      // the caller's trace: its span id is the parent of the follower's server span
      String traceId = hex(16);
      String callerSpan = hex(8);
      HttpResponse<String> put = put(cl.url(follower), "k1", "v1", "00-" + traceId + "-" + callerSpan + "-01");
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      List<Received> spans = awaitSpans(receiver, traceId, "PUT /v1/ns/:ns/keys/", "aion.propose",
          "aion.raft.proposal", "aion.raft.replicate", "aion.apply", "rocksdb.write");
      String f = LocalCluster.name(follower);
      String l = LocalCluster.name(leader);
      Received server = one(spans, "PUT /v1/ns/:ns/keys/");
      assertThat(server).extracting(Received::node, Received::parentId, Received::kind)
          .containsExactly(f, callerSpan, "SPAN_KIND_SERVER");
      assertThat(server.attributes()).containsEntry("http.route", "/v1/ns/:ns/keys/")
          .containsEntry("http.request.method", "PUT");
      Received propose = one(spans, "aion.propose");
      assertThat(propose).extracting(Received::node, Received::parentId).containsExactly(f, server.spanId());
      assertThat(propose.attributes()).containsEntry("aion.command", "Put");
      Received proposal = one(spans, "aion.raft.proposal");
      assertThat(proposal).extracting(Received::node, Received::parentId, Received::kind)
          .containsExactly(f, propose.spanId(), "SPAN_KIND_CLIENT");
      // on the leader, under the follower's proposal (its context came in the Raft client request)
      Received replicate = one(spans, "aion.raft.replicate");
      assertThat(replicate).extracting(Received::node, Received::parentId, Received::kind)
          .containsExactly(l, proposal.spanId(), "SPAN_KIND_SERVER");
      assertThat(replicate.attributes()).containsKey("aion.raft.index");
      Received apply = one(spans, "aion.apply");
      assertThat(apply).extracting(Received::node, Received::parentId).containsExactly(l, replicate.spanId());
      Received write = one(spans, "rocksdb.write");
      assertThat(write).extracting(Received::node, Received::parentId).containsExactly(l, apply.spanId());

      // exemplars: the follower's PUT latency histogram names this request's trace and server span (OpenMetrics only)
      HttpResponse<String> om = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cl.url(follower) + "/metrics"))
          .header("Accept", "application/openmetrics-text; version=1.0.0").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(om.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
      List<String> exemplars = om.body().lines().filter(x -> x.startsWith("aion_http_requests_seconds_bucket{")
          && x.contains("route=\"/v1/ns/:ns/keys/\"") && x.contains("method=\"PUT\"") && x.contains(" # {")).toList();
      assertThat(exemplars).as("PUT buckets with an exemplar in:%n%s", om.body().lines()
          .filter(x -> x.startsWith("aion_http_requests_seconds_bucket{")).collect(Collectors.joining("\n"))).isNotEmpty()
          .anySatisfy(x -> assertThat(x).contains("span_id=\"" + server.spanId() + "\"", "trace_id=\"" + traceId + "\""));
      String plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cl.url(follower) + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(plain).as("the Prometheus text format has no exemplars").contains("aion_http_requests_seconds_bucket{")
          .doesNotContain("trace_id=");

      // no traceparent, on the leader: a trace of its own (sample ratio 1 by default), the whole path on one node
      String before = String.join(",", receiver.spans.stream().map(Received::traceId).distinct().toList());
      assertThat(put(cl.url(leader), "k2", "v2", null).statusCode()).isEqualTo(200);
      Awaitility.await("a new trace for the untraced PUT").atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> receiver.spans.stream().anyMatch(s -> s.name().equals("PUT /v1/ns/:ns/keys/")
              && s.parentId().isEmpty() && !before.contains(s.traceId())));
      String own = receiver.spans.stream().filter(s -> s.name().equals("PUT /v1/ns/:ns/keys/") && s.parentId().isEmpty()
          && !before.contains(s.traceId())).findFirst().orElseThrow().traceId();
      List<Received> local = awaitSpans(receiver, own, "aion.propose", "aion.raft.proposal", "aion.raft.replicate",
          "aion.apply", "rocksdb.write");
      assertThat(local).allSatisfy(s -> assertThat(s.node()).isEqualTo(l));
      assertThat(one(local, "aion.raft.replicate").kind()).as("proposed by the leader itself").isEqualTo("SPAN_KIND_INTERNAL");

      // a caller that did not sample its trace: no span of it anywhere (a sampled request after it is the barrier)
      String unsampled = hex(16);
      assertThat(put(cl.url(follower), "k3", "v3", "00-" + unsampled + "-" + hex(8) + "-00").statusCode()).isEqualTo(200);
      String barrier = hex(16);
      assertThat(put(cl.url(follower), "k4", "v4", "00-" + barrier + "-" + hex(8) + "-01").statusCode()).isEqualTo(200);
      awaitSpans(receiver, barrier, "PUT /v1/ns/:ns/keys/", "rocksdb.write");
      assertThat(receiver.trace(unsampled)).isEmpty();

      // the binary protocol: the Java client wraps a request made while a span is current in a TRACED frame
      try (io.aiondb.client.Aion db = io.aiondb.client.Aion.builder().seeds(cl.protocolSeeds())
          .addressMapper(LocalCluster::mapAddress).requestTimeout(Duration.ofSeconds(10)).connect()) {
        String appTrace = hex(16);
        String appSpan = hex(8);
        io.opentelemetry.api.trace.Span current = io.opentelemetry.api.trace.Span.wrap(
            io.opentelemetry.api.trace.SpanContext.createFromRemoteParent(appTrace, appSpan,
                io.opentelemetry.api.trace.TraceFlags.getSampled(), io.opentelemetry.api.trace.TraceState.getDefault()));
        try (var scope = io.opentelemetry.context.Context.root().with(current).makeCurrent()) {
          db.put("t", "p1", "v");
        }
        List<Received> viaProtocol = awaitSpans(receiver, appTrace, "protocol put", "aion.propose", "aion.raft.replicate",
            "aion.apply", "rocksdb.write");
        Received protocolServer = one(viaProtocol, "protocol put");
        assertThat(protocolServer).extracting(Received::parentId, Received::kind).containsExactly(appSpan, "SPAN_KIND_SERVER");
        assertThat(protocolServer.attributes()).containsEntry("aion.outcome", "ok");
        assertThat(one(viaProtocol, "aion.propose").parentId()).isEqualTo(protocolServer.spanId());
        String protocolMetrics = "";
        for (int i = 1; i <= 3; i++) {
          protocolMetrics += HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cl.url(i) + "/metrics"))
              .header("Accept", "application/openmetrics-text").build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        assertThat(protocolMetrics.lines().filter(x -> x.startsWith("aion_protocol_requests_seconds_bucket{")
            && x.contains("op=\"put\"") && x.contains(" # {")).toList()).as("the protocol put's exemplar")
            .anySatisfy(x -> assertThat(x).contains("span_id=\"" + protocolServer.spanId() + "\"", "trace_id=\"" + appTrace + "\""));
      }

      // with an OpenTelemetry given to the builder, the client starts a CLIENT span of its own per request
      java.util.concurrent.ConcurrentLinkedQueue<io.opentelemetry.sdk.trace.data.SpanData> clientSpans =
          new java.util.concurrent.ConcurrentLinkedQueue<>();
      io.opentelemetry.sdk.trace.export.SpanExporter collect = new io.opentelemetry.sdk.trace.export.SpanExporter() {
        @Override
        public io.opentelemetry.sdk.common.CompletableResultCode export(
            java.util.Collection<io.opentelemetry.sdk.trace.data.SpanData> spans) {
          clientSpans.addAll(spans);
          return io.opentelemetry.sdk.common.CompletableResultCode.ofSuccess();
        }

        @Override
        public io.opentelemetry.sdk.common.CompletableResultCode flush() {
          return io.opentelemetry.sdk.common.CompletableResultCode.ofSuccess();
        }

        @Override
        public io.opentelemetry.sdk.common.CompletableResultCode shutdown() {
          return io.opentelemetry.sdk.common.CompletableResultCode.ofSuccess();
        }
      };
      try (var provider = io.opentelemetry.sdk.trace.SdkTracerProvider.builder()
              .addSpanProcessor(io.opentelemetry.sdk.trace.export.SimpleSpanProcessor.create(collect)).build();
          io.aiondb.client.Aion db = io.aiondb.client.Aion.builder().seeds(cl.protocolSeeds())
              .addressMapper(LocalCluster::mapAddress).requestTimeout(Duration.ofSeconds(10))
              .openTelemetry(io.opentelemetry.sdk.OpenTelemetrySdk.builder().setTracerProvider(provider).build())
              .connect()) {
        clientSpans.clear(); // the topology requests of connect()
        assertThat(db.get("t", "p1")).isPresent();
        Awaitility.await("the client's span").atMost(WAIT).until(() -> clientSpans.stream()
            .anyMatch(s -> s.getName().equals("aion get")));
        var span = clientSpans.stream().filter(s -> s.getName().equals("aion get")).findFirst().orElseThrow();
        assertThat(span.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.CLIENT);
        assertThat(span.getParentSpanContext().isValid()).as("a trace of its own").isFalse();
        Received getServer = one(awaitSpans(receiver, span.getTraceId(), "protocol get"), "protocol get");
        assertThat(getServer.parentId()).isEqualTo(span.getSpanId());
      }
    }
  }
}
