package io.aiondb.server.api;

import io.aiondb.server.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.Node;
import io.aiondb.server.history.Compactor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** Health, readiness, metrics, the OpenAPI document, node status and on-demand compaction. */
final class AdminRoutes {
  private final HttpApi api;
  private final Node node;
  private final String openapi;

  AdminRoutes(HttpApi api) {
    this.api = api;
    this.node = api.node();
    this.openapi = HttpApi.resource("/openapi.json");
  }

  void register(Router r) {
    r.get("/health").handler(this::health);
    r.get("/ready").handler(this::ready);
    r.get("/metrics").handler(this::metrics);
    r.get("/v1/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(openapi));
    r.get("/v1/status").handler(this::status);
    r.post("/v1/admin/compact").handler(this::compact);
  }

  /** Liveness: the process serves HTTP. Storage trouble shows in /ready, so Kubernetes does not restart-loop. */
  private void health(RoutingContext ctx) {
    ObjectNode n = Json.MAPPER.createObjectNode().put("status", "ok");
    HttpApi.json(ctx, 200, n);
  }

  private void ready(RoutingContext ctx) {
    boolean ok = node.ready() && !api.draining();
    ObjectNode n = Json.MAPPER.createObjectNode().put("ready", ok);
    if (!ok) n.put("reason", api.draining() ? "shutting down" : "storage failed or writes not accepted");
    HttpApi.json(ctx, ok ? 200 : 503, n);
  }

  private void metrics(RoutingContext ctx) {
    if (!node.config().metricsEnabled()) {
      HttpApi.error(ctx, new io.aiondb.server.AionException(io.aiondb.server.ErrorCode.NOT_FOUND,
          "metrics are off on this node (metrics.enabled=false)"));
      return;
    }
    // OpenMetrics (with exemplars) when the scraper asks for it, as Prometheus does with exemplar storage on
    String accept = ctx.request().getHeader("Accept");
    String type = accept != null && accept.contains("application/openmetrics-text") ? Node.OPENMETRICS_TEXT
        : Node.PROMETHEUS_TEXT;
    api.blocking(ctx, () -> node.scrapeMetrics(type), (c, text) -> c.response().putHeader("Content-Type", type).end(text));
  }

  private void status(RoutingContext ctx) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("nodeId", node.config().nodeId());
    n.put("version", io.aiondb.server.Version.VALUE);
    n.put("revision", node.store().appliedRevision());
    n.put("appliedIndex", node.raft().appliedIndex());
    n.put("ready", node.ready());
    n.put("dataState", node.raft().dataState());
    String why = node.raft().dataStateReason();
    if (why == null) n.putNull("dataStateReason");
    else n.put("dataStateReason", why);
    n.put("namespaces", node.store().namespaces().size());
    ObjectNode adm = n.putObject("admission");
    adm.put("pendingWrites", node.raft().pendingWrites());
    adm.put("pendingWriteBytes", node.raft().pendingWriteBytes());
    adm.put("revisionWaiters", node.store().revisionWaiters());
    if (node.store().cache() != null) {
      var s = node.store().cache().stats();
      ObjectNode c = n.putObject("cache");
      c.put("hits", s.hitCount());
      c.put("misses", s.missCount());
      c.put("evictions", s.evictionCount());
      c.put("entries", node.store().cache().estimatedSize());
    }
    ObjectNode h = n.putObject("history");
    h.put("keepVersions", node.config().historyKeepVersions());
    h.put("keepDuration", node.config().historyKeepDuration().toString());
    HttpApi.json(ctx, 200, n);
  }

  /** Runs one retention pass now (it also runs every history.compaction-interval). */
  private void compact(RoutingContext ctx) {
    // joins the pass already running, if any: concurrent calls cost one pass and hold no worker thread
    api.await(ctx, node.compactor().pass(), (RoutingContext c, Compactor.Stats s) -> {
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("enabled", node.compactor().enabled());
      n.put("namespaces", s.namespaces());
      n.put("keysExamined", s.keys());
      n.put("versionsRemoved", s.removed());
      HttpApi.json(c, 200, n);
    });
  }
}
