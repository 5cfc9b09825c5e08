package io.aiondb.server.consensus.raft;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftConfiguration;

/**
 * The Raft state an alert needs, per Raft group this node belongs to ({@code group} label: one today, several once
 * key ranges have groups of their own): whether it leads, whether it knows a leader, its term, commit index, and on
 * the leader how many voters it hears from. Read from the group's division at scrape time; a node not (yet) a
 * member reports nothing for the group-dependent values (NaN), so an alert on them needs the member to be running
 * Raft. Names and the alerts built on them: docs/metrics.md.
 */
public final class RaftGauges {
  private RaftGauges() {}

  /**
   * @param reachableWithinMillis a follower counts as reachable while the leader heard from it within this time
   *                              (3 × the election timeout, as {@code GET /v1/cluster/members} counts it)
   */
  public static void register(MeterRegistry registry, RaftNode raft, long reachableWithinMillis) {
    // the group's label as in Ratis's own series (RatisMetricsBridge): "9AF0C9D79B3C" of "group-9AF0C9D79B3C"
    String group = raft.groupId().toString().replaceFirst("^group-", "");
    gauge(registry, "aion.raft.leader", group, raft, "1 while this node leads the group, else 0",
        d -> d.getInfo().isLeader() ? 1 : 0);
    gauge(registry, "aion.raft.leader.known", group, raft,
        "1 while this node knows a leader of the group (it leads or hears from one), else 0: alert when 0 for long",
        d -> d.getInfo().getLeaderId() != null ? 1 : 0);
    gauge(registry, "aion.raft.term", group, raft, "The group's current term as this node knows it: each election "
        + "raises it, so changes() over a window counts elections", d -> d.getInfo().getCurrentTerm());
    gauge(registry, "aion.raft.commit.index", group, raft, "The last log index this node knows to be committed",
        d -> d.getRaftLog().getLastCommittedIndex());
    gauge(registry, "aion.raft.voters", group, raft, "Voting members in the group's configuration as this node has it",
        d -> voters(d.getRaftConf()));
    gauge(registry, "aion.raft.voters.reachable", group, raft, "On the leader: voting members it heard from within "
        + "3 election timeouts, itself included (NaN elsewhere); at or below a bare majority, one more loss stops "
        + "writes", d -> d.getInfo().isLeader() ? reachableVoters(d, reachableWithinMillis) : Double.NaN);
  }

  private static void gauge(MeterRegistry registry, String name, String group, RaftNode raft, String help,
      ToDoubleFunction<RaftServer.Division> value) {
    Gauge.builder(name, raft, r -> {
      try {
        return value.applyAsDouble(r.server().getDivision(r.groupId()));
      } catch (java.io.IOException | RuntimeException e) { // not (yet) a member, or shutting down
        return Double.NaN;
      }
    }).tag("group", group).description(help).register(registry);
  }

  private static int voters(RaftConfiguration conf) {
    return conf.getCurrentPeers().size();
  }

  /** Voters the leader heard from recently, itself included; pure, for tests. */
  static int reachableVoters(RoleInfoProto role, java.util.Set<String> voterIds, String self, long withinMillis) {
    int n = voterIds.contains(self) ? 1 : 0;
    if (!role.hasLeaderInfo()) return n;
    for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
      String id = f.getId().getId().toStringUtf8();
      if (!id.equals(self) && voterIds.contains(id) && f.getLastRpcElapsedTimeMs() < withinMillis) n++;
    }
    return n;
  }

  private static int reachableVoters(RaftServer.Division d, long withinMillis) {
    java.util.Set<String> voters = new java.util.HashSet<>();
    d.getRaftConf().getCurrentPeers().forEach(p -> voters.add(p.getId().toString()));
    return reachableVoters(d.getInfo().getRoleInfoProto(), voters, d.getId().toString(), withinMillis);
  }
}
