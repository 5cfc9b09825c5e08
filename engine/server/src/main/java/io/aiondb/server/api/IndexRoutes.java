package io.aiondb.server.api;

import io.aiondb.server.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.service.KvService;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.storage.IndexDef;
import io.aiondb.server.storage.NamespaceInfo;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.Locale;
import java.util.Set;

/** Secondary indexes under /v1/namespaces/{ns}/indexes (docs/api.md "Secondary indexes"). */
final class IndexRoutes {
  private final HttpApi api;
  private final KvService service;

  IndexRoutes(HttpApi api) {
    this.api = api;
    this.service = api.node().service();
  }

  void register(Router r) {
    r.get("/v1/namespaces/:ns/indexes").handler(this::list);
    r.put("/v1/namespaces/:ns/indexes/:name").handler(this::create);
    r.get("/v1/namespaces/:ns/indexes/:name").handler(this::get);
    r.delete("/v1/namespaces/:ns/indexes/:name").handler(this::drop);
  }

  static ObjectNode json(IndexDef d) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("name", d.name());
    n.put("field", d.field());
    n.put("type", d.type().name().toLowerCase(Locale.ROOT));
    n.put("unique", d.unique());
    n.put("state", d.state().name().toLowerCase(Locale.ROOT));
    if (d.message() != null) n.put("message", d.message());
    if (d.state() == IndexDef.State.BUILDING && d.cursor() != null && d.cursor().length > 0) {
      ObjectNode p = n.putObject("progress");
      Json.putKey(p, d.cursor());
    }
    n.put("createdAt", Json.time(d.createdMillis()));
    return n;
  }

  private void list(RoutingContext ctx) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode arr = body.putArray("indexes");
    service.indexes(KvRoutes.caller(ctx), ctx.pathParam("ns")).forEach(d -> arr.add(json(d)));
    HttpApi.json(ctx, 200, body);
  }

  private void get(RoutingContext ctx) {
    HttpApi.json(ctx, 200, json(service.index(KvRoutes.caller(ctx), ctx.pathParam("ns"), ctx.pathParam("name"))));
  }

  private static AionException notFound(NamespaceInfo ns, String name) {
    return new AionException(ErrorCode.INDEX_NOT_FOUND, "index '" + name + "' does not exist in namespace '" + ns.name() + "'");
  }

  private void create(RoutingContext ctx) {
    String ns = ctx.pathParam("ns");
    String name = ctx.pathParam("name");
    Buffer b = ctx.body().buffer();
    JsonNode body;
    try {
      body = b == null || b.length() == 0 ? null : Json.parse(b.getBytes());
    } catch (java.io.IOException e) {
      throw new AionException(ErrorCode.INVALID_JSON, "the index definition is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (body == null || !body.isObject()) {
      throw new AionException(ErrorCode.BAD_REQUEST, "an index is defined by a JSON object: {\"field\": \"$.user.age\", \"type\": \"number\", \"unique\": false}");
    }
    for (var it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!Set.of("field", "type", "unique").contains(f)) throw new AionException(ErrorCode.BAD_REQUEST, "unknown index field '" + f + "' (field, type, unique)");
    }
    if (!body.path("field").isTextual()) throw new AionException(ErrorCode.BAD_REQUEST, "'field' must be a JSON path string such as \"$.user.age\"");
    String t = body.path("type").asText("");
    IndexDef.Type type = switch (t) {
      case "string" -> IndexDef.Type.STRING;
      case "number" -> IndexDef.Type.NUMBER;
      case "boolean" -> IndexDef.Type.BOOLEAN;
      case "timestamp" -> IndexDef.Type.TIMESTAMP;
      default -> throw new AionException(ErrorCode.BAD_REQUEST, "'type' must be string, number, boolean or timestamp, not '" + t + "'");
    };
    if (body.has("unique") && !body.get("unique").isBoolean()) throw new AionException(ErrorCode.BAD_REQUEST, "'unique' must be true or false");
    var c = new Command.CreateIndex(ns, name, body.get("field").asText(), type, body.path("unique").asBoolean(false));
    api.answer(ctx, service.createIndex(KvRoutes.caller(ctx), c), (cx, ic) -> {
      ObjectNode n = json(ic.index());
      n.put("created", ic.created());
      HttpApi.json(cx, ic.created() ? 201 : 200, n);
    });
  }

  private void drop(RoutingContext ctx) {
    NamespaceInfo ns = service.namespace(KvRoutes.caller(ctx), ctx.pathParam("ns"));
    String name = ctx.pathParam("name");
    api.answer(ctx, service.dropIndex(KvRoutes.caller(ctx), new Command.DropIndex(ns.name(), name)), (cx, r) -> {
      if (!r.existed()) throw notFound(ns, name);
      HttpApi.json(cx, 200, Json.MAPPER.createObjectNode().put("name", name).put("dropped", true));
    });
  }
}
