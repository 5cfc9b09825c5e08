package io.aiondb.server.api;

import io.aiondb.server.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.Node;
import io.aiondb.server.consensus.raft.ClusterAdmin;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** /v1/cluster: members, health and idempotent membership changes (docs/cluster-api.md). */
final class ClusterRoutes {
  private final HttpApi api;
  private final Node node;

  ClusterRoutes(HttpApi api) {
    this.api = api;
    this.node = api.node();
  }

  void register(Router r) {
    r.get("/v1/cluster/members").handler(ctx -> api.blocking(ctx, () -> admin().view(), (c, v) -> HttpApi.json(c, 200, viewJson(v))));
    r.get("/v1/cluster/health").handler(this::health);
    r.post("/v1/cluster/learners").handler(this::addLearner);
    r.post("/v1/cluster/members/:id/promote").handler(ctx -> change(ctx, () -> admin().promote(ctx.pathParam("id"))));
    r.delete("/v1/cluster/members/:id").handler(ctx -> change(ctx,
        () -> admin().remove(ctx.pathParam("id"), "true".equals(ctx.queryParams().get("force")))));
    r.post("/v1/cluster/leader").handler(ctx -> {
      String id = body(ctx).path("id").asText(null);
      if (id == null) throw new AionException(ErrorCode.BAD_REQUEST, "body must be {\"id\": \"<member id>\"}");
      change(ctx, () -> admin().transferLeadership(id));
    });
  }

  private ClusterAdmin admin() {
    return node.clusterAdmin();
  }

  private static JsonNode body(RoutingContext ctx) {
    var b = ctx.body().buffer();
    if (b == null || b.length() == 0) throw new AionException(ErrorCode.BAD_REQUEST, "a JSON body is required");
    try {
      JsonNode n = Json.parse(b.getBytes());
      if (!n.isObject()) throw new java.io.IOException("not an object");
      return n;
    } catch (java.io.IOException e) {
      throw new AionException(ErrorCode.INVALID_JSON, "the body must be a JSON object: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private void addLearner(RoutingContext ctx) {
    JsonNode b = body(ctx);
    String id = b.path("id").asText(null);
    String raft = b.path("raftAddress").asText(null);
    String http = b.path("httpAddress").asText(null);
    change(ctx, () -> admin().addLearner(id, raft, http));
  }

  private void change(RoutingContext ctx, java.util.concurrent.Callable<ClusterAdmin.Change> op) {
    api.blocking(ctx, op, (c, ch) -> {
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("changed", ch.changed());
      n.set("members", viewJson(ch.view()).get("members"));
      HttpApi.json(c, 200, n);
    });
  }

  private void health(RoutingContext ctx) {
    String member = ctx.queryParams().get("member");
    api.blocking(ctx, () -> admin().view(), (c, v) -> {
      if (member != null) {
        ClusterAdmin.Safety s = admin().safety(v, member);
        HttpApi.json(c, 200, safetyJson(s).put("caughtUp", v.member(member).caughtUp()));
        return;
      }
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("quorum", admin().quorumHealthy(v));
      if (v.leader() == null) n.putNull("leader");
      else n.put("leader", v.leader());
      n.put("voters", v.voters().size());
      n.put("healthyVoters", v.voters().stream().filter(m -> m.caughtUp() && m.reachable()).count());
      ArrayNode arr = n.putArray("members");
      for (ClusterAdmin.Member m : v.members()) arr.add(safetyJson(admin().safety(v, m.id())).put("caughtUp", m.caughtUp()));
      HttpApi.json(c, 200, n);
    });
  }

  private static ObjectNode safetyJson(ClusterAdmin.Safety s) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("member", s.member());
    n.put("safeToRestart", s.safeToRestart());
    n.put("safeToRemove", s.safeToRemove());
    if (s.reason() == null) n.putNull("reason");
    else n.put("reason", s.reason());
    return n;
  }

  static ObjectNode viewJson(ClusterAdmin.View v) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("groupId", v.groupId());
    if (v.leader() == null) n.putNull("leader");
    else n.put("leader", v.leader());
    n.put("term", v.term());
    n.put("commitIndex", v.leaderCommit());
    ArrayNode arr = n.putArray("members");
    for (ClusterAdmin.Member m : v.members()) {
      ObjectNode o = arr.addObject();
      o.put("id", m.id());
      o.put("raftAddress", m.raftAddress());
      o.put("httpAddress", m.httpAddress());
      o.put("role", m.role());
      o.put("voting", m.voting());
      o.put("commitIndex", m.commitIndex());
      if (m.appliedIndex() == null) o.putNull("appliedIndex");
      else o.put("appliedIndex", m.appliedIndex());
      o.put("lag", m.lag());
      o.put("caughtUp", m.caughtUp());
      o.put("reachable", m.reachable());
      if (m.version() == null) o.putNull("version");
      else o.put("version", m.version());
    }
    return n;
  }
}
