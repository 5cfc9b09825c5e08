package io.aiondb.server.consensus.raft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/**
 * Membership and health of the Raft group, for the operator and for people (docs/cluster-api.md). Every change is
 * idempotent: it compares the wanted configuration with the committed one first and answers {@code changed=false}
 * when there is nothing to do, so a caller that crashed halfway can simply call again.
 */
public final class ClusterAdmin {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusterAdmin.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  public record Member(String id, String raftAddress, String httpAddress, String role, boolean voting,
      long commitIndex, long lag, boolean caughtUp, boolean reachable, Long appliedIndex, String version) {}

  public record View(String groupId, String leader, long term, long leaderCommit, List<Member> members) {
    public List<Member> voters() {
      return members.stream().filter(Member::voting).toList();
    }

    public Member member(String id) {
      return members.stream().filter(m -> m.id().equals(id)).findFirst().orElse(null);
    }
  }

  public record Safety(String member, boolean safeToRestart, boolean safeToRemove, String reason) {}

  /**
   * How long a member may apply nothing while it is behind the commit index the leader had when it last applied
   * something before it no longer counts as caught up ({@link #stalled}).
   */
  static final long STALL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

  /** One member's progress as this node last saw it: its applied index, when that changed, and the commit index then. */
  record Progress(long applied, long changedAtNanos, long leaderCommitThen) {}

  private final RaftNode raft;
  private final long caughtUpLag;
  /** Per member id, what {@link #view} saw of its applied index. */
  private final Map<String, Progress> progress = new java.util.concurrent.ConcurrentHashMap<>();
  private final HttpClient http;
  private final String scheme;
  private final NodeAdmin nodes;

  /** @param tls the node's TLS material or null; with it, peers' status is fetched over https with the node's certificate */
  public ClusterAdmin(RaftNode raft, long caughtUpLag, io.aiondb.server.security.TlsMaterial tls) {
    this.raft = raft;
    this.caughtUpLag = caughtUpLag;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500));
    if (tls != null) b.sslContext(tls.clientContext());
    this.http = b.build();
    this.scheme = tls != null ? "https://" : "http://";
    this.nodes = new NodeAdmin(this, raft);
  }

  /** The same cluster in node terms (what the operator uses): docs/cluster-api.md "Nodes". */
  public NodeAdmin nodes() {
    return nodes;
  }

  /** Who leads and who is a member, from this node's Raft configuration alone (no network calls). */
  public record Topology(String leader, List<Member> members) {}

  public Topology topology() {
    RaftServer.Division d = raft.division();
    RaftConfiguration conf = d.getRaftConf();
    RaftPeerId leader = d.getInfo().getLeaderId();
    List<Member> members = new ArrayList<>();
    for (RaftPeer p : conf.getAllPeers(RaftPeerRole.FOLLOWER)) {
      String role = leader != null && leader.equals(p.getId()) ? "LEADER" : "FOLLOWER";
      members.add(new Member(p.getId().toString(), p.getAddress(), p.getDataStreamAddress(), role, true, -1, -1, false, false, null, null));
    }
    for (RaftPeer p : conf.getAllPeers(RaftPeerRole.LISTENER)) {
      members.add(new Member(p.getId().toString(), p.getAddress(), p.getDataStreamAddress(), "LEARNER", false, -1, -1, false, false, null, null));
    }
    return new Topology(leader == null ? null : leader.toString(), members);
  }

  /** The group as this node sees it, with each member's /v1/status fetched concurrently (500 ms each at most). */
  public View view() {
    RaftServer.Division d = raft.division();
    RaftConfiguration conf = d.getRaftConf();
    RaftPeerId leader = d.getInfo().getLeaderId();
    Map<String, Long> commits = new HashMap<>();
    for (CommitInfoProto ci : d.getCommitInfos()) commits.put(ci.getServer().getId().toStringUtf8(), ci.getCommitIndex());
    Map<String, Long> lastContact = new HashMap<>();
    RoleInfoProto role = d.getInfo().getRoleInfoProto();
    if (role.hasLeaderInfo()) {
      for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
        lastContact.put(f.getId().getId().toStringUtf8(), f.getLastRpcElapsedTimeMs());
      }
    }
    long leaderCommit = leader == null ? d.getRaftLog().getLastCommittedIndex()
        : commits.getOrDefault(leader.toString(), d.getRaftLog().getLastCommittedIndex());
    if (d.getInfo().isLeader()) leaderCommit = d.getRaftLog().getLastCommittedIndex();
    List<RaftPeer> peers = new ArrayList<>();
    conf.getAllPeers(RaftPeerRole.FOLLOWER).forEach(peers::add);
    List<RaftPeer> listeners = new ArrayList<>(conf.getAllPeers(RaftPeerRole.LISTENER));
    peers.addAll(listeners);
    Map<String, CompletableFuture<JsonNode>> status = new HashMap<>();
    String self = raft.selfId().toString();
    for (RaftPeer p : peers) {
      String id = p.getId().toString();
      status.put(id, id.equals(self) ? CompletableFuture.completedFuture(localStatus()) : fetchStatus(p.getDataStreamAddress()));
    }
    commits.putIfAbsent(self, d.getRaftLog().getLastCommittedIndex());
    long unreachableAfter = 3 * raft.config().electionTimeout().toMillis();
    long now = System.nanoTime();
    long leaderCommitNow = leaderCommit;
    List<Member> members = new ArrayList<>();
    for (RaftPeer p : peers) {
      String id = p.getId().toString();
      boolean voting = !listeners.contains(p);
      String r = leader != null && leader.equals(p.getId()) ? "LEADER" : voting ? "FOLLOWER" : "LEARNER";
      long commit = commits.getOrDefault(id, -1L);
      JsonNode st = status.get(id).join();
      boolean httpOk = st != null;
      Long contact = lastContact.get(id);
      boolean reachable = httpOk && (contact == null || contact < unreachableAfter);
      if (!reachable && !"LEADER".equals(r)) r = "UNKNOWN";
      Long applied = httpOk && st.hasNonNull("appliedIndex") ? st.path("appliedIndex").asLong() : null;
      long lag = lag(leaderCommit, commit, applied);
      boolean stalled = false;
      if (applied != null) {
        Progress seen = progress.compute(id, (k, prev) -> observe(prev, applied, leaderCommitNow, now));
        stalled = stalled(seen, now);
      }
      members.add(new Member(id, p.getAddress(), p.getDataStreamAddress(), r, voting, commit, lag,
          reachable && lag >= 0 && lag <= caughtUpLag && !stalled, reachable,
          applied, httpOk ? st.path("version").asText(null) : null));
    }
    return new View(raft.groupId().getUuid().toString(), leader == null ? null : leader.toString(),
        d.getInfo().getCurrentTerm(), leaderCommit, members);
  }

  /**
   * How far a member is behind, in entries (-1: unknown): the leader's commit index minus the lower of what the leader
   * last heard of the member's commit index ({@code commitInfo}, -1 if nothing) and the applied index the member itself
   * reports ({@code applied}, null if it did not answer). The leader's figure alone can be stale: it keeps the highest
   * commit index a member ever reported, so a member that restarted with a shorter log, or whose appends the leader's
   * appender keeps failing, looked caught up while it applied nothing (a rolling upgrade then restarted the next member
   * and nothing could commit for ~10 s: issue 13). The member's own applied index cannot run ahead of its log.
   */
  static long lag(long leaderCommit, long commitInfo, Long applied) {
    if (commitInfo < 0 && applied == null) return -1;
    long behind = commitInfo < 0 ? applied : applied == null ? commitInfo : Math.min(commitInfo, applied);
    return Math.max(0, leaderCommit - behind);
  }

  /**
   * The progress record after seeing {@code applied} while the leader's commit index is {@code leaderCommit}: a new one
   * when the applied index changed, or when the member had reached the commit index and the leader has committed more
   * since (the clock starts when it falls behind), else {@code prev}.
   */
  static Progress observe(Progress prev, long applied, long leaderCommit, long nowNanos) {
    if (prev == null || prev.applied() != applied
        || (prev.applied() >= prev.leaderCommitThen() && leaderCommit > applied)) {
      return new Progress(applied, nowNanos, leaderCommit);
    }
    return prev;
  }

  /**
   * A member is stalled when it has applied nothing for {@link #STALL_NANOS} although it had not reached the commit
   * index the leader had when it last applied something (or when it fell behind, if it had been at the commit index).
   * Such a member is not caught up whatever its lag says: a member back from a restart sits a few entries behind, under
   * {@code cluster.caught-up-lag}, and if its log cannot be lined up with the leader's it stays there (issue 13:
   * Ratis 3.3.0's composed appends did that, see RaftNode.catchUpSettings), while the roller would take it as caught
   * up and restart the next member. A follower that keeps up applies something within the window whenever there is
   * something to apply.
   */
  static boolean stalled(Progress p, long nowNanos) {
    return p.applied() < p.leaderCommitThen() && nowNanos - p.changedAtNanos() >= STALL_NANOS;
  }

  /** This node answers for itself from memory (its advertised HTTP address may not be reachable from itself). */
  private JsonNode localStatus() {
    return JSON.createObjectNode().put("appliedIndex", raft.appliedIndex()).put("version", io.aiondb.server.Version.VALUE);
  }

  private CompletableFuture<JsonNode> fetchStatus(String httpAddress) {
    if (httpAddress == null || httpAddress.isEmpty()) return CompletableFuture.completedFuture(null);
    HttpRequest req = HttpRequest.newBuilder(URI.create(scheme + httpAddress + "/v1/status"))
        .timeout(Duration.ofMillis(500)).GET().build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).handle((resp, err) -> {
      if (err != null || resp.statusCode() != 200) return null;
      try {
        return JSON.readTree(resp.body());
      } catch (IOException e) {
        return null;
      }
    });
  }

  static int quorum(int voters) {
    return voters / 2 + 1;
  }

  /**
   * Restarting X is safe when the healthy (reachable, caught-up) voters other than X still form a quorum; removing X
   * is safe when the healthy voters of the configuration without X form a quorum of it.
   */
  public Safety safety(View v, String id) {
    Member x = v.member(id);
    if (x == null) throw new AionException(ErrorCode.MEMBER_NOT_FOUND, "'" + id + "' is not a member of the cluster");
    if (!x.voting()) return new Safety(id, true, true, null);
    List<Member> voters = v.voters();
    List<Member> healthyOthers = voters.stream().filter(m -> !m.id().equals(id) && m.caughtUp() && m.reachable()).toList();
    int q = quorum(voters.size());
    boolean restart = healthyOthers.size() >= q;
    int qAfter = quorum(voters.size() - 1);
    boolean remove = voters.size() > 1 && healthyOthers.size() >= qAfter;
    String reason = null;
    if (!restart || !remove) {
      List<String> unhealthy = voters.stream().filter(m -> !m.id().equals(id) && !(m.caughtUp() && m.reachable()))
          .map(m -> m.id() + (m.reachable() ? " is not caught up" : " is unreachable")).toList();
      reason = (unhealthy.isEmpty() ? "" : String.join(", ", unhealthy) + ": ")
          + (restart ? "" : "restarting " + id + " now would leave " + healthyOthers.size() + " of " + voters.size()
              + " voters healthy, below the quorum of " + q)
          + (!restart && !remove ? "; " : "")
          + (remove ? "" : voters.size() == 1 ? "it is the only voter"
              : "removing " + id + " would leave " + healthyOthers.size() + " healthy of " + (voters.size() - 1)
                  + " voters, below the quorum of " + qAfter);
    }
    return new Safety(id, restart, remove, reason);
  }

  public boolean quorumHealthy(View v) {
    List<Member> voters = v.voters();
    long healthy = voters.stream().filter(m -> m.caughtUp() && m.reachable()).count();
    return v.leader() != null && healthy >= quorum(voters.size());
  }

  // ------------------------------------------------------------------ changes (blocking; call off the event loop)

  public record Change(boolean changed, View view) {}

  public Change addLearner(String id, String raftAddress, String httpAddress) {
    validateId(id);
    if (raftAddress == null || !raftAddress.matches("[a-zA-Z0-9_.-]+:\\d{1,5}")) {
      throw new AionException(ErrorCode.BAD_REQUEST, "raftAddress must be host:port, not '" + raftAddress + "'");
    }
    if (httpAddress != null && !httpAddress.matches("[a-zA-Z0-9_.-]+:\\d{1,5}")) {
      throw new AionException(ErrorCode.BAD_REQUEST, "httpAddress must be host:port, not '" + httpAddress + "'");
    }
    RaftConfiguration conf = raft.division().getRaftConf();
    RaftPeer existing = find(conf, id);
    if (existing != null) {
      if (existing.getAddress().equals(raftAddress)) return new Change(false, view());
      throw new AionException(ErrorCode.MEMBER_CONFLICT, "'" + id + "' is already a member at " + existing.getAddress()
          + "; remove it first to change its address");
    }
    RaftPeer p = RaftPeer.newBuilder().setId(id).setAddress(raftAddress)
        .setDataStreamAddress(httpAddress == null ? "" : httpAddress).setStartupRole(RaftPeerRole.LISTENER).build();
    List<RaftPeer> listeners = new ArrayList<>(conf.getAllPeers(RaftPeerRole.LISTENER));
    listeners.add(p);
    apply(new ArrayList<>(conf.getAllPeers(RaftPeerRole.FOLLOWER)), listeners);
    return new Change(true, view());
  }

  /**
   * Makes a caught-up learner a voter in two committed steps: it leaves the configuration as a learner, then joins it
   * as a new voter. Promoting in place (one step, learner to voter) is what Ratis 3.3.0 offers, but its leader then
   * keeps treating the node as still catching up ("initializing" in every appendEntries): the node stays in its
   * STARTING state, refuses votes and leadership (ServerNotReadyException), until the leadership changes or the node
   * restarts. A 1 to 3 scale-up promoted that way cannot elect a leader once the first node fails (measured:
   * NodesApiIT's transfer to the promoted node was refused for 60 s). Joining as a new voter goes through Ratis's
   * staging, which marks the node caught up, so it votes at once. Between the two steps the node is in no
   * configuration; a call that failed there finishes the promotion when called again on the same node (it remembers
   * the address), otherwise the caller adds the node again.
   */
  public Change promote(String id) {
    RaftConfiguration conf = raft.division().getRaftConf();
    RaftPeer p = find(conf, id);
    RaftPeer half = halfPromoted.get(id);
    if (p == null && half == null) throw new AionException(ErrorCode.MEMBER_NOT_FOUND, "'" + id + "' is not a member of the cluster");
    List<RaftPeer> voters = new ArrayList<>(conf.getAllPeers(RaftPeerRole.FOLLOWER));
    if (p != null && voters.stream().anyMatch(v -> v.getId().equals(p.getId()))) {
      halfPromoted.remove(id);
      return new Change(false, view());
    }
    List<RaftPeer> listeners = conf.getAllPeers(RaftPeerRole.LISTENER).stream().filter(l -> !l.getId().toString().equals(id)).toList();
    RaftPeer peer = p != null ? p : half;
    if (p != null) {
      Member m = view().member(id);
      if (m == null || !m.caughtUp()) {
        throw new AionException(ErrorCode.NOT_CAUGHT_UP, "'" + id + "' is " + (m == null || m.lag() < 0 ? "not reporting its progress" : m.lag() + " entries behind")
            + "; promote it once it has caught up (lag <= " + caughtUpLag + ")");
      }
      halfPromoted.put(id, peer);
      apply(voters, new ArrayList<>(listeners)); // step 1: it leaves as a learner
    }
    voters.add(RaftPeer.newBuilder().setId(peer.getId()).setAddress(peer.getAddress()).setDataStreamAddress(peer.getDataStreamAddress()).build());
    apply(voters, new ArrayList<>(listeners)); // step 2: it joins as a voter (staged: Ratis waits until it is caught up)
    halfPromoted.remove(id);
    return new Change(true, view());
  }

  /** Learners whose promotion stopped between its two steps (see {@link #promote}), by id. */
  private final java.util.Map<String, RaftPeer> halfPromoted = new java.util.concurrent.ConcurrentHashMap<>();

  public Change remove(String id, boolean force) {
    RaftConfiguration conf = raft.division().getRaftConf();
    RaftPeer p = find(conf, id);
    if (p == null) return new Change(false, view());
    if (!force) {
      Safety s = safety(view(), id);
      if (!s.safeToRemove()) throw new AionException(ErrorCode.UNSAFE, s.reason() + " (add ?force=true to remove anyway)");
    }
    List<RaftPeer> voters = conf.getAllPeers(RaftPeerRole.FOLLOWER).stream().filter(v -> !v.getId().equals(p.getId())).toList();
    if (voters.isEmpty()) throw new AionException(ErrorCode.UNSAFE, "cannot remove the last voter");
    List<RaftPeer> listeners = conf.getAllPeers(RaftPeerRole.LISTENER).stream().filter(l -> !l.getId().equals(p.getId())).toList();
    apply(new ArrayList<>(voters), new ArrayList<>(listeners));
    return new Change(true, view());
  }

  public Change transferLeadership(String id) {
    RaftConfiguration conf = raft.division().getRaftConf();
    RaftPeer p = find(conf, id);
    if (p == null) throw new AionException(ErrorCode.MEMBER_NOT_FOUND, "'" + id + "' is not a member of the cluster");
    if (conf.getAllPeers(RaftPeerRole.FOLLOWER).stream().noneMatch(v -> v.getId().equals(p.getId()))) {
      throw new AionException(ErrorCode.UNSAFE, "'" + id + "' is a learner; only a voter can lead");
    }
    RaftPeerId leader = raft.division().getInfo().getLeaderId();
    if (p.getId().equals(leader)) return new Change(false, view());
    try {
      if (leader == null) throw new AionException(ErrorCode.UNAVAILABLE, "no leader right now; retry shortly");
      knowMembers();
      RaftNode.check(raft.client().admin().transferLeadership(p.getId(), leader, 10_000));
    } catch (IOException e) {
      throw new AionException(ErrorCode.UNAVAILABLE, "leadership transfer to " + id + " failed: " + e.getMessage());
    }
    return new Change(true, view());
  }

  /**
   * The Ratis clients were built with cluster.peers: a member added later (a joined node) is unknown to them, and a
   * request addressed to it by id (a leadership transfer while it leads) failed with "Server n4 not found".
   */
  void knowMembers() {
    RaftConfiguration conf = raft.division().getRaftConf();
    List<RaftPeer> all = new ArrayList<>(conf.getAllPeers(RaftPeerRole.FOLLOWER));
    all.addAll(conf.getAllPeers(RaftPeerRole.LISTENER));
    raft.client().getClientRpc().addRaftPeers(all);
    raft.adminClient().getClientRpc().addRaftPeers(all);
  }

  /**
   * Waits (up to 3 s) until this node's own configuration shows a change the leader committed, so that what this node
   * answers next reflects it. The leader has committed it, but when this node is a follower its copy may arrive later:
   * a promotion answered from that copy said "not a member of any group" (404) about the member it had just promoted
   * (between the promotion's two steps it is in neither list; RolloutIT). After 3 s the answer goes on regardless: the
   * change is committed, and a node removed by it never hears of it.
   */
  private void awaitLocally(List<RaftPeer> voters, List<RaftPeer> listeners) {
    java.util.Set<RaftPeerId> wantVoters = voters.stream().map(RaftPeer::getId).collect(java.util.stream.Collectors.toSet());
    java.util.Set<RaftPeerId> wantListeners = listeners.stream().map(RaftPeer::getId)
        .collect(java.util.stream.Collectors.toSet());
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
    while (true) {
      RaftConfiguration c = raft.division().getRaftConf();
      java.util.Set<RaftPeerId> haveVoters = c.getCurrentPeers(RaftPeerRole.FOLLOWER).stream().map(RaftPeer::getId)
          .collect(java.util.stream.Collectors.toSet());
      java.util.Set<RaftPeerId> haveListeners = c.getCurrentPeers(RaftPeerRole.LISTENER).stream().map(RaftPeer::getId)
          .collect(java.util.stream.Collectors.toSet());
      boolean stable = c.getPreviousPeers().isEmpty(); // not the joint configuration of a change under way
      if (stable && haveVoters.equals(wantVoters) && haveListeners.equals(wantListeners)) return;
      if (System.nanoTime() >= deadline) {
        LOG.info("this node's configuration does not show the committed membership change yet; answering regardless");
        return;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private void apply(List<RaftPeer> voters, List<RaftPeer> listeners) {
    knowMembers();
    try {
      org.apache.ratis.protocol.RaftClientReply reply;
      try {
        reply = raft.adminClient().admin().setConfiguration(voters, listeners);
      } catch (org.apache.ratis.protocol.exceptions.GroupMismatchException e) {
        reply = toKnownLeader(voters, listeners, e);
      }
      RaftNode.check(reply);
      awaitLocally(voters, listeners);
    } catch (org.apache.ratis.protocol.exceptions.TimeoutIOException e) {
      throw new AionException(ErrorCode.TIMEOUT, "the membership change did not complete within request.timeout: a new"
          + " member must be running and reachable at its raftAddress to catch up; see GET /v1/cluster/members for the outcome");
    } catch (ReconfigurationInProgressException e) {
      throw new AionException(ErrorCode.RECONFIGURATION_IN_PROGRESS, "another membership change is in progress; retry shortly");
    } catch (org.apache.ratis.protocol.exceptions.SetConfigurationException e) {
      throw new AionException(ErrorCode.UNAVAILABLE, "membership unchanged: " + e.getMessage() + " (NOPROGRESS: a new member"
          + " must be running and reachable at its raftAddress to catch up; retry once it is)");
    } catch (IOException e) {
      if (e.getCause() instanceof ReconfigurationInProgressException || String.valueOf(e.getMessage()).contains("Reconfiguration is already in progress")) {
        throw new AionException(ErrorCode.RECONFIGURATION_IN_PROGRESS, "another membership change is in progress; retry shortly");
      }
      throw new AionException(ErrorCode.UNAVAILABLE, "membership change failed: " + e.getMessage());
    } catch (AionException e) {
      if (String.valueOf(e.getMessage()).contains("Reconfiguration")) {
        throw new AionException(ErrorCode.RECONFIGURATION_IN_PROGRESS, "another membership change is in progress; retry shortly");
      }
      throw e;
    }
  }

  /**
   * The admin client's guess of the leader was a member without the group (a wiped node waiting to be replaced
   * answers "group not found"), and Ratis tries no other peer after that answer (NodesApiIT's wiped-voter replacement
   * failed this way whenever the wiped node was the client's first guess): the change goes to the leader this node
   * knows instead, once.
   */
  private org.apache.ratis.protocol.RaftClientReply toKnownLeader(List<RaftPeer> voters, List<RaftPeer> listeners,
      org.apache.ratis.protocol.exceptions.GroupMismatchException cause) throws IOException {
    RaftPeerId leader = raft.division().getInfo().getLeaderId();
    if (leader == null) throw cause;
    LOG.info("membership change sent to the leader {} directly: the admin client's first choice answered {}", leader,
        cause.getMessage());
    return raft.adminClient().getClientRpc().sendRequest(new org.apache.ratis.protocol.SetConfigurationRequest(
        org.apache.ratis.protocol.ClientId.randomId(), leader, raft.groupId(), 0, voters, listeners));
  }

  private static RaftPeer find(RaftConfiguration conf, String id) {
    return conf.getAllPeers().stream().filter(p -> p.getId().toString().equals(id)).findFirst()
        .orElseGet(() -> conf.getAllPeers(RaftPeerRole.LISTENER).stream().filter(p -> p.getId().toString().equals(id)).findFirst().orElse(null));
  }

  private static void validateId(String id) {
    if (id == null || !id.matches("[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,62})")) {
      throw new AionException(ErrorCode.BAD_REQUEST, "member id must be 1-63 of a-z A-Z 0-9 _ . -, not '" + id + "'");
    }
  }
}
