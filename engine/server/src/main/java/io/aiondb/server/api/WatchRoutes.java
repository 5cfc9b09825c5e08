package io.aiondb.server.api;

import io.aiondb.server.json.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.service.KvService;
import io.aiondb.server.state.Command;
import io.aiondb.server.watch.WatchEvent;
import io.aiondb.server.watch.WatchSink;
import io.aiondb.server.watch.WatchSpec;
import io.aiondb.server.watch.Watcher;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * {@code GET /v1/ns/{ns}/watch}: a change feed as server-sent events (default) or JSON lines ({@code format=ndjson}).
 * One message per revision; SSE ids are revisions, so a reconnecting EventSource resumes by itself
 * (Last-Event-ID). Validation errors answer before the stream starts, with the usual error body and status.
 */
final class WatchRoutes {
  private final KvService service;

  WatchRoutes(HttpApi api) {
    this.service = api.node().service();
  }

  void register(Router r) {
    r.get("/v1/ns/:ns/watch").handler(this::watch);
  }

  private void watch(RoutingContext ctx) {
    String ns = ctx.pathParam("ns");
    Command.validateNamespace(ns);
    var q = ctx.queryParams();
    byte[] key = bytesParam(q.get("key"), q.get("keyBase64"), "key");
    byte[] prefix = bytesParam(q.get("prefix"), q.get("prefixBase64"), "prefix");
    if ((key == null) == (prefix == null)) {
      throw new AionException(ErrorCode.BAD_REQUEST, "a watch takes exactly one of key (or keyBase64) and prefix (or prefixBase64)");
    }
    long from = 0;
    String lastId = ctx.request().getHeader("Last-Event-ID");
    if (q.get("fromRevision") != null) from = revision(q.get("fromRevision"), "fromRevision") ;
    else if (lastId != null && !lastId.isBlank()) from = revision(lastId.trim(), "Last-Event-ID") + 1;
    String format = q.get("format") == null ? "sse" : q.get("format");
    String accept = ctx.request().getHeader("Accept");
    if (q.get("format") == null && accept != null && accept.contains("application/x-ndjson")) format = "ndjson";
    if (!format.equals("sse") && !format.equals("ndjson")) {
      throw new AionException(ErrorCode.BAD_REQUEST, "format must be sse or ndjson, not '" + format + "'");
    }
    boolean sse = format.equals("sse");
    WatchSpec spec = new WatchSpec(ns, key != null ? key : prefix, prefix != null, from);
    HttpServerResponse resp = ctx.response();
    resp.setStatusCode(200).setChunked(true)
        .putHeader("Content-Type", sse ? "text/event-stream; charset=utf-8" : "application/x-ndjson")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("Content-Encoding", "identity"); // no compression: each message must leave at once
    Watcher w;
    try {
      // validates before anything is written
      w = service.watch(KvRoutes.caller(ctx), spec, new Sink(resp, sse, service.watchLimits().sendTimeout()));
    } catch (RuntimeException e) {
      resp.headers().clear();
      resp.setChunked(false);
      throw e;
    }
    resp.closeHandler(v -> w.close());
  }

  private static long revision(String v, String name) {
    try {
      long x = Long.parseLong(v);
      if (x < 0) throw new NumberFormatException();
      return x;
    } catch (NumberFormatException e) {
      throw new AionException(ErrorCode.BAD_REQUEST, name + " must be an integer >= 0, not '" + v + "'");
    }
  }

  private static byte[] bytesParam(String text, String base64, String name) {
    if (text != null && base64 != null) throw new AionException(ErrorCode.BAD_REQUEST, "give " + name + " or " + name + "Base64, not both");
    if (text != null) return text.getBytes(StandardCharsets.UTF_8);
    if (base64 == null) return null;
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new AionException(ErrorCode.BAD_REQUEST, name + "Base64 is not valid base64");
    }
  }

  static ObjectNode eventsJson(long revision, List<WatchEvent> events) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("revision", revision);
    ArrayNode arr = n.putArray("events");
    for (WatchEvent e : events) {
      ObjectNode o = arr.addObject();
      o.put("type", e.deleted() ? "delete" : "put");
      Json.putKey(o, e.key());
      o.setAll(Json.version(e.version(), true));
    }
    return n;
  }

  /**
   * Writes from the watcher's thread and waits for each write, so a slow reader slows its watcher down; a reader
   * that takes nothing for {@code sendTimeout} has its stream closed (it resumes with Last-Event-ID / fromRevision).
   */
  private record Sink(HttpServerResponse resp, boolean sse, java.time.Duration sendTimeout) implements WatchSink {
    @Override
    public boolean events(long revision, List<WatchEvent> events) {
      ObjectNode n = eventsJson(revision, events);
      return write(sse ? "id: " + revision + "\nevent: change\ndata: " + n + "\n\n" : n + "\n");
    }

    @Override
    public boolean progress(long revision) {
      String body = "{\"revision\":" + revision + (sse ? "}" : ",\"progress\":true}");
      return write(sse ? "id: " + revision + "\nevent: progress\ndata: " + body + "\n\n" : body + "\n");
    }

    @Override
    public void failed(AionException error) {
      ObjectNode e = Json.MAPPER.createObjectNode().put("code", error.code().name()).put("message", error.getMessage());
      String msg = sse ? "event: error\ndata: " + e + "\n\n" : Json.MAPPER.createObjectNode().set("error", e) + "\n";
      if (write(msg)) resp.end();
    }

    private boolean write(String s) {
      if (resp.closed() || resp.ended()) return false;
      try {
        resp.write(Buffer.buffer(s.getBytes(StandardCharsets.UTF_8))).toCompletionStage().toCompletableFuture()
            .get(sendTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        return true;
      } catch (java.util.concurrent.TimeoutException e) {
        resp.reset(); // the client stopped reading: cut the stream, it resumes from the last id it received
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (ExecutionException | IllegalStateException e) {
        return false; // the client went away
      }
    }
  }
}
