package io.aiondb.server.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * Exemplars for the request latency histograms (docs/metrics.md "Exemplars"): Micrometer's Prometheus registry asks
 * this, while a request's latency is recorded, for the trace and span the request ran in. The transports make the
 * request's span current around the recording ({@code HttpApi}, the protocol's {@code Connection}); with tracing
 * off, or for an unsampled request, there is no valid span and the bucket gets no exemplar. Exemplars appear only
 * in the OpenMetrics format ({@code Accept: application/openmetrics-text}).
 */
public final class Exemplars implements io.prometheus.metrics.tracer.common.SpanContext {
  private static SpanContext current() {
    return Span.current().getSpanContext();
  }

  @Override
  public String getCurrentTraceId() {
    SpanContext c = current();
    return c.isValid() ? c.getTraceId() : null;
  }

  @Override
  public String getCurrentSpanId() {
    SpanContext c = current();
    return c.isValid() ? c.getSpanId() : null;
  }

  @Override
  public boolean isCurrentSpanSampled() {
    SpanContext c = current();
    return c.isValid() && c.isSampled();
  }

  @Override
  public void markCurrentSpanAsExemplar() {
    Span.current().setAttribute("aion.exemplar", true);
  }
}
