package io.aiondb.client;

import io.aiondb.client.protocol.Frames;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;

/**
 * The trace context a protocol request carries (docs/client.md "Tracing"): with an {@link OpenTelemetry} given to the
 * builder, a CLIENT span per request (it starts a trace, or continues the caller's current one); without, the
 * caller's current span, when it has one, so the server's spans join the application's trace. Never
 * {@code GlobalOpenTelemetry}: reading it would fix it to a no-op before the application sets its own.
 */
final class ClientTracing {
  private final Tracer tracer;

  ClientTracing(OpenTelemetry otel) {
    this.tracer = otel == null ? null : otel.getTracer("io.aiondb.client");
  }

  /** The trace of one request: the span to end with it ({@code owned}), or the caller's to propagate; null: none. */
  record Traced(Span span, boolean owned) {
    String traceparent() {
      SpanContext sc = span.getSpanContext();
      return "00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-" + (sc.isSampled() ? "01" : "00");
    }

    String tracestate() {
      StringBuilder b = new StringBuilder();
      span.getSpanContext().getTraceState().forEach((k, v) -> {
        if (b.length() > 0) b.append(',');
        b.append(k).append('=').append(v);
      });
      return b.length() > 512 ? "" : b.toString();
    }

    void end(Throwable error) {
      if (!owned) return;
      if (error != null) span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
      span.end();
    }
  }

  Traced start(int kind, String address) {
    if (tracer != null) {
      Span s = tracer.spanBuilder("aion " + name(kind)).setSpanKind(SpanKind.CLIENT)
          .setAttribute("server.address", address).setAttribute("db.system.name", "aion").startSpan();
      if (s.getSpanContext().isValid()) return new Traced(s, true);
    }
    Span current = Span.current();
    return current.getSpanContext().isValid() ? new Traced(current, false) : null;
  }

  static String name(int kind) {
    return switch (kind) {
      case Frames.PING -> "ping";
      case Frames.GET -> "get";
      case Frames.PUT -> "put";
      case Frames.DELETE -> "delete";
      case Frames.TXN -> "txn";
      case Frames.QUERY -> "query";
      case Frames.CLUSTER -> "cluster";
      case Frames.NS_CREATE -> "namespace-create";
      case Frames.NS_DROP -> "namespace-drop";
      case Frames.NS_LIST -> "namespace-list";
      case Frames.HISTORY -> "history";
      case Frames.PUT_BATCH -> "put-batch";
      default -> "request";
    };
  }
}
