package io.aiondb.server.api;

import io.aiondb.server.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.Node;
import io.aiondb.server.consensus.raft.ClusterAdmin;
import io.aiondb.server.consensus.raft.NodeAdmin;
import io.aiondb.server.consensus.raft.Nodes;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/** /v1/cluster: members, health and idempotent membership changes, by group and by node (docs/cluster-api.md). */
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
    // encryption at rest of this member (docs/security.md "Encryption at rest")
    r.get("/v1/encryption").handler(ctx -> api.blocking(ctx, this::encryptionJson, (c, n) -> HttpApi.json(c, 200, n)));
    r.post("/v1/encryption/rotate").handler(ctx -> api.blocking(ctx,
        () -> node.keyRotation().rotate().get(60, java.util.concurrent.TimeUnit.SECONDS),
        (c, k) -> HttpApi.json(c, 202, Json.MAPPER.createObjectNode().put("node", node.config().nodeId())
            .put("activeKey", k.name()).put("reencrypting", true))));
    // in node terms (docs/cluster-api.md "Nodes"): what the operator calls
    r.get("/v1/cluster/nodes").handler(ctx -> api.blocking(ctx, () -> {
      List<ClusterAdmin.View> groups = nodes().groups();
      return nodesJson(groups, nodes().nodes(groups));
    }, (c, n) -> HttpApi.json(c, 200, n)));
    r.get("/v1/cluster/nodes/:id").handler(ctx -> api.blocking(ctx, () -> nodes().node(ctx.pathParam("id")),
        (c, n) -> HttpApi.json(c, 200, nodeJson(n))));
    r.post("/v1/cluster/nodes").handler(this::addNode);
    r.post("/v1/cluster/nodes/:id/promote").handler(ctx -> nodeChange(ctx, () -> nodes().promote(ctx.pathParam("id"))));
    r.post("/v1/cluster/nodes/:id/drain-leadership")
        .handler(ctx -> {
          String to = preferredTarget(ctx);
          nodeChange(ctx, () -> nodes().drainLeadership(ctx.pathParam("id"), to));
        });
    r.post("/v1/cluster/nodes/:id/decommission")
        .handler(ctx -> nodeChange(ctx, () -> nodes().decommission(ctx.pathParam("id"))));
  }

  private ObjectNode encryptionJson() {
    var rotation = node.keyRotation();
    var atRest = rotation.atRest();
    ObjectNode o = Json.MAPPER.createObjectNode().put("node", node.config().nodeId()).put("enabled", atRest.enabled());
    if (!atRest.opens()) return o;
    ArrayNode keks = o.putArray("keks");
    atRest.kekIds().forEach(keks::add);
    if (!atRest.enabled()) return o; // opens what encryption.old-key-files sealed, seals nothing
    o.put("kek", atRest.kekId());
    o.put("activeKey", atRest.activeKey().name());
    ArrayNode keys = o.putArray("dataKeys");
    for (var k : rotation.ring()) {
      keys.addObject().put("id", k.name()).put("created", java.time.Instant.ofEpochMilli(k.createdMillis()).toString())
          .put("active", k.id() == atRest.activeKey().id());
    }
    o.put("rotationDue", atRest.rotationDue());
    var pass = rotation.lastPass();
    if (pass != null) {
      ObjectNode p = o.putObject("lastPass").put("reason", pass.reason()).put("started", pass.started().toString());
      if (pass.finished() != null) p.put("finished", pass.finished().toString());
      if (pass.result() != null) {
        p.put("examined", pass.result().examined()).put("reencrypted", pass.result().resealed())
            .put("complete", pass.result().complete());
        ArrayNode retired = p.putArray("retiredKeys");
        pass.result().retired().forEach(retired::add);
      }
      if (pass.error() != null) p.put("error", pass.error());
    }
    return o;
  }

  private NodeAdmin nodes() {
    return admin().nodes();
  }

  private static final Set<String> NODE_FIELDS = Set.of("id", "raftAddress", "httpAddress");

  private void addNode(RoutingContext ctx) {
    JsonNode b = body(ctx);
    for (var it = b.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!NODE_FIELDS.contains(f)) {
        throw new AionException(ErrorCode.BAD_REQUEST, "unknown field '" + f + "'; the body is {\"id\", \"raftAddress\", \"httpAddress\"}");
      }
    }
    String id = text(b, "id");
    String raft = text(b, "raftAddress");
    String http = text(b, "httpAddress");
    nodeChange(ctx, () -> nodes().add(id, raft, http));
  }

  /**
   * The optional body of drain-leadership: none, or {@code {"to": "<id>"}}, the voter to prefer (used when it is
   * reachable and caught up).
   */
  private static String preferredTarget(RoutingContext ctx) {
    var raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) return null;
    JsonNode b = body(ctx);
    for (var it = b.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("to")) {
        throw new AionException(ErrorCode.BAD_REQUEST, "unknown field '" + f + "'; the body is empty or {\"to\": \"<node id>\"}");
      }
    }
    return b.has("to") ? text(b, "to") : null;
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) throw new AionException(ErrorCode.BAD_REQUEST, "'" + field + "' is required");
    if (!v.isTextual()) throw new AionException(ErrorCode.BAD_REQUEST, "'" + field + "' must be a string, not " + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
    return v.asText();
  }

  private void nodeChange(RoutingContext ctx, java.util.concurrent.Callable<NodeAdmin.Result> op) {
    api.blocking(ctx, op, (c, res) -> {
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("changed", res.changed());
      if (res.node() != null) n.set("node", nodeJson(res.node()));
      if (res.decommission() != null) n.set("decommission", decommissionJson(res.decommission()));
      HttpApi.json(c, 200, n);
    });
  }

  static ObjectNode nodesJson(List<ClusterAdmin.View> groups, List<Nodes.NodeState> nodes) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    ArrayNode gs = n.putArray("groups");
    for (ClusterAdmin.View v : groups) {
      ObjectNode g = gs.addObject();
      g.put("groupId", v.groupId());
      putText(g, "leader", v.leader());
      g.put("term", v.term());
      g.put("commitIndex", v.leaderCommit());
      g.put("voters", v.voters().size());
    }
    ArrayNode arr = n.putArray("nodes");
    nodes.forEach(x -> arr.add(nodeJson(x)));
    return n;
  }

  static ObjectNode nodeJson(Nodes.NodeState x) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", x.id());
    o.put("raftAddress", x.raftAddress());
    putText(o, "httpAddress", x.httpAddress() == null || x.httpAddress().isEmpty() ? null : x.httpAddress());
    o.put("membership", x.membership().name());
    o.put("reachable", x.reachable());
    putText(o, "version", x.version());
    o.put("caughtUp", x.caughtUp());
    o.put("lag", x.lag());
    o.put("leads", x.leads());
    o.put("safeToRestart", x.safeToRestart());
    o.put("safeToRemove", x.safeToRemove());
    putText(o, "reason", x.reason());
    if (x.decommission() == null) o.putNull("decommission");
    else o.set("decommission", decommissionJson(x.decommission()));
    ArrayNode gs = o.putArray("groups");
    for (Nodes.Group g : x.groups()) {
      ObjectNode j = gs.addObject();
      j.put("groupId", g.groupId());
      putText(j, "leader", g.leader());
      j.put("role", g.role());
      j.put("voting", g.voting());
      j.put("lag", g.lag());
      j.put("caughtUp", g.caughtUp());
      j.put("safeToRestart", g.safeToRestart());
      j.put("safeToRemove", g.safeToRemove());
      putText(j, "reason", g.reason());
    }
    return o;
  }

  private static ObjectNode decommissionJson(Nodes.Decommission d) {
    return Json.MAPPER.createObjectNode().put("state", d.state()).put("groupsLeft", d.groupsLeft());
  }

  private static void putText(ObjectNode o, String field, String value) {
    if (value == null) o.putNull(field);
    else o.put(field, value);
  }

  private ClusterAdmin admin() {
    return node.clusterAdmin();
  }

  private static JsonNode body(RoutingContext ctx) {
    return HttpApi.objectBody(ctx);
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
