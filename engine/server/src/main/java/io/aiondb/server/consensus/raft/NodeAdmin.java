package io.aiondb.server.consensus.raft;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * The cluster API in node terms (docs/cluster-api.md "Nodes"): what the operator calls. Every call names a node and
 * acts on every Raft group the node is a member of, so its meaning does not change when one process hosts several
 * groups; today there is one, served by {@link ClusterAdmin}. The decisions (is it safe, where does leadership go,
 * what membership state a node is in) are the pure functions of {@link Nodes}; this class only runs them against the
 * live groups. Every change is idempotent and bounded by {@code request.timeout}: a caller that crashed or timed out
 * calls again. Blocking: call off the event loop.
 */
public final class NodeAdmin {
  private static final Pattern ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}");
  private static final Pattern ADDRESS = Pattern.compile("([a-zA-Z0-9_.-]{1,253}):([0-9]{1,5})");

  private final ClusterAdmin admin;
  private final RaftNode raft;
  /** Decommissions this node is running, by node id (what {@code GET /v1/cluster/nodes/{id}} reports as progress). */
  private final Map<String, Nodes.Decommission> leaving = new ConcurrentHashMap<>();

  NodeAdmin(ClusterAdmin admin, RaftNode raft) {
    this.admin = admin;
    this.raft = raft;
  }

  /** The views of every group this process hosts (one today). */
  public List<ClusterAdmin.View> groups() {
    return List.of(admin.view());
  }

  public List<Nodes.NodeState> nodes(List<ClusterAdmin.View> groups) {
    return Nodes.ids(groups).stream().map(id -> Nodes.node(id, groups, leaving.get(id))).toList();
  }

  /** Node {@code id}; 404 MEMBER_NOT_FOUND when it is a member of no group. */
  public Nodes.NodeState node(String id) {
    validateId(id);
    Nodes.NodeState n = Nodes.node(id, groups(), leaving.get(id));
    if (n == null) throw notMember(id);
    return n;
  }

  /** The answer of a change: whether anything changed, and the node afterwards (null once it is in no group). */
  public record Result(boolean changed, Nodes.NodeState node, Nodes.Decommission decommission) {}

  /**
   * Adds a node as a learner of every group (it catches up, by snapshot when far behind). Unchanged when it is already
   * a member at that address; 409 MEMBER_CONFLICT when it is a member elsewhere or another member has its address.
   */
  public Result add(String id, String raftAddress, String httpAddress) {
    validateId(id);
    validateAddress("raftAddress", raftAddress);
    validateAddress("httpAddress", httpAddress);
    for (ClusterAdmin.View v : groups()) {
      for (ClusterAdmin.Member m : v.members()) {
        if (!m.id().equals(id) && (m.raftAddress().equalsIgnoreCase(raftAddress) || httpAddress.equalsIgnoreCase(m.httpAddress()))) {
          throw new AionException(ErrorCode.MEMBER_CONFLICT, "'" + m.id() + "' already uses " + (m.raftAddress()
              .equalsIgnoreCase(raftAddress) ? "raftAddress " + raftAddress : "httpAddress " + httpAddress)
              + "; two nodes cannot share an address");
        }
      }
    }
    boolean changed = admin.addLearner(id, raftAddress, httpAddress).changed();
    return new Result(changed, node(id), null);
  }

  /** Makes a caught-up learner a voter in every group; 409 NOT_CAUGHT_UP (with its lag) while it is behind. */
  public Result promote(String id) {
    validateId(id);
    boolean changed = admin.promote(id).changed(); // 404 when it is a member of no group
    return new Result(changed, node(id), null);
  }

  /**
   * Moves every leadership off {@code id} to {@code preferred} when that is a reachable, caught-up voter, else to the
   * reachable, caught-up voter with the smallest lag ({@link Nodes#transferTarget}), and answers once this node sees
   * a leader that is not {@code id}. Unchanged when it leads nothing. Ratis refuses a transfer while the target is not
   * caught up (e.g. right after a promotion): it is retried, with the target chosen again each time, until
   * {@code request.timeout}.
   *
   * @param preferred a node id or null
   */
  public Result drainLeadership(String id, String preferred) {
    validateId(id);
    if (preferred != null) validateId(preferred);
    long deadline = System.nanoTime() + raft.config().requestTimeout().toNanos();
    ClusterAdmin.View v = admin.view();
    if (v.member(id) == null) throw notMember(id);
    boolean changed = drain(id, preferred, v, deadline);
    return new Result(changed, node(id), null);
  }

  private boolean drain(String id, String preferred, ClusterAdmin.View v, long deadline) {
    boolean changed = false;
    String lastError = null;
    while (true) {
      if (v.leader() != null && !v.leader().equals(id)) return changed;
      if (System.nanoTime() >= deadline) {
        throw new AionException(ErrorCode.TIMEOUT, v.leader() == null
            ? "no leader became known within request.timeout; retry shortly"
            : "leadership did not move off " + id + " within request.timeout"
                + (lastError == null ? "" : " (last refusal: " + lastError + ")") + "; retry");
      }
      if (v.leader() != null) {
        ClusterAdmin.Member target = Nodes.transferTarget(v, id, preferred);
        if (target == null) {
          Nodes.Safety s = Nodes.safety(v, id);
          throw new AionException(ErrorCode.UNSAFE, "no other voter is reachable and caught up to take leadership from "
              + id + (s.reason() == null ? "" : ": " + s.reason()));
        }
        try {
          long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
          admin.knowMembers();
          RaftNode.check(raft.client().admin().transferLeadership(RaftPeerId.valueOf(target.id()), RaftPeerId.valueOf(id), left));
          changed = true;
          awaitLeaderOtherThan(id, deadline);
        } catch (AionException | IOException e) {
          lastError = e.getMessage(); // e.g. not caught up in a new configuration yet: choose again and retry
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
      } else {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
      v = admin.view();
    }
  }

  private void awaitLeaderOtherThan(String id, long deadline) {
    while (System.nanoTime() < deadline) {
      RaftPeerId l = raft.division().getInfo().getLeaderId();
      if (l != null && !l.toString().equals(id)) return;
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /**
   * Moves leadership off {@code id}, then removes it from every group. 409 UNSAFE (with the reason) when removing it
   * would lose a quorum; unchanged ({@code Done}) when it is in no group.
   */
  public Result decommission(String id) {
    validateId(id);
    long deadline = System.nanoTime() + raft.config().requestTimeout().toNanos();
    ClusterAdmin.View v = admin.view();
    if (v.member(id) == null) return new Result(false, null, Nodes.Decommission.DONE);
    Nodes.Safety s = Nodes.safety(v, id);
    if (!s.remove()) throw new AionException(ErrorCode.UNSAFE, "decommissioning " + id + " is not safe now: " + s.reason());
    leaving.put(id, new Nodes.Decommission("InProgress", groups().size()));
    try {
      drain(id, null, v, deadline);
      admin.remove(id, false);
      return new Result(true, null, Nodes.Decommission.DONE);
    } finally {
      leaving.remove(id);
    }
  }

  private static AionException notMember(String id) {
    return new AionException(ErrorCode.MEMBER_NOT_FOUND, "'" + id + "' is not a member of any group (never added, or"
        + " decommissioned)");
  }

  static void validateId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new AionException(ErrorCode.BAD_REQUEST, "a node id is 1-63 of a-z A-Z 0-9 _ . - starting with a letter or"
          + " digit, not '" + id + "'");
    }
  }

  static void validateAddress(String field, String address) {
    var m = address == null ? null : ADDRESS.matcher(address);
    if (m == null || !m.matches()) {
      throw new AionException(ErrorCode.BAD_REQUEST, field + " must be host:port (host of a-z A-Z 0-9 _ . -), not '"
          + address + "'");
    }
    int port = Integer.parseInt(m.group(2));
    if (port < 1 || port > 65535) {
      throw new AionException(ErrorCode.BAD_REQUEST, field + " has port " + port + "; a port is 1-65535");
    }
  }
}
