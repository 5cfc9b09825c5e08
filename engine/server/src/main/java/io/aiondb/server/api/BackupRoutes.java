package io.aiondb.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.backup.Backups;
import io.aiondb.server.backup.Manifest;
import io.aiondb.server.backup.Operation;
import io.aiondb.server.backup.Progress;
import io.aiondb.server.config.ConfigException;
import io.aiondb.server.config.ConfigLoader;
import io.aiondb.server.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * /v1/backups: create, list, describe, verify, delete and prune backups in the node's object store (docs/backup.md).
 * Creating, verifying and pruning answer 202 with an operation to poll at /v1/backups/operations/{id}.
 */
final class BackupRoutes {
  private final HttpApi api;

  BackupRoutes(HttpApi api) {
    this.api = api;
  }

  void register(Router r) {
    r.post("/v1/backups").handler(ctx -> {
      JsonNode b = optionalBody(ctx, Set.of("id"));
      JsonNode id = b.path("id");
      if (!id.isMissingNode() && !id.isTextual()) {
        throw new AionException(ErrorCode.BAD_REQUEST, "id must be a backup id string like 20261206T151300Z-7f3a09c2");
      }
      started(ctx, () -> backups(ctx).create(id.isMissingNode() ? null : id.asText()));
    });
    r.get("/v1/backups").handler(ctx -> run(ctx, () -> {
      Backups bs = backups(ctx);
      Map<String, Object> out = new LinkedHashMap<>();
      if (ctx.queryParams().get("store") != null) out.put("store", ctx.queryParams().get("store"));
      out.put("target", bs.target());
      out.put("backups", bs.list().stream().map(BackupRoutes::summary).toList());
      return out;
    }, 200));
    r.post("/v1/backups/prune").handler(this::prune);
    r.get("/v1/backups/operations").handler(ctx -> run(ctx, () -> {
      backups(); // 409 BACKUP_NOT_CONFIGURED on a node without backups
      List<Map<String, Object>> ops = new java.util.ArrayList<>();
      for (var e : stores().entrySet()) {
        for (Operation op : e.getValue().operations()) ops.add(operationJson(op, e.getKey()));
      }
      ops.sort(java.util.Comparator.comparing(o -> (String) o.get("startedAt")));
      return Map.of("operations", ops);
    }, 200));
    r.get("/v1/backups/operations/:op").handler(ctx -> run(ctx, () -> {
      backups();
      for (var e : stores().entrySet()) {
        var op = e.getValue().operation(ctx.pathParam("op"));
        if (op.isPresent()) return operationJson(op.get(), e.getKey());
      }
      throw new AionException(ErrorCode.NOT_FOUND, "no backup operation " + ctx.pathParam("op")
          + " on this node (operations are kept in memory: the last 100 per store since the node started)");
    }, 200));
    r.get("/v1/backups/:id").handler(ctx -> run(ctx, () -> {
      Manifest m = backups(ctx).manifest(ctx.pathParam("id"));
      Map<String, Object> out = summary(m);
      out.put("manifest", m);
      return out;
    }, 200));
    r.delete("/v1/backups/:id").handler(ctx -> run(ctx, () -> {
      backups(ctx).delete(ctx.pathParam("id"));
      return Map.of("deleted", ctx.pathParam("id"));
    }, 200));
    r.post("/v1/backups/:id/verify").handler(ctx -> {
      JsonNode b = optionalBody(ctx, Set.of("level"));
      String level = b.path("level").asText("light");
      if (!b.path("level").isMissingNode() && !b.path("level").isTextual() || !Set.of("light", "deep").contains(level)) {
        throw new AionException(ErrorCode.BAD_REQUEST, "level must be \"light\" (every object present with its size) or"
            + " \"deep\" (download, check every hash, open and compare key count and digest)");
      }
      started(ctx, () -> backups(ctx).verify(ctx.pathParam("id"), level.equals("deep")));
    });
  }

  private static final Set<String> PRUNE_FIELDS = Set.of("keepLast", "maxAge", "minKeep", "grace", "sweepOnly");

  private void prune(RoutingContext ctx) {
    JsonNode b = optionalBody(ctx, PRUNE_FIELDS);
    int keepLast = nonNegativeInt(b, "keepLast", 0);
    int minKeep = nonNegativeInt(b, "minKeep", 1);
    Duration maxAge = duration(b, "maxAge", null);
    Duration grace = duration(b, "grace", Duration.ofHours(24));
    JsonNode sweep = b.path("sweepOnly");
    if (!sweep.isMissingNode() && !sweep.isBoolean()) throw new AionException(ErrorCode.BAD_REQUEST, "sweepOnly must be true or false");
    boolean sweepOnly = sweep.asBoolean(false);
    if (sweepOnly && (keepLast > 0 || maxAge != null)) {
      throw new AionException(ErrorCode.BAD_REQUEST, "sweepOnly expires no backup: give it without keepLast and maxAge");
    }
    if (!sweepOnly && keepLast == 0 && maxAge == null) {
      throw new AionException(ErrorCode.BAD_REQUEST, "give keepLast (backups to keep) and/or maxAge (e.g. \"30d\"), or"
          + " sweepOnly: true to delete only unreferenced objects; without either nothing would expire");
    }
    if (grace.toMinutes() < 1) {
      throw new AionException(ErrorCode.BAD_REQUEST, "grace must be at least 1m: unreferenced objects younger than it"
          + " may belong to a backup still uploading");
    }
    started(ctx, () -> backups(ctx).prune(keepLast, maxAge, minKeep, grace));
  }

  private static int nonNegativeInt(JsonNode b, String field, int dflt) {
    JsonNode n = b.path(field);
    if (n.isMissingNode()) return dflt;
    if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 0) {
      throw new AionException(ErrorCode.BAD_REQUEST, field + " must be a whole number of at least 0");
    }
    return n.asInt();
  }

  private static Duration duration(JsonNode b, String field, Duration dflt) {
    JsonNode n = b.path(field);
    if (n.isMissingNode()) return dflt;
    if (!n.isTextual()) throw new AionException(ErrorCode.BAD_REQUEST, field + " must be a duration string like \"30d\"");
    try {
      Duration d = ConfigLoader.parseDuration(field, n.asText());
      if (d.isZero()) throw new ConfigException(field + " must be positive");
      return d;
    } catch (ConfigException e) {
      throw new AionException(ErrorCode.BAD_REQUEST, e.getMessage());
    }
  }

  /**
   * The store a request names ({@code ?store=NAME}, one of backup.stores-file's), else the default store. An unknown
   * name is 409 BACKUP_NOT_CONFIGURED naming the stores there are: never the default store in its place.
   */
  private Backups backups(RoutingContext ctx) {
    Backups dflt = backups();
    List<String> asked = ctx.queryParams().getAll("store");
    if (asked.isEmpty()) return dflt;
    String name = asked.get(0);
    if (asked.size() > 1 || !io.aiondb.server.backup.NamedStore.NAME.matcher(name).matches()) {
      throw new AionException(ErrorCode.BAD_REQUEST, "store must be one store name (1-63 of a-z 0-9 -)");
    }
    Backups b = api.node().namedBackups().get(name);
    if (b == null) {
      var names = api.node().namedBackups().keySet();
      throw new AionException(ErrorCode.BACKUP_NOT_CONFIGURED, "no backup store '" + name + "' on this node ("
          + (names.isEmpty() ? "it has only its default store; named stores come from backup.stores-file"
              : "its named stores: " + String.join(", ", names)) + ")");
    }
    return b;
  }

  /** Every store, by name (null: the default store first). */
  private Map<String, Backups> stores() {
    Map<String, Backups> out = new LinkedHashMap<>();
    out.put(null, backups());
    out.putAll(api.node().namedBackups());
    return out;
  }

  private Backups backups() {
    Backups b = api.node().backups();
    if (b == null) {
      throw new AionException(ErrorCode.BACKUP_NOT_CONFIGURED, "backups are off on this node: set backup.s3.bucket"
          + " (and backup.s3.endpoint for a store other than AWS S3; docs/backup.md)");
    }
    return b;
  }

  /** Object-store work runs off the event loop; a store that cannot be reached answers 503 with its message. */
  private <T> void run(RoutingContext ctx, Callable<T> work, int status) {
    api.blocking(ctx, () -> {
      try {
        return work.call();
      } catch (IOException e) {
        throw new AionException(ErrorCode.UNAVAILABLE, "backup store: " + e.getMessage());
      }
    }, (c, v) -> HttpApi.json(c, status, v));
  }

  private void started(RoutingContext ctx, Callable<Operation> start) {
    run(ctx, () -> {
      Operation op = start.call();
      ctx.response().putHeader("Location", "/v1/backups/operations/" + op.id());
      return operationJson(op, ctx.queryParams().get("store"));
    }, 202);
  }

  private static JsonNode optionalBody(RoutingContext ctx, Set<String> fields) {
    var buf = ctx.body().buffer();
    if (buf == null || buf.length() == 0) return Json.MAPPER.createObjectNode();
    JsonNode n;
    try {
      n = Json.parse(buf.getBytes());
    } catch (IOException e) {
      throw new AionException(ErrorCode.INVALID_JSON, "the body must be a JSON object: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (!n.isObject()) throw new AionException(ErrorCode.INVALID_JSON, "the body must be a JSON object");
    for (var it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!fields.contains(f)) {
        throw new AionException(ErrorCode.BAD_REQUEST, "unknown field '" + f + "'" + (fields.isEmpty() ? "; this request"
            + " takes no body fields" : "; the fields are " + String.join(", ", fields.stream().sorted().toList())));
      }
    }
    return n;
  }

  static Map<String, Object> summary(Manifest m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", m.id());
    out.put("cluster", m.cluster());
    out.put("node", m.node());
    out.put("createdAt", m.createdAt());
    out.put("completedAt", m.completedAt());
    out.put("parent", m.parent());
    out.put("bytes", m.bytes());
    out.put("files", m.fileCount());
    out.put("revision", m.groups().stream().mapToLong(Manifest.Group::revision).max().orElse(0));
    out.put("keyCount", m.groups().stream().mapToLong(Manifest.Group::keyCount).sum());
    out.put("groups", m.groups().size());
    out.put("encrypted", m.encryption() != null);
    return out;
  }

  static Map<String, Object> operationJson(Operation op) {
    return operationJson(op, null);
  }

  /** @param store the named store it runs on, or null for the default store */
  static Map<String, Object> operationJson(Operation op, String store) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", op.id());
    if (store != null) out.put("store", store);
    out.put("kind", op.kind().toString());
    if (op.backupId() != null) out.put("backup", op.backupId());
    out.put("state", op.state().name().toLowerCase(java.util.Locale.ROOT));
    out.put("startedAt", op.startedAt().toString());
    if (op.finishedAt() != null) out.put("finishedAt", op.finishedAt().toString());
    Progress p = op.progress();
    Map<String, Object> progress = new LinkedHashMap<>();
    progress.put("bytesDone", p.bytesDone());
    progress.put("bytesTotal", p.bytesTotal());
    progress.put("filesDone", p.filesDone());
    progress.put("filesTotal", p.filesTotal());
    progress.put("filesReused", p.filesReused());
    progress.put("bytesReused", p.bytesReused());
    progress.put("bytesPerSecond", p.bytesPerSecond());
    out.put("progress", progress);
    if (op.error() != null) out.put("error", op.error());
    if (!op.result().isEmpty()) out.put("result", op.result());
    return out;
  }
}
