package io.aiondb.server.consensus.raft;

import java.util.List;
import java.util.Map;

/**
 * Whether a node whose Raft storage is missing may start as a voter (docs/design/007-empty-data-dir.md). A member
 * that lost its disk forgot its term, its vote and the entries it acknowledged: voting again could elect a leader that
 * lacks a committed entry, or vote twice in one term. Only the other members remember that it had data, so the
 * decision is taken from their answers: a pure function here, the HTTP calls in {@link RaftNode}.
 */
public final class DataGuard {
  private DataGuard() {}

  /** What {@code /v1/status} reports as {@code dataState}. */
  public enum State {
    /** The Raft storage was there at start: the normal case. */
    PRESENT("present"),
    /** Empty, and no member knew it had data: it formed the cluster from cluster.peers (first start). */
    EMPTY_BOOTSTRAPPED("empty-bootstrapped"),
    /** Empty with cluster.bootstrap=false, and no member answered yet: Raft is not started (nothing to join). */
    EMPTY_AWAITING_PEERS("empty-awaiting-peers"),
    /** Empty, but a member lists it as a voter that acknowledged entries: Raft is not started until it is removed. */
    EMPTY_REFUSED_VOTER("empty-refused-voter"),
    /** Empty, started without any configuration: it never votes and waits to be added as a learner. */
    EMPTY_AWAITING_JOIN("empty-awaiting-join"),
    /** Started empty as a joiner, and now a member of the configuration. */
    JOINED("joined");

    private final String text;

    State(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** Start Raft with cluster.peers as the configuration, start it with none (a joiner), or not yet. */
  public enum Action { BOOTSTRAP, JOIN, WAIT }

  /** This node as another member's {@code GET /v1/cluster/members} describes it. */
  public record Seen(boolean voting, long commitIndex) {}

  /** One member's answer: every member of the configuration it knows, by id (empty: it knows no configuration). */
  public record PeerView(String peer, Map<String, Seen> members) {}

  public record Decision(Action action, State state, String reason) {}

  /**
   * @param bootstrap whether this node may form the cluster ({@code AionConfig.formsCluster()}: cluster.bootstrap and
   *     listed in cluster.initial-members when that is set)
   * @param answers the answers of the other members that did answer (the rest were unreachable or not members)
   */
  public static Decision decide(String self, boolean bootstrap, List<PeerView> answers) {
    List<PeerView> known = answers.stream().filter(a -> !a.members().isEmpty()).toList();
    for (PeerView a : known) {
      Seen me = a.members().get(self);
      if (me != null && me.voting() && me.commitIndex() > 0) {
        return new Decision(Action.WAIT, State.EMPTY_REFUSED_VOTER, a.peer() + " lists " + self + " as a voter that"
            + " acknowledged entries up to index " + me.commitIndex() + ", but its Raft storage is empty: it must not vote"
            + " with a forgotten log and term. Raft is not started. Replace the member: remove it (POST"
            + " /v1/cluster/nodes/" + self + "/decommission on another member), then add it again as a learner (POST"
            + " /v1/cluster/nodes) and promote it once it has caught up");
      }
    }
    if (known.isEmpty()) {
      return bootstrap
          ? new Decision(Action.BOOTSTRAP, State.EMPTY_BOOTSTRAPPED, "no other member knows a configuration: forming"
              + " the cluster from cluster.peers")
          : new Decision(Action.WAIT, State.EMPTY_AWAITING_PEERS, "this node does not form the cluster"
              + " (cluster.bootstrap=false, or its id is not in cluster.initial-members) and no member of"
              + " cluster.peers answered yet: Raft starts once one does (to learn whether this node had data)");
    }
    boolean listedAsVoter = known.stream().allMatch(a -> a.members().containsKey(self) && a.members().get(self).voting());
    if (bootstrap && listedAsVoter) {
      return new Decision(Action.BOOTSTRAP, State.EMPTY_BOOTSTRAPPED, "the members list this node as a voter that"
          + " never acknowledged an entry: joining the cluster being formed from cluster.peers");
    }
    return new Decision(Action.JOIN, State.EMPTY_AWAITING_JOIN, "starting without a configuration (it never votes"
        + " until a member adds it): add it as a learner with POST /v1/cluster/nodes on a member, then promote it");
  }
}
