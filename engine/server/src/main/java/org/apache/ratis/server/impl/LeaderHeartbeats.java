package org.apache.ratis.server.impl;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.server.leader.LogAppenderBase;

/**
 * Lets the engine have the leader's log appenders send a heartbeat now, which carries the leader's commit index to a
 * follower without a log entry. Ratis 3.3.0 has the mechanism ({@link LogAppender#triggerHeartbeat}, used by its
 * own lease-less ReadIndex) but no public way to reach the appenders; this class sits in Ratis's package for that
 * one purpose (the role and leader state it reads are package-private) and changes nothing else. Ratis's master
 * branch sends such a heartbeat after a follower's ReadIndex (RATIS-2392, not in 3.3.0).
 *
 * <p>Why: with {@code raft.server.log.log-metadata.enabled=false} (a metadata entry after every commit cost ~1 ms of
 * a one-client write, docs/design/replication.md) a follower would otherwise learn that an entry is committed only
 * from the next append or the next periodic heartbeat, up to half an election timeout later. A Ratis upgrade that
 * moves the members used here fails this class's compilation, not a running cluster.
 */
public final class LeaderHeartbeats {
  private LeaderHeartbeats() {}

  /**
   * On the leader, for every follower accepted by {@code which} whose last reported commit index is below
   * {@code upTo}: a heartbeat now (it carries the leader's commit index), unless an append to it is in flight (a
   * heartbeat sent meanwhile names no previous entry and so carries no commit index; the append's reply comes first).
   * Returns the followers skipped for that reason, to ask again once their append is answered; empty on a follower.
   */
  public static Set<RaftPeerId> commitToFollowers(RaftServer.Division division, Predicate<RaftPeerId> which, long upTo) {
    if (!(division instanceof RaftServerImpl impl)) return Set.of();
    LeaderStateImpl leader = impl.getRole().getLeaderState().orElse(null);
    if (leader == null) return Set.of();
    Set<RaftPeerId> inFlight = new HashSet<>(2);
    leader.getLogAppenders().forEach(a -> {
      FollowerInfo f = a.getFollower();
      if (!which.test(f.getId()) || f.getCommitIndex() >= upTo) return;
      if (a instanceof LogAppenderBase b && b.hasPendingDataRequests()) {
        inFlight.add(f.getId());
      } else {
        a.triggerHeartbeat();
      }
    });
    return inFlight;
  }
}
