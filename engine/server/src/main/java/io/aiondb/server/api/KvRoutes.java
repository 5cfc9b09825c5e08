package io.aiondb.server.api;

import io.aiondb.server.json.QueryJson;
import io.aiondb.server.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.service.Caller;
import io.aiondb.server.service.KvService;
import io.aiondb.server.service.ReadOptions;
import io.aiondb.server.consensus.ReadConsistency;
import io.aiondb.server.query.Query;
import io.aiondb.server.query.QueryParser;
import io.aiondb.server.query.QueryResult;
import io.aiondb.server.query.Row;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.Values;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.RocksStore;
import io.aiondb.server.storage.VersionRecord;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Namespaces, keys, history and queries under /v1. */
final class KvRoutes {
  private final HttpApi api;
  private final KvService service;

  KvRoutes(HttpApi api) {
    this.api = api;
    this.service = api.node().service();
  }

  static Caller caller(RoutingContext ctx) {
    Caller c = Caller.http(ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().host(),
        ctx.request().isSSL() ? Caller.principal(ctx.request().sslSession()) : Caller.ANONYMOUS);
    io.opentelemetry.context.Context trace = ctx.get(HttpApi.TRACE_KEY);
    if (trace != null) c = c.traced(trace);
    io.aiondb.server.auth.Principal who = ctx.get(HttpApi.IDENTITY_KEY);
    return who == null ? c : c.as(who);
  }

  void register(Router r) {
    r.get("/v1/namespaces").handler(this::listNamespaces);
    r.put("/v1/namespaces/:ns").handler(this::createNamespace);
    r.get("/v1/namespaces/:ns").handler(this::getNamespace);
    r.delete("/v1/namespaces/:ns").handler(this::dropNamespace);
    r.put("/v1/ns/:ns/keys").handler(this::putAll); // before keys/*, which would answer it as an empty key
    r.put("/v1/ns/:ns/keys/*").handler(this::put);
    r.get("/v1/ns/:ns/keys/*").handler(this::get);
    r.delete("/v1/ns/:ns/keys/*").handler(this::delete);
    r.get("/v1/ns/:ns/history/*").handler(this::history);
    r.post("/v1/ns/:ns/query").handler(this::query);
    r.post("/v1/txn").handler(this::txn);
  }

  // ------------------------------------------------------------------ transactions

  private void txn(RoutingContext ctx) {
    byte[] body = jsonBody(ctx, "a transaction");
    // parsed and validated off the event loop (the service validates values: bodies reach 4 MiB)
    Caller caller = caller(ctx);
    api.blocking(ctx, () -> service.txn(caller, TxnJson.parse(parseJson(body, "a transaction"))),
        (c, f) -> api.answer(c, f, (cx, r) -> HttpApi.json(cx, 200, TxnJson.render(r))));
  }

  /** The request body sent as JSON (application/json; curl -d's form type is accepted too), not yet parsed. */
  private static byte[] jsonBody(RoutingContext ctx, String what) {
    String header = ctx.request().getHeader("Content-Type");
    String type = header == null ? "" : header.toLowerCase(java.util.Locale.ROOT);
    if (!type.isEmpty() && !type.startsWith("application/json") && !type.startsWith("application/x-www-form-urlencoded")) {
      throw new AionException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, what + " is sent as application/json, not " + header);
    }
    Buffer b = ctx.body().buffer();
    return b == null ? new byte[0] : b.getBytes();
  }

  /** Parses a JSON body (on a worker thread: bodies reach 4 MiB); empty is an empty object. */
  private static JsonNode parseJson(byte[] body, String what) {
    try {
      return body.length == 0 ? Json.MAPPER.createObjectNode() : Json.parse(body);
    } catch (java.io.IOException e) {
      throw new AionException(ErrorCode.INVALID_JSON, what + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  // ------------------------------------------------------------------ namespaces

  private static ObjectNode namespaceJson(NamespaceInfo ns) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("name", ns.name());
    n.put("createdAt", Json.time(ns.createdMillis()));
    return n;
  }

  private void listNamespaces(RoutingContext ctx) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode arr = body.putArray("namespaces");
    service.namespaces(caller(ctx)).forEach(ns -> arr.add(namespaceJson(ns)));
    HttpApi.json(ctx, 200, body);
  }

  private void createNamespace(RoutingContext ctx) {
    String name = ctx.pathParam("ns");
    api.answer(ctx, service.createNamespace(caller(ctx), name), (cx, nc) -> {
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("name", name);
      n.put("created", nc.created());
      n.put("createdAt", Json.time(nc.createdMillis()));
      HttpApi.json(cx, nc.created() ? 201 : 200, n);
    });
  }

  private void getNamespace(RoutingContext ctx) {
    HttpApi.json(ctx, 200, namespaceJson(service.namespace(caller(ctx), ctx.pathParam("ns"))));
  }

  private void dropNamespace(RoutingContext ctx) {
    String name = ctx.pathParam("ns");
    Command.validateNamespace(name);
    if (!"true".equals(ctx.queryParams().get("confirm"))) {
      throw new AionException(ErrorCode.CONFIRMATION_REQUIRED,
          "dropping namespace '" + name + "' deletes all its keys and their history; repeat with ?confirm=true");
    }
    service.namespace(caller(ctx), name); // 404 before anything is proposed
    api.answer(ctx, service.dropNamespace(caller(ctx), name), (cx, r) -> {
      if (!r.existed()) {
        throw new AionException(ErrorCode.NAMESPACE_NOT_FOUND, "namespace '" + name + "' does not exist");
      }
      HttpApi.json(cx, 200, Json.MAPPER.createObjectNode().put("name", name).put("dropped", true));
    });
  }

  // ------------------------------------------------------------------ keys

  /** The key after {@code /keys/} or {@code /history/}, percent-decoded from the raw path. */
  private static byte[] key(RoutingContext ctx, String marker) {
    String path = ctx.request().path();
    int i = path.indexOf(marker);
    byte[] key = PathKeys.decode(path.substring(i + marker.length()));
    Command.validateKey(key);
    return key;
  }

  private static long longParam(RoutingContext ctx, String name, long dflt, long min) {
    String v = ctx.queryParams().get(name);
    if (v == null) return dflt;
    try {
      long x = Long.parseLong(v);
      if (x < min) throw new NumberFormatException();
      return x;
    } catch (NumberFormatException e) {
      throw new AionException(ErrorCode.BAD_REQUEST, name + " must be an integer >= " + min + ", not '" + v + "'");
    }
  }

  private void put(RoutingContext ctx) {
    String ns = ctx.pathParam("ns");
    Command.validateNamespace(ns);
    byte[] key = key(ctx, "/keys/");
    String header = ctx.request().getHeader("Content-Type");
    ContentType ct = ContentType.fromHeader(header);
    if (ct == null) {
      throw new AionException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type '" + header
          + "' is not stored; use application/octet-stream, application/json or text/plain"
          + " (curl -d sends application/x-www-form-urlencoded: add -H 'Content-Type: …')");
    }
    Buffer body = ctx.body().buffer();
    byte[] value = body == null ? new byte[0] : body.getBytes();
    long expected = longParam(ctx, "ifRevision", Command.ANY_REVISION, 0);
    Command.Put c = new Command.Put(ns, key, value, ct, expected);
    Caller caller = caller(ctx);
    if (KvService.validationBytes(c) <= KvService.INLINE_VALIDATION_BYTES) {
      respondWritten(ctx, service.put(caller, c));
    } else { // the service validates the value: large ones off the event loop
      api.blocking(ctx, () -> service.put(caller, c), this::respondWritten);
    }
  }

  /** A batch write: JSON items, parsed and validated off the event loop (bodies reach 4 MiB). */
  private void putAll(RoutingContext ctx) {
    if (ctx.request().path().endsWith("/")) { // the router matches keys/ here too: it is a put of the empty key
      put(ctx);
      return;
    }
    String ns = ctx.pathParam("ns");
    Command.validateNamespace(ns);
    byte[] body = jsonBody(ctx, "a batch");
    Caller caller = caller(ctx);
    api.blocking(ctx, () -> service.putAll(caller, BatchJson.parse(ns, parseJson(body, "a batch"))),
        (c, f) -> api.answer(c, f, (cx, w) -> {
          ObjectNode n = Json.MAPPER.createObjectNode();
          n.put("revision", w.revision());
          n.put("count", w.count());
          n.put("timestamp", Json.time(w.timestampMillis()));
          HttpApi.json(cx, 200, n);
        }));
  }

  private void respondWritten(RoutingContext ctx, java.util.concurrent.CompletableFuture<ApplyResult.Written> f) {
    api.answer(ctx, f, (cx, w) -> {
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("revision", w.revision());
      n.put("createRevision", w.createRevision());
      n.put("version", w.version());
      n.put("timestamp", Json.time(w.timestampMillis()));
      HttpApi.json(cx, 200, n);
    });
  }

  /** The consistency level and minRevision a read asks for (query parameters). */
  static ReadOptions readOptions(RoutingContext ctx) {
    return new ReadOptions(ReadConsistency.parse(ctx.queryParams().get("consistency")),
        longParam(ctx, "minRevision", 0, 0));
  }

  private void get(RoutingContext ctx) {
    String ns = ctx.pathParam("ns");
    Command.validateNamespace(ns);
    byte[] key = key(ctx, "/keys/");
    long at = longParam(ctx, "revision", 0, 1);
    api.answer(ctx, service.get(caller(ctx), readOptions(ctx), ns, key, at), KvRoutes::respondValue);
  }

  private static void respondValue(RoutingContext cx, KvService.ValueRead read) {
      NamespaceInfo ns = read.namespace();
      byte[] key = read.key();
      long at = read.revision();
      Optional<VersionRecord> v = read.version();
      long readRevision = read.readRevision();
      if (v.isEmpty()) {
        throw new AionException(ErrorCode.KEY_NOT_FOUND, "key '" + new String(key, StandardCharsets.UTF_8)
            + "' does not exist in namespace '" + ns.name() + "'" + (at == 0 ? "" : " at revision " + at));
      }
      VersionRecord r = v.get();
      cx.response().putHeader("Content-Type", r.contentType().mediaType())
          .putHeader("Aion-Revision", Long.toString(r.revision()))
          .putHeader("Aion-Create-Revision", Long.toString(r.createRevision()))
          .putHeader("Aion-Version", Long.toString(r.version()))
          .putHeader("Aion-Timestamp", Json.time(r.timestampMillis()))
          .putHeader("Aion-Read-Revision", Long.toString(Math.max(readRevision, r.revision())))
          .putHeader("ETag", "\"" + r.revision() + "\"")
          .end(Buffer.buffer(r.value()));
  }

  private void delete(RoutingContext ctx) {
    String ns = ctx.pathParam("ns");
    Command.validateNamespace(ns);
    byte[] key = key(ctx, "/keys/");
    long expected = longParam(ctx, "ifRevision", Command.ANY_REVISION, 1);
    api.answer(ctx, service.delete(caller(ctx), new Command.Delete(ns, key, expected)), (cx, d) -> {
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("deleted", d.existed());
      n.put("revision", d.revision());
      if (d.existed()) n.put("timestamp", Json.time(d.timestampMillis()));
      HttpApi.json(cx, 200, n);
    });
  }

  private void history(RoutingContext ctx) {
    String ns = ctx.pathParam("ns");
    Command.validateNamespace(ns);
    byte[] key = key(ctx, "/history/");
    int limit = (int) Math.min(longParam(ctx, "limit", 100, 1), 1000);
    long before = longParam(ctx, "before", Long.MAX_VALUE, 1);
    var page = service.history(caller(ctx), readOptions(ctx), ns, key, before, limit, RocksStore.HISTORY_PAGE_MAX_BYTES);
    api.answer(ctx, page.thenApplyAsync(p -> render(key, p), api.worker()), (cx, text) -> HttpApi.jsonText(cx, 200, text));
  }

  /** A history page as JSON text (rendered off the event loop: a page holds up to 8 MiB of values). */
  private static String render(byte[] key, RocksStore.HistoryPage page) {
    try {
      ObjectNode n = Json.MAPPER.createObjectNode();
      Json.putKey(n, key);
      ArrayNode arr = n.putArray("versions");
      for (VersionRecord v : page.versions()) arr.add(Json.version(v, true));
      if (page.more()) n.put("nextBefore", page.versions().getLast().revision());
      return Json.MAPPER.writeValueAsString(n);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ query

  private void query(RoutingContext ctx) {
    String ns = ctx.pathParam("ns");
    service.checkQuery(caller(ctx), ns); // refused before the body is parsed; existence after the read barrier
    byte[] body = jsonBody(ctx, "a query");
    ReadOptions read = readOptions(ctx);
    Caller caller = caller(ctx);
    // parsed, run and rendered off the event loop
    api.blocking(ctx, () -> QueryParser.parse(parseJson(body, "a query")), (c, q) -> api.answer(c,
        service.query(caller, read, ns, q).thenApplyAsync(r -> QueryJson.render(q, r).toString(), api.worker()),
        (cx, text) -> HttpApi.jsonText(cx, 200, text)));
  }


}
