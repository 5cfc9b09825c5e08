package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster API in node terms (docs/cluster-api.md "Nodes") against a real 3-node cluster of separate JVMs
 * ({@link LocalCluster}): list the nodes, drain leadership off the leader, add a 4th node as a learner and promote it,
 * decommission it while it leads, and the safety refusal when a follower is down. Each change is called twice: the
 * second call must answer {@code changed:false}.
 */
class NodesApiIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private static void awaitTrue(String what, java.util.function.BooleanSupplier cond) {
    org.awaitility.Awaitility.await(what).atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(cond::getAsBoolean);
  }

  private static String name(int i) {
    return LocalCluster.name(i);
  }

  private static JsonNode expect(int status, String code, HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as("%s %s: %s", r.request().method(), r.uri(), r.body()).isEqualTo(status);
    JsonNode body = JSON.readTree(r.body());
    if (code != null) assertThat(body.path("code").asText()).as(r.body()).isEqualTo(code);
    return body;
  }

  private static JsonNode node(JsonNode list, String id) {
    for (JsonNode n : list.path("nodes")) if (n.path("id").asText().equals(id)) return n;
    throw new AssertionError(id + " is not in " + list);
  }

  @Test
  void drainAddPromoteDecommissionAndRefuseWhatWouldLoseQuorum() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 4, 3).label("nodes")) {
      int leader = cl.leaderIndex(WAIT);
      int follower = leader % 3 + 1;
      String base = cl.url(follower); // asked on a follower: any member answers for every node

      // every node: a caught-up voter that is safe to restart; only the leader leads (one group today)
      awaitTrue("all three nodes caught up and safe to restart", () -> {
        JsonNode l = cl.get(follower, "/v1/cluster/nodes");
        if (l == null || l.path("nodes").size() != 3) return false;
        for (JsonNode n : l.path("nodes")) if (!n.path("safeToRestart").asBoolean() || !n.path("caughtUp").asBoolean()) return false;
        return true;
      });
      JsonNode list = cl.get(follower, "/v1/cluster/nodes");
      assertThat(list.path("groups")).hasSize(1);
      assertThat(list.path("groups").get(0).path("leader").asText()).isEqualTo(name(leader));
      assertThat(list.path("groups").get(0).path("voters").asInt()).isEqualTo(3);
      for (int i = 1; i <= 3; i++) {
        JsonNode n = node(list, name(i));
        assertThat(n.path("membership").asText()).isEqualTo("Voter");
        assertThat(n.path("reachable").asBoolean()).isTrue();
        assertThat(n.path("leads").asInt()).isEqualTo(i == leader ? 1 : 0);
        assertThat(n.path("reason").isNull()).isTrue();
        assertThat(n.path("groups")).hasSize(1);
        assertThat(n.path("groups").get(0).path("role").asText()).isEqualTo(i == leader ? "LEADER" : "FOLLOWER");
        assertThat(n.path("version").asText()).isNotBlank();
      }
      assertThat(cl.get(follower, "/v1/cluster/nodes/" + name(leader)).path("leads").asInt()).isEqualTo(1);

      // validation: every input is checked, with a clear 4xx
      expect(400, "BAD_REQUEST", Http.getRaw(base + "/v1/cluster/nodes/bad%21id"));
      expect(404, "MEMBER_NOT_FOUND", Http.getRaw(base + "/v1/cluster/nodes/n9"));
      String n4 = "{\"id\":\"n4\",\"raftAddress\":\"" + cl.raftAddress(4) + "\",\"httpAddress\":\"" + cl.httpAddress(4) + "\"}";
      expect(400, "BAD_REQUEST", Http.postRaw(base + "/v1/cluster/nodes", "{\"id\":\"n4\",\"raftAddress\":\"n4:99999\",\"httpAddress\":\"n4:1\"}"));
      expect(400, "BAD_REQUEST", Http.postRaw(base + "/v1/cluster/nodes", "{\"id\":\"n4\",\"raftAddress\":\"" + cl.raftAddress(4) + "\"}"));
      expect(400, "BAD_REQUEST", Http.postRaw(base + "/v1/cluster/nodes", n4.replace("}", ",\"voting\":true}")));
      expect(400, "BAD_REQUEST", Http.postRaw(base + "/v1/cluster/nodes", "{\"id\":4,\"raftAddress\":\"n4:1\",\"httpAddress\":\"n4:2\"}"));
      expect(400, "INVALID_JSON", Http.postRaw(base + "/v1/cluster/nodes", "[1]"));
      expect(409, "MEMBER_CONFLICT", Http.postRaw(base + "/v1/cluster/nodes",
          "{\"id\":\"n5\",\"raftAddress\":\"" + cl.raftAddress(leader) + "\",\"httpAddress\":\"n5:1\"}"));
      expect(400, "BAD_REQUEST", Http.postRaw(base + "/v1/cluster/nodes/-x/drain-leadership", ""));
      expect(404, "MEMBER_NOT_FOUND", Http.postRaw(base + "/v1/cluster/nodes/n9/drain-leadership", ""));

      String drainUrl = base + "/v1/cluster/nodes/" + name(leader) + "/drain-leadership";
      expect(400, "BAD_REQUEST", Http.postRaw(drainUrl, "{\"to\":2}"));
      expect(400, "BAD_REQUEST", Http.postRaw(drainUrl, "{\"to\":\"-x\"}"));
      expect(400, "BAD_REQUEST", Http.postRaw(drainUrl, "{\"target\":\"n1\"}"));
      expect(400, "INVALID_JSON", Http.postRaw(drainUrl, "[\"n1\"]"));
      assertThat(cl.leader()).as("a refused drain moves nothing").isEqualTo(name(leader));

      // drain leadership off the leader to the voter named in "to" — the one the engine would not choose by itself
      // (every voter is caught up, so it would take the smallest id): answers once that node leads; again: nothing
      String preferred = java.util.stream.IntStream.rangeClosed(1, 3).filter(i -> i != leader).mapToObj(NodesApiIT::name)
          .max(String::compareTo).orElseThrow();
      long drainStart = System.nanoTime();
      JsonNode drained = expect(200, null, Http.postRaw(drainUrl, "{\"to\":\"" + preferred + "\"}"));
      System.out.printf("drain-leadership of the leader answered after %d ms%n", (System.nanoTime() - drainStart) / 1_000_000);
      assertThat(drained.path("changed").asBoolean()).as(drained.toString()).isTrue();
      assertThat(drained.path("node").path("leads").asInt()).isZero();
      assertThat(drained.path("node").path("groups").get(0).path("leader").asText()).as(drained.toString()).isEqualTo(preferred);
      String newLeader = cl.get(follower, "/v1/cluster/nodes").path("groups").get(0).path("leader").asText();
      assertThat(newLeader).isEqualTo(preferred);
      JsonNode again = expect(200, null, Http.postRaw(base + "/v1/cluster/nodes/" + name(leader) + "/drain-leadership", ""));
      assertThat(again.path("changed").asBoolean()).isFalse();

      // add a 4th node: a learner that catches up, then a voter
      cl.start(4);
      JsonNode added = expect(200, null, Http.postRaw(base + "/v1/cluster/nodes", n4));
      assertThat(added.path("changed").asBoolean()).isTrue();
      assertThat(added.path("node").path("membership").asText()).isIn("Joining", "Learner");
      assertThat(added.path("node").path("groups").get(0).path("voting").asBoolean()).isFalse();
      assertThat(expect(200, null, Http.postRaw(base + "/v1/cluster/nodes", n4)).path("changed").asBoolean()).isFalse();
      awaitTrue("n4 to catch up", () -> {
        JsonNode n = cl.get(follower, "/v1/cluster/nodes/n4");
        return n != null && n.path("caughtUp").asBoolean() && n.path("membership").asText().equals("Learner");
      });
      JsonNode promoted = expect(200, null, Http.postRaw(base + "/v1/cluster/nodes/n4/promote", ""));
      assertThat(promoted.path("changed").asBoolean()).isTrue();
      assertThat(promoted.path("node").path("membership").asText()).isEqualTo("Voter");
      assertThat(expect(200, null, Http.postRaw(base + "/v1/cluster/nodes/n4/promote", "")).path("changed").asBoolean()).isFalse();

      // decommission n4 while it leads: leadership moves off it first, then it leaves the group
      // the promoted node can take leadership at once (promoted in place, Ratis 3.3.0 kept it "initializing": it
      // refused votes and leadership until the leadership changed); a transfer asked on another node reaches it
      awaitTrue("a leadership transfer to n4 to be accepted", () -> {
        try {
          return Http.postRaw(base + "/v1/cluster/leader", "{\"id\":\"n4\"}").statusCode() == 200 && "n4".equals(cl.leader());
        } catch (Exception e) {
          return false;
        }
      });
      JsonNode gone = expect(200, null, Http.postRaw(base + "/v1/cluster/nodes/n4/decommission", ""));
      assertThat(gone.path("changed").asBoolean()).isTrue();
      assertThat(gone.path("decommission").path("state").asText()).isEqualTo("Done");
      assertThat(gone.path("decommission").path("groupsLeft").asInt()).isZero();
      JsonNode goneAgain = expect(200, null, Http.postRaw(base + "/v1/cluster/nodes/n4/decommission", ""));
      assertThat(goneAgain.path("changed").asBoolean()).isFalse();
      assertThat(goneAgain.path("decommission").path("state").asText()).isEqualTo("Done");
      expect(404, "MEMBER_NOT_FOUND", Http.getRaw(base + "/v1/cluster/nodes/n4"));
      JsonNode three = cl.get(follower, "/v1/cluster/nodes");
      assertThat(three.path("nodes").findValuesAsText("id")).containsExactlyInAnyOrder(name(1), name(2), name(3));
      assertThat(three.path("groups").get(0).path("leader").asText()).isNotEqualTo("n4");
      cl.stop(4);

      // one follower down: restarting or removing the other one would lose the quorum, and says so
      int now = cl.leaderIndex(WAIT);
      List<Integer> followers = new ArrayList<>(List.of(1, 2, 3));
      followers.remove(Integer.valueOf(now));
      int stopped = followers.get(0);
      int other = followers.get(1);
      cl.stop(stopped);
      awaitTrue(name(other) + " to be unsafe to restart", () -> {
        JsonNode n = cl.get(now, "/v1/cluster/nodes/" + name(other));
        return n != null && !n.path("safeToRestart").asBoolean();
      });
      JsonNode unsafe = cl.get(now, "/v1/cluster/nodes/" + name(other));
      assertThat(unsafe.path("safeToRemove").asBoolean()).isFalse();
      assertThat(unsafe.path("reason").asText()).isEqualTo(name(stopped) + " is unreachable: restarting " + name(other)
          + " now would leave 1 of 3 voters caught up, below the quorum of 2; removing " + name(other)
          + " would leave 1 of 2 voters caught up, below the quorum of 2");
      assertThat(cl.get(now, "/v1/cluster/nodes/" + name(stopped)).path("reachable").asBoolean()).isFalse();
      JsonNode refused = expect(409, "UNSAFE", Http.postRaw(cl.url(now) + "/v1/cluster/nodes/" + name(other) + "/decommission", ""));
      assertThat(refused.path("message").asText()).contains(name(stopped) + " is unreachable");
      assertThat(cl.get(now, "/v1/cluster/nodes").path("nodes")).hasSize(3); // nothing was removed
      // the leader is still safe to drain: the other follower is caught up
      JsonNode drainedAgain = expect(200, null, Http.postRaw(cl.url(other) + "/v1/cluster/nodes/" + name(now) + "/drain-leadership", ""));
      assertThat(drainedAgain.path("changed").asBoolean()).isTrue();
      awaitTrue(name(other) + " to lead", () -> name(other).equals(cl.leader()));
    }
  }

  /**
   * Losing a member's data (docs/cluster-api.md): a voter restarted on an empty data directory must not vote with a
   * forgotten log and term. It does not start Raft and says why in /v1/status; the cluster keeps serving; once it is
   * removed it starts as a joiner, is added as a learner, catches up and is promoted, with every write.
   */
  @Test
  void aVoterWhoseDataWasWipedIsRefusedThenReplaced() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 3).label("wiped")) {
      // n3 leads and n1 is wiped: n1 is the first peer every Ratis client tries, so the replacement's membership
      // changes meet the wiped node's "group not found" first (Ratis tries no other peer after that answer)
      awaitTrue("n3 to lead", () -> {
        if (cl.leaderIndex(WAIT) == 3) return true;
        try {
          Http.postRaw(cl.url(cl.leaderIndex(WAIT)) + "/v1/cluster/leader", "{\"id\":\"n3\"}");
        } catch (Exception e) {
          return false;
        }
        return cl.leaderIndex(WAIT) == 3;
      });
      int leader = 3;
      int wiped = 1;
      String id = name(wiped);
      try (io.aiondb.client.AionClient c = io.aiondb.client.AionClient.connect(cl.url(leader))) {
        c.createNamespace("w");
        for (int i = 0; i < 50; i++) c.put("w", "k" + i, "v" + i);
      }
      assertThat(cl.get(wiped, "/v1/status").path("dataState").asText()).as("first start").isEqualTo("empty-bootstrapped");
      awaitTrue(id + " to acknowledge the writes", () -> {
        JsonNode m = cl.get(leader, "/v1/cluster/members");
        if (m == null) return false;
        for (JsonNode x : m.path("members")) if (x.path("id").asText().equals(id)) return x.path("commitIndex").asLong() > 50;
        return false;
      });
      cl.stop(wiped);
      try (var paths = java.nio.file.Files.walk(cl.dataDir(wiped))) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.delete(p);
      }
      cl.start(wiped);
      awaitTrue(id + " to refuse to vote with an empty data directory", () -> {
        JsonNode st = cl.get(wiped, "/v1/status");
        return st != null && st.path("dataState").asText().equals("empty-refused-voter");
      });
      JsonNode st = cl.get(wiped, "/v1/status");
      assertThat(st.path("ready").asBoolean()).isFalse();
      assertThat(st.path("dataStateReason").asText()).contains("as a voter that acknowledged entries up to index")
          .contains("/v1/cluster/nodes/" + id + "/decommission");
      assertThat(java.nio.file.Files.readString(cl.log(wiped))).contains("ERROR").contains("dataState empty-refused-voter");
      int other = wiped % 3 + 1 == leader ? leader % 3 + 1 : wiped % 3 + 1;
      try (io.aiondb.client.AionClient c = io.aiondb.client.AionClient.connect(cl.url(leader))) {
        c.put("w", "during", "refusal"); // two of three serve
      }

      // the operator's replacement: remove the member, then add it again as a learner and promote it
      JsonNode removed = expect(200, null, Http.postRaw(cl.url(leader) + "/v1/cluster/nodes/" + id + "/decommission", ""));
      assertThat(removed.path("decommission").path("state").asText()).isEqualTo("Done");
      awaitTrue(id + " to start as a joiner", () -> {
        JsonNode s = cl.get(wiped, "/v1/status");
        return s != null && s.path("dataState").asText().equals("empty-awaiting-join");
      });
      String body = "{\"id\":\"" + id + "\",\"raftAddress\":\"" + cl.raftAddress(wiped) + "\",\"httpAddress\":\""
          + cl.httpAddress(wiped) + "\"}";
      assertThat(expect(200, null, Http.postRaw(cl.url(other) + "/v1/cluster/nodes", body)).path("changed").asBoolean()).isTrue();
      awaitTrue(id + " to catch up as a learner", () -> {
        JsonNode n = cl.get(other, "/v1/cluster/nodes/" + id);
        return n != null && n.path("membership").asText().equals("Learner");
      });
      JsonNode promoted = expect(200, null, Http.postRaw(cl.url(other) + "/v1/cluster/nodes/" + id + "/promote", ""));
      assertThat(promoted.path("node").path("membership").asText()).isEqualTo("Voter");
      assertThat(cl.get(wiped, "/v1/status").path("dataState").asText()).isEqualTo("joined");
      try (io.aiondb.client.AionClient c = io.aiondb.client.AionClient.connect(cl.url(wiped))) {
        awaitTrue(id + " to serve linearizable reads", () -> {
          try {
            return c.get("w", "during").isPresent();
          } catch (io.aiondb.client.AionClientException e) {
            return false;
          }
        });
        for (int i = 0; i < 50; i++) assertThat(c.get("w", "k" + i)).map(kv -> kv.text()).contains("v" + i);
      }
    }
  }

  /**
   * Scaling down then up again with the volume kept (the operator's reclaimPolicy Retain): a member that was removed
   * from the group comes back with its old Raft log and data. It must not disturb the group, it must say that it
   * waits to be added, and once added as a learner it catches up over its stale log and is promoted, with every write.
   */
  @Test
  void aRemovedMemberRestartedWithItsOldDataWaitsToBeAddedThenCatchesUp() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 3).label("stale")) {
      int leader = cl.leaderIndex(WAIT);
      int gone = leader % 3 + 1;
      int other = 6 - leader - gone;
      String id = name(gone);
      try (io.aiondb.client.AionClient c = io.aiondb.client.AionClient.connect(cl.url(leader))) {
        c.createNamespace("s");
        for (int i = 0; i < 50; i++) c.put("s", "k" + i, "old" + i);
      }
      awaitTrue(id + " to acknowledge the writes", () -> {
        JsonNode m = cl.get(leader, "/v1/cluster/members");
        if (m == null) return false;
        for (JsonNode x : m.path("members")) if (x.path("id").asText().equals(id)) return x.path("commitIndex").asLong() > 50;
        return false;
      });
      JsonNode removed = expect(200, null, Http.postRaw(cl.url(leader) + "/v1/cluster/nodes/" + id + "/decommission", ""));
      assertThat(removed.path("decommission").path("state").asText()).isEqualTo("Done");
      // still running, the removed node's election timer fires and it finds itself in no configuration: Ratis closes
      // its division, and the engine starts it again from its storage (bd21049) so that it can be added back
      awaitTrue(id + " to restart its closed division", () -> {
        try {
          return java.nio.file.Files.readString(cl.log(gone)).contains("started it again from its storage");
        } catch (java.io.IOException e) {
          return false;
        }
      });
      cl.stop(gone);
      long termBefore = cl.get(leader, "/v1/cluster/nodes").path("groups").get(0).path("term").asLong();
      try (io.aiondb.client.AionClient c = io.aiondb.client.AionClient.connect(cl.url(leader))) {
        for (int i = 0; i < 50; i++) c.put("s", "k" + i, "new" + i);
      }

      cl.start(gone); // with its old data directory
      awaitTrue(id + " to answer", () -> cl.get(gone, "/v1/status") != null);
      // RocksDB's library comes from the shared cached copy, not a fresh one in /tmp that a kill would leave behind
      List<String> maps = java.nio.file.Files.readAllLines(Path.of("/proc/" + cl.pid(gone) + "/maps"));
      assertThat(maps).filteredOn(l -> l.contains("librocksdbjni")).isNotEmpty()
          .allSatisfy(l -> assertThat(l).contains("/aion-native-").contains("/rocksdbjni-"));
      // for many election timeouts the group's term stays and it does not list the returning member (a stale member
      // that campaigned would bump the term)
      org.awaitility.Awaitility.await("the group undisturbed by " + id).during(Duration.ofSeconds(5))
          .atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() -> {
            JsonNode g = cl.get(leader, "/v1/cluster/nodes");
            return g == null || (g.path("groups").get(0).path("term").asLong() == termBefore
                && !g.path("nodes").findValuesAsText("id").contains(id));
          });
      JsonNode st = cl.get(gone, "/v1/status");
      // what the operator relies on to add it (SnapshotBuilder.node): Raft runs on the old data, no leader is known
      assertThat(st.path("dataState").asText()).as(st.toString()).isEqualTo("present");
      assertThat(st.path("ready").asBoolean()).as(st.toString()).isFalse();
      JsonNode nodes = cl.get(leader, "/v1/cluster/nodes");
      assertThat(nodes.path("groups").get(0).path("term").asLong()).as("the group was not disturbed").isEqualTo(termBefore);
      assertThat(nodes.path("nodes").findValuesAsText("id")).doesNotContain(id);

      String body = "{\"id\":\"" + id + "\",\"raftAddress\":\"" + cl.raftAddress(gone) + "\",\"httpAddress\":\""
          + cl.httpAddress(gone) + "\"}";
      assertThat(expect(200, null, Http.postRaw(cl.url(other) + "/v1/cluster/nodes", body)).path("changed").asBoolean()).isTrue();
      awaitTrue(id + " to catch up as a learner", () -> {
        JsonNode n = cl.get(other, "/v1/cluster/nodes/" + id);
        return n != null && n.path("membership").asText().equals("Learner") && n.path("caughtUp").asBoolean();
      });
      JsonNode promoted = expect(200, null, Http.postRaw(cl.url(other) + "/v1/cluster/nodes/" + id + "/promote", ""));
      assertThat(promoted.path("node").path("membership").asText()).isEqualTo("Voter");
      try (io.aiondb.client.AionClient c = io.aiondb.client.AionClient.connect(cl.url(gone))) {
        awaitTrue(id + " to serve linearizable reads", () -> {
          try {
            return c.get("s", "k49").map(kv -> kv.text()).orElse("").equals("new49");
          } catch (io.aiondb.client.AionClientException e) {
            return false;
          }
        });
        for (int i = 0; i < 50; i++) assertThat(c.get("s", "k" + i)).map(kv -> kv.text()).contains("new" + i);
      }
    }
  }
}
