package io.aiondb.server.consensus.raft;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The cluster in node terms (docs/cluster-api.md "Nodes"), computed from the views of the Raft groups alone: pure
 * functions, no I/O, so every rule here has a unit test. A node's answer aggregates its membership in every group
 * (one group today; one per key range later): it is safe to restart a node when it is safe in every group, it is
 * caught up when it is caught up in every group, and it leads as many groups as it is the leader of.
 */
public final class Nodes {
  private Nodes() {}

  /** A node's membership over all groups (see {@link #membership}). */
  public enum Membership { Voter, Learner, Joining, Leaving, Unknown }

  /** Its state in one group. {@code lag} is -1 when unknown. */
  public record Group(String groupId, String leader, String role, boolean voting, long lag, boolean caughtUp,
      boolean safeToRestart, boolean safeToRemove, String reason) {}

  /** Progress of a decommission this node is running ({@code groupsLeft}: groups the node is still a member of). */
  public record Decommission(String state, int groupsLeft) {
    public static final Decommission DONE = new Decommission("Done", 0);
  }

  /** One node: the aggregate of its {@link Group}s. */
  public record NodeState(String id, String raftAddress, String httpAddress, Membership membership, boolean reachable,
      String version, boolean caughtUp, long lag, int leads, boolean safeToRestart, boolean safeToRemove, String reason,
      Decommission decommission, List<Group> groups) {}

  /** Ids of every node that is a member of at least one group, in the order the groups list them. */
  public static List<String> ids(List<ClusterAdmin.View> groups) {
    Set<String> ids = new LinkedHashSet<>();
    for (ClusterAdmin.View v : groups) v.members().forEach(m -> ids.add(m.id()));
    return new ArrayList<>(ids);
  }

  /**
   * Node {@code id} over {@code groups}, or null when it is a member of none. {@code decommission} is the progress of
   * a decommission under way (null for none): it makes the node {@code Leaving}.
   */
  public static NodeState node(String id, List<ClusterAdmin.View> groups, Decommission decommission) {
    List<Group> in = new ArrayList<>();
    ClusterAdmin.Member any = null;
    boolean reachable = false;
    String version = null;
    for (ClusterAdmin.View v : groups) {
      ClusterAdmin.Member m = v.member(id);
      if (m == null) continue;
      any = m;
      reachable |= m.reachable();
      if (version == null) version = m.version();
      Safety s = safety(v, id);
      in.add(new Group(v.groupId(), v.leader(), m.role(), m.voting(), m.lag(), m.caughtUp(), s.restart(), s.remove(), s.reason()));
    }
    if (any == null) return null;
    boolean caughtUp = in.stream().allMatch(Group::caughtUp);
    long lag = in.stream().anyMatch(g -> g.lag() < 0) ? -1 : in.stream().mapToLong(Group::lag).max().orElse(0);
    int leads = (int) in.stream().filter(g -> id.equals(g.leader())).count();
    boolean restart = in.stream().allMatch(Group::safeToRestart);
    boolean remove = in.stream().allMatch(Group::safeToRemove);
    List<String> reasons = in.stream().filter(g -> g.reason() != null)
        .map(g -> (in.size() > 1 ? "group " + g.groupId() + ": " : "") + g.reason()).toList();
    return new NodeState(id, any.raftAddress(), any.httpAddress(), membership(in, decommission), reachable, version,
        caughtUp, lag, leads, restart, remove, reasons.isEmpty() ? null : String.join("; ", reasons), decommission, in);
  }

  /**
   * {@code Leaving} while a decommission is under way; {@code Unknown} when some group has no known leader (an
   * election, or the answering node is cut off: its view of the configuration may be stale); {@code Voter} when it
   * votes in every group; {@code Learner} when it is a caught-up learner somewhere (ready to promote), else
   * {@code Joining} (a learner still catching up).
   */
  static Membership membership(List<Group> in, Decommission decommission) {
    if (decommission != null && !"Done".equals(decommission.state())) return Membership.Leaving;
    if (in.stream().anyMatch(g -> g.leader() == null)) return Membership.Unknown;
    if (in.stream().allMatch(Group::voting)) return Membership.Voter;
    return in.stream().filter(g -> !g.voting()).allMatch(Group::caughtUp) ? Membership.Learner : Membership.Joining;
  }

  /** Whether restarting / removing a member of one group is safe, and if not, why (in words a person can act on). */
  public record Safety(boolean restart, boolean remove, String reason) {}

  /**
   * In one group: restarting X is safe when the voters other than X that are reachable and caught up still form a
   * quorum of the configuration; removing X is safe when they form a quorum of the configuration without X. A
   * learner is always safe to restart and remove. Nothing is safe while the group has no known leader.
   */
  public static Safety safety(ClusterAdmin.View v, String id) {
    ClusterAdmin.Member x = v.member(id);
    if (x == null) return new Safety(true, true, null);
    if (v.leader() == null) {
      return new Safety(false, false, "no leader is known (an election is under way, or the answering node is cut off"
          + " from the quorum): retry shortly");
    }
    if (!x.voting()) return new Safety(true, true, null);
    List<ClusterAdmin.Member> voters = v.voters();
    List<ClusterAdmin.Member> others = voters.stream().filter(m -> !m.id().equals(id)).toList();
    long healthy = others.stream().filter(Nodes::healthy).count();
    int q = ClusterAdmin.quorum(voters.size());
    int qAfter = ClusterAdmin.quorum(voters.size() - 1);
    boolean restart = healthy >= q;
    boolean remove = voters.size() > 1 && healthy >= qAfter;
    if (restart && remove) return new Safety(true, true, null);
    List<String> why = others.stream().filter(m -> !healthy(m)).map(Nodes::describe).toList();
    List<String> effects = new ArrayList<>();
    if (!restart) {
      effects.add("restarting " + id + " now would leave " + healthy + " of " + voters.size()
          + " voters caught up, below the quorum of " + q);
    }
    if (!remove) {
      effects.add(voters.size() == 1 ? "removing " + id + " is impossible: it is the only voter"
          : "removing " + id + " would leave " + healthy + " of " + (voters.size() - 1)
              + " voters caught up, below the quorum of " + qAfter);
    }
    return new Safety(restart, remove, (why.isEmpty() ? "" : String.join(", ", why) + ": ") + String.join("; ", effects));
  }

  private static boolean healthy(ClusterAdmin.Member m) {
    return m.reachable() && m.caughtUp();
  }

  private static String describe(ClusterAdmin.Member m) {
    if (!m.reachable()) return m.id() + " is unreachable";
    if (m.lag() < 0) return m.id() + " is not reporting its progress";
    return m.id() + " is " + String.format(Locale.ROOT, "%,d", m.lag()) + " entries behind";
  }

  /**
   * Where leadership goes when it leaves {@code from}: the reachable, caught-up voter other than {@code from} with the
   * smallest lag (ties: the smallest id, so repeated calls choose the same node). Null when there is none.
   */
  public static ClusterAdmin.Member transferTarget(ClusterAdmin.View v, String from) {
    return transferTarget(v, from, null);
  }

  /**
   * As {@link #transferTarget(ClusterAdmin.View, String)}, but {@code preferred} (may be null) when it is a reachable,
   * caught-up voter other than {@code from}: the caller knows something the lag does not say (the operator prefers a
   * member it will not restart next). Otherwise the usual choice: a preference never blocks a drain.
   */
  public static ClusterAdmin.Member transferTarget(ClusterAdmin.View v, String from, String preferred) {
    if (preferred != null && !preferred.equals(from)) {
      ClusterAdmin.Member p = v.voters().stream().filter(m -> m.id().equals(preferred) && healthy(m)).findFirst()
          .orElse(null);
      if (p != null) return p;
    }
    return v.voters().stream().filter(m -> !m.id().equals(from) && healthy(m))
        .min(Comparator.comparingLong(ClusterAdmin.Member::lag).thenComparing(ClusterAdmin.Member::id)).orElse(null);
  }
}
