package io.aiondb.server.consensus.raft;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.config.AionConfig;
import io.aiondb.server.consensus.Proposer;
import io.aiondb.server.consensus.ReadConsistency;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.CommandCodec;
import io.aiondb.server.state.KvStateMachine;
import io.aiondb.server.storage.RocksStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's member of the cluster's Raft group (Apache Ratis): the {@link Proposer} for writes and the read
 * barrier for linearizable reads.
 *
 * <p>Writes: any node accepts them; its {@link CommandBatcher} groups concurrent ones into proposals, which go to the
 * leader in process when this node leads and over the Raft transport otherwise (retried with the same client and call
 * id, which the retry cache deduplicates: {@link #sendProposal}); the result comes back once a majority has the entry
 * and the leader applied it (design note 003, "Write path").
 *
 * <p>Reads: {@link #readBarrier} asks for a read index (ReadIndex, or the leader lease when enabled) and waits until
 * the local state machine has applied it. A minority partition cannot get a read index, so a linearizable read
 * there fails or times out; it never returns stale data. The group id is derived from {@code cluster.name}; one
 * process hosts one group today, and the types here do not assume it stays that way.
 */
public final class RaftNode implements io.aiondb.server.consensus.Consensus {
  private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
  /** The pause after consecutive failed appends to a follower: 1 ms for the first 10, 100 ms for the next 10, then 500 ms. */
  static final String APPENDER_RETRY_POLICY = "1ms,10, 100ms,10, 500ms,1000000000";

  private final AionConfig config;
  private final RocksStore store;
  private final RaftGroupId groupId;
  private final RaftPeerId selfId;
  private final List<Peers.Peer> peers;
  private final RaftServer server;
  /** Admin calls (leadership transfer); writes go through {@link #sendProposal}. */
  private final RaftClient client;
  /** Read-index requests only: sent to the leader this node knows, without Ratis-level retries (see readIndex). */
  private final RaftClient readClient;
  /**
   * Membership changes only: one attempt bounded by request.timeout. With the writers' retrying client, adding a
   * learner nobody answers at kept the request (and its worker thread) waiting ~15 minutes while Ratis retried.
   */
  private final RaftClient adminClient;
  private final AionStateMachine stateMachine;
  private volatile boolean accepting = true;
  private final java.util.concurrent.ExecutorService writers =
      java.util.concurrent.Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("aion-propose-", 0).factory());
  /** Wakes writes and read barriers waiting to retry when a leader becomes known or ready (see LeaderNews). */
  private final LeaderNews leaderNews = new LeaderNews(writers);
  private final ReadIndexBatcher readIndexes =
      new ReadIndexBatcher(() -> readIndex(System.nanoTime() + config().requestTimeout().toNanos(), 0), writers);
  /** Writes accepted by this node and not yet answered, and their command bytes: the admission bounds. */
  private final java.util.concurrent.Semaphore pendingWrites;
  private final java.util.concurrent.atomic.AtomicLong pendingBytes = new java.util.concurrent.atomic.AtomicLong();
  /**
   * Proposals carry this node's own client id and call ids: a proposal resent (to the same or a new leader) keeps
   * both, so the retry cache, which every member fills as it applies entries, answers a resent proposal that already
   * committed instead of appending it again (exactly once, as Ratis's own client does).
   */
  private final org.apache.ratis.protocol.ClientId proposerId = org.apache.ratis.protocol.ClientId.randomId();
  private final java.util.concurrent.atomic.AtomicLong proposalCallIds = new java.util.concurrent.atomic.AtomicLong();
  /** Read-index requests this node submits to its own server while it leads. */
  private final org.apache.ratis.protocol.ClientId readerId = org.apache.ratis.protocol.ClientId.randomId();
  private final java.util.concurrent.atomic.AtomicLong readCallIds = new java.util.concurrent.atomic.AtomicLong();
  /** Only its RPC is used: it carries proposals to a leader on another node. */
  private final RaftClient forwardClient;
  private final CommandBatcher batcher;

  private final io.aiondb.server.trace.Tracing tracing;

  /** As below, without tracing. */
  public RaftNode(AionConfig config, RocksStore store, KvStateMachine kv, Clock clock,
      io.aiondb.server.security.TlsMaterial tls) throws IOException {
    this(config, store, kv, clock, tls, io.aiondb.server.trace.Tracing.off());
  }

  /**
   * @param tls     the node's TLS material, or null: with it the Raft transport runs mutual TLS between peers
   * @param tracing the node's traces (docs/tracing.md): proposals, and on the leader replication and apply
   */
  public RaftNode(AionConfig config, RocksStore store, KvStateMachine kv, Clock clock,
      io.aiondb.server.security.TlsMaterial tls, io.aiondb.server.trace.Tracing tracing) throws IOException {
    this.config = config;
    this.tracing = tracing;
    this.store = store;
    this.pendingWrites = new java.util.concurrent.Semaphore(config.admissionMaxPendingWrites());
    this.groupId = groupIdOf(config.clusterName());
    this.selfId = RaftPeerId.valueOf(config.nodeId());
    this.peers = Peers.parse(config.clusterPeers(), config.nodeId(), config.raftHost(),
        config.raftPort() == 0 ? freePort(config.raftHost()) : config.raftPort(), config.httpPort());
    this.stateMachine = new AionStateMachine(store, kv, clock, tracing);
    stateMachine.proposerId(proposerId);
    stateMachine.onLeaderNews(leaderNews::arrived);
    List<RaftPeer> raftPeers = peers.stream().map(Peers.Peer::toRaftPeer).toList();
    this.raftPeers = raftPeers;
    this.peerHttp = peerHttpClient(tls);
    this.peerScheme = tls != null ? "https://" : "http://";
    RaftGroup initial;
    DataGuard.Decision guard = null;
    if (java.nio.file.Files.exists(config.raftDir().resolve(groupId.getUuid().toString()))) {
      initial = config.formsCluster() ? RaftGroup.valueOf(groupId, initialPeers()) : RaftGroup.valueOf(groupId);
      dataState = DataGuard.State.PRESENT;
    } else {
      guard = DataGuard.decide(config.nodeId(), config.formsCluster(), askPeers());
      dataState = guard.state();
      dataReason = guard.reason();
      initial = group(guard.action());
      logGuard(guard);
    }
    RaftProperties props = serverProperties();
    org.apache.ratis.conf.Parameters parameters = new org.apache.ratis.conf.Parameters();
    if (tls != null) {
      GrpcConfigKeys.TLS.setConf(parameters,
          new org.apache.ratis.grpc.GrpcTlsConfig(tls.keyManager(), "uri".equals(config.tlsPeerIdentity())
              ? new io.aiondb.server.security.PeerTrustManager(tls.trustManager()) : tls.trustManager(), true));
    }
    stateMachine.snapshotEvery(config.snapshotLogBytes(), this::askSnapshot);
    server = RaftServer.newBuilder()
        .setParameters(parameters)
        .setServerId(selfId)
        .setGroup(initial)
        .setProperties(props)
        .setStateMachine(stateMachine)
        .setOption(RaftStorage.StartupOption.RECOVER)
        .build();
    server.start();
    RaftProperties clientProps = new RaftProperties();
    RaftConfigKeys.Rpc.setType(clientProps, transport());
    RaftClientConfigKeys.Rpc.setRequestTimeout(clientProps, TimeDuration.valueOf(3, TimeUnit.SECONDS));
    long attempts = Math.max(10, config.requestTimeout().toMillis() / 100);
    client = newClient(clientProps, parameters, raftPeers, attempts);
    readClient = RaftClient.newBuilder().setProperties(clientProps).setParameters(parameters)
        .setRaftGroup(RaftGroup.valueOf(groupId, raftPeers)).setRetryPolicy(RetryPolicies.noRetry()).build();
    adminClient = RaftClient.newBuilder().setProperties(clientProps).setParameters(parameters)
        .setRaftGroup(RaftGroup.valueOf(groupId, raftPeers)).setRetryPolicy(adminRetryPolicy()).build();
    forwardClient = RaftClient.newBuilder().setClientId(proposerId).setProperties(clientProps).setParameters(parameters)
        .setRaftGroup(RaftGroup.valueOf(groupId, raftPeers)).setRetryPolicy(RetryPolicies.noRetry()).build();
    AionConfig.Batching batching = config.batching();
    // a forwarding node keeps one proposal in flight: the leader appends them in the order they arrive
    batcher = new CommandBatcher("aion-proposer", this::sendProposal, writers, batching.maxCommands(),
        batching.maxBytes(), () -> isLeader() ? batching.maxInFlight() : 1);
    LOG.info("raft member {} of group {} ({}) started on {}:{} over {}; peers {}", selfId, config.clusterName(), groupId,
        config.raftHost(), config.raftPort(), config.raftTransport(), peers);
    if (guard != null && guard.action() == DataGuard.Action.WAIT) {
      Thread.ofVirtual().name("aion-data-guard").start(this::guardUntilSafe);
    }
    Thread.ofVirtual().name("aion-division-watch").start(this::restartClosedDivision);
  }

  /**
   * Ratis closes this node's division when the node finds itself in no configuration as it starts an election: a
   * member removed from the group, or one being promoted (it leaves as a learner, then joins as a voter) that did not
   * hear the second configuration in time (seen under load in RolloutIT: the new voter then stayed down until its
   * pod was restarted, while the leader counted it as a voter). Every 2 s: a closed division is removed from the
   * server (keeping its directory) and started again from its storage, so that the leader can reach it (a voter
   * catches up, a removed member waits to be added again). Its storage is never wiped.
   */
  private void restartClosedDivision() {
    while (accepting) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
      DataGuard.State s = dataState;
      if (!accepting || s == DataGuard.State.EMPTY_REFUSED_VOTER || s == DataGuard.State.EMPTY_AWAITING_PEERS) continue;
      try {
        if (server.getDivision(groupId).getInfo().getLifeCycleState() != org.apache.ratis.util.LifeCycle.State.CLOSED) {
          continue;
        }
      } catch (IOException e) {
        continue; // not started here (yet)
      }
      try {
        var remove = org.apache.ratis.protocol.GroupManagementRequest.newRemove(
            org.apache.ratis.protocol.ClientId.randomId(), selfId, 0, groupId, false, false);
        RaftClientReply removed = server.groupManagement(remove);
        if (!removed.isSuccess()) {
          throw removed.getException() != null ? removed.getException() : new IOException("remove refused");
        }
        var add = org.apache.ratis.protocol.GroupManagementRequest.newAdd(org.apache.ratis.protocol.ClientId.randomId(),
            selfId, 0, RaftGroup.valueOf(groupId), false);
        RaftClientReply r = server.groupManagement(add);
        if (!r.isSuccess()) throw r.getException() != null ? r.getException() : new IOException("refused");
        LOG.warn("raft member {}: Ratis had closed this node's division of group {} (it found itself in no"
            + " configuration); started it again from its storage, waiting for the leader", selfId, groupId);
      } catch (IOException | RuntimeException e) {
        if (accepting) LOG.warn("restarting the closed division of group {} failed; retrying: {}", groupId, e.toString());
      }
    }
  }

  // ------------------------------------------------------------------ empty data directory (DataGuard)

  private final List<RaftPeer> raftPeers;
  private final java.net.http.HttpClient peerHttp;
  private final String peerScheme;
  private volatile DataGuard.State dataState;
  private volatile String dataReason;

  /** The Raft configuration this node starts with: cluster.peers, none (a joiner), or no group at all (waiting). */
  private RaftGroup group(DataGuard.Action action) {
    return switch (action) {
      case BOOTSTRAP -> RaftGroup.valueOf(groupId, initialPeers());
      case JOIN -> RaftGroup.valueOf(groupId);
      case WAIT -> RaftGroup.emptyGroup();
    };
  }

  /** The members that form the cluster at its first start: cluster.initial-members, or all of cluster.peers. */
  private List<RaftPeer> initialPeers() {
    if (config.initialMembers().isEmpty()) return raftPeers;
    return raftPeers.stream().filter(p -> config.initialMembers().contains(p.getId().toString())).toList();
  }

  private void logGuard(DataGuard.Decision d) {
    String msg = "data.dir " + config.dataDir().toAbsolutePath() + " has no Raft storage for group " + groupId.getUuid()
        + " (dataState " + d.state() + "): " + d.reason();
    if (d.state() == DataGuard.State.EMPTY_REFUSED_VOTER) LOG.error(msg);
    else if (d.action() == DataGuard.Action.WAIT) LOG.warn(msg);
    else LOG.info(msg);
  }

  /** While Raft is not started: asks the members again every 2 s, and starts it once the answer allows. */
  private void guardUntilSafe() {
    DataGuard.State last = dataState;
    while (accepting) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
      if (!accepting) return;
      DataGuard.Decision d = DataGuard.decide(config.nodeId(), config.formsCluster(), askPeers());
      if (d.state() != last) logGuard(d);
      last = d.state();
      dataReason = d.reason();
      if (d.action() == DataGuard.Action.WAIT) {
        dataState = d.state();
        continue;
      }
      try {
        var add = org.apache.ratis.protocol.GroupManagementRequest.newAdd(org.apache.ratis.protocol.ClientId.randomId(),
            selfId, 0, group(d.action()));
        RaftClientReply r = server.groupManagement(add);
        if (!r.isSuccess()) throw r.getException() != null ? r.getException() : new IOException("refused");
        dataState = d.state();
        LOG.info("raft member {} started in group {} ({})", selfId, groupId, d.state());
        return;
      } catch (IOException | RuntimeException e) {
        LOG.warn("starting raft in group {} failed; retrying: {}", groupId, e.toString());
      }
    }
  }

  /** {@code /v1/status}'s {@code dataState}: {@link DataGuard.State}, with {@code joined} once a joiner is a member. */
  public String dataState() {
    DataGuard.State s = dataState;
    if (s == DataGuard.State.EMPTY_AWAITING_JOIN) {
      try {
        var conf = server.getDivision(groupId).getRaftConf();
        if (conf.getPeer(selfId, org.apache.ratis.proto.RaftProtos.RaftPeerRole.FOLLOWER,
            org.apache.ratis.proto.RaftProtos.RaftPeerRole.LISTENER) != null) {
          return DataGuard.State.JOINED.toString();
        }
      } catch (IOException e) {
        // not started in the group yet
      }
    }
    return s.toString();
  }

  /** Why the node is in its {@link #dataState()} (null when its data was present). */
  public String dataStateReason() {
    return dataState == DataGuard.State.PRESENT ? null : dataReason;
  }

  private static java.net.http.HttpClient peerHttpClient(io.aiondb.server.security.TlsMaterial tls) {
    var b = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(1));
    if (tls != null) b.sslContext(tls.clientContext());
    return b.build();
  }

  /** Every other member of cluster.peers that answers {@code GET /v1/cluster/members} within 1 s (asked at once). */
  private List<DataGuard.PeerView> askPeers() {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    List<java.util.Map.Entry<String, CompletableFuture<java.net.http.HttpResponse<byte[]>>>> asked = new java.util.ArrayList<>();
    for (Peers.Peer p : peers) {
      if (p.id().equals(config.nodeId())) continue;
      var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(peerScheme + p.httpAddress() + "/v1/cluster/members"))
          .timeout(java.time.Duration.ofSeconds(1)).GET().build();
      asked.add(java.util.Map.entry(p.id(), peerHttp.sendAsync(req, java.net.http.HttpResponse.BodyHandlers.ofByteArray())));
    }
    List<DataGuard.PeerView> out = new java.util.ArrayList<>();
    for (var a : asked) {
      try {
        var resp = a.getValue().get(3, TimeUnit.SECONDS);
        if (resp.statusCode() != 200) continue;
        java.util.Map<String, DataGuard.Seen> members = new java.util.HashMap<>();
        for (var m : json.readTree(resp.body()).path("members")) {
          members.put(m.path("id").asText(), new DataGuard.Seen(m.path("voting").asBoolean(), m.path("commitIndex").asLong(-1)));
        }
        out.add(new DataGuard.PeerView(a.getKey(), members));
      } catch (Exception e) {
        // unreachable, not answering, or not an answer: this member does not count
        if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      }
    }
    return out;
  }

  private static int freePort(String host) throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
      return s.getLocalPort();
    }
  }

  private RaftClient newClient(RaftProperties clientProps, org.apache.ratis.conf.Parameters parameters,
      List<RaftPeer> raftPeers, long attempts) {
    return RaftClient.newBuilder()
        .setProperties(clientProps)
        .setParameters(parameters)
        .setRaftGroup(RaftGroup.valueOf(groupId, raftPeers))
        .setRetryPolicy(retryPolicy(attempts))
        .build();
  }

  /**
   * The policy of {@link #client()}, which no longer carries this node's writes (proposals go through
   * {@link #sendProposal}, which follows the same rule with its own call ids); it serves admin calls (leadership
   * transfer) and any write sent through it. Writes are resent (to the leader, same call id: its retry cache deduplicates) every 100 ms until
   * {@code request.timeout} has passed since the write was first sent, then fail: a write the caller was told timed
   * out (outcome unknown) is not resent after that, so it cannot land minutes later behind the caller's next write.
   * (A count of attempts, as before, let one write retry for up to ~15 minutes when each attempt waited out the 3 s
   * RPC timeout.) Other requests (admin calls) keep a bounded number of attempts.
   */
  private org.apache.ratis.retry.RetryPolicy retryPolicy(long attempts) {
    var fixed = RetryPolicies.retryUpToMaximumCountWithFixedSleep((int) attempts, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS));
    var b = org.apache.ratis.client.retry.RequestTypeDependentRetryPolicy.newBuilder();
    var write = org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase.WRITE;
    for (var type : org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase.values()) {
      if (type != write) b.setRetryPolicy(type, fixed);
    }
    b.setRetryPolicy(write, RetryPolicies.retryForeverWithSleep(TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)));
    b.setTimeout(write, TimeDuration.valueOf(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS));
    return b.build();
  }

  public static RaftGroupId groupIdOf(String clusterName) {
    return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("aion/" + clusterName).getBytes(StandardCharsets.UTF_8)));
  }

  private SupportedRpcType transport() {
    return "grpc".equals(config.raftTransport()) ? SupportedRpcType.GRPC : SupportedRpcType.NETTY;
  }

  private RaftProperties serverProperties() {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(config.raftDir().toFile()));
    RaftConfigKeys.Rpc.setType(p, transport());
    if (transport() == SupportedRpcType.GRPC) {
      GrpcConfigKeys.Server.setHost(p, config.raftHost());
      GrpcConfigKeys.Server.setPort(p, selfPort());
    } else {
      NettyConfigKeys.Server.setHost(p, config.raftHost());
      NettyConfigKeys.Server.setPort(p, selfPort());
    }
    long min = config.electionTimeout().toMillis();
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(min, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * min, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, config.leaderLease());
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotInterval());
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    // purge behind every snapshot: snapshots are rare (raft.snapshot-interval entries or raft.snapshot-log-size
    // bytes), and a gap in entries would keep gigabytes of large batch entries after a snapshot by size
    RaftServerConfigKeys.Log.setPurgeGap(p, 1);
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, !config.sync());
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(config.segmentBytes()));
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
    // Every setting that differs from Ratis's default is there for a measured or stated reason: see the table in
    // docs/design/replication.md ("Ratis settings"). Settings without an effect there were left at the default.
    // An entry holds up to 4 MiB of keys and values: with the default 4 MiB limit such a write is rejected ("Log entry
    // size ... exceeds the max buffer limit"); Ratis requires the log write buffer to be at least this limit + 8.
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf("8MB"));
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf("16MB"));
    // Off: after every commit Ratis would append (write, fsync, replicate) a log-metadata entry, which a one-client
    // write waited for (~1 ms of ~4.5 on three nodes, docs/design/replication.md). Its one use here, carrying each
    // commit index to the followers at once, is done by a heartbeat the leader sends as it applies an entry and
    // when a follower asks for a read index (AionStateMachine, LeaderHeartbeats).
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    catchUpSettings(p);
    // raft.grpc.message.size.max stays at Ratis's 64 MiB: a snapshot is sent in 16 MiB chunks, and a 16 MiB limit
    // (set here before) made every install of a snapshot holding a file over 16 MiB fail with RESOURCE_EXHAUSTED.
    // raft.server.write.byte-limit and raft.server.sleep.deviation.threshold are back at their defaults, by measurement.
    ratisOverrides(p);
    return p;
  }

  /**
   * Two settings that decide whether a follower back from a restart catches up at all (issue 13: a rolling upgrade
   * waited on such a member for 6 minutes in CI; reproduced with {@code bin/bench-rejoin}, docs/design/replication.md
   * "Ratis settings"):
   * <ul>
   *   <li>{@code raft.server.log.append-entries.compose.enabled=false}. With Ratis 3.3.0's default (true) a follower
   *       that receives an append whose first index equals that of an append still being written answers it once the
   *       earlier one is written, as a success up to the new append's last index, though the entries past the earlier
   *       one's end were never written ({@code ServerImplUtils.NavigableIndices.append}, pinned by
   *       {@code org.apache.ratis.server.impl.ComposedAppendAcknowledgesUnwrittenEntriesTest}). A leader resends
   *       overlapping appends exactly while a returning follower catches up. The leader then holds a match index past
   *       the follower's log, sends nothing but appends whose previous entry the follower lacks, and never backs off
   *       below that match index: the member never catches up (seen: 4+ minutes, until killed). The leader also
   *       counts that match index toward the commit quorum, so an entry only the leader wrote could be committed and
   *       acknowledged, and lost if the leader then failed. Off, each append is
   *       written to the log (or found there) before it is acknowledged: Ratis's path without composing.</li>
   *   <li>The appender's retry policy ({@link #APPENDER_RETRY_POLICY}): Ratis's default ("1ms,10, 1s,20, 5s,1000")
   *       pauses 5 s after every failed append once 30 failed in a row; a follower away for 20 s has ~40 by the time it
   *       is back, and the inconsistency replies that line up its log count as failures too, so each resync round cost
   *       5 s (RolloutIT: 10 s without an append to a member that was up). Capped at 500 ms, a dead follower costs the
   *       leader two connection attempts a second.</li>
   * </ul>
   */
  static void catchUpSettings(RaftProperties p) {
    RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(p, false);
    RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, APPENDER_RETRY_POLICY);
  }

  /**
   * For measurements only: JVM system properties named like Ratis server keys ({@code -Draft.server.…},
   * {@code -Draft.grpc.…}, {@code -Draft.netty.…}) override the settings above, so a setting can be A/B-tested
   * without a rebuild (docs/design/replication.md lists what was measured this way).
   */
  private static void ratisOverrides(RaftProperties p) {
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith("raft.server.") || key.startsWith("raft.grpc.") || key.startsWith("raft.netty.")) {
        String value = System.getProperty(key);
        LOG.warn("Ratis setting overridden by a system property: {}={}", key, value);
        p.set(key, value);
      }
    }
  }

  /** The port to bind: this node's entry in cluster.peers, or raft.port. */
  private int selfPort() {
    return peers.stream().filter(p -> p.id().equals(config.nodeId())).map(Peers.Peer::raftPort).findFirst()
        .orElse(config.raftPort());
  }

  /** The configured peers (addresses as given in cluster.peers). */
  public List<Peers.Peer> peers() {
    return peers;
  }

  /** Every peer id this node knows of: the configured ones, itself, and the group's members and learners now. */
  public java.util.Set<String> knownPeerIds() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    peers.forEach(p -> ids.add(p.id()));
    ids.add(selfId.toString());
    try {
      var conf = server.getDivision(groupId).getRaftConf();
      for (var role : List.of(org.apache.ratis.proto.RaftProtos.RaftPeerRole.FOLLOWER,
          org.apache.ratis.proto.RaftProtos.RaftPeerRole.LISTENER)) {
        conf.getAllPeers(role).forEach(p -> ids.add(p.getId().toString()));
      }
    } catch (IOException e) {
      // not started in the group yet: the configured peers
    }
    return ids;
  }

  private final java.util.concurrent.atomic.AtomicLong snapshotCalls = new java.util.concurrent.atomic.AtomicLong();

  /** Asks this member's Ratis server for a snapshot now (raft.snapshot-log-size). */
  private java.util.concurrent.CompletableFuture<?> askSnapshot() {
    try {
      // creation gap 1: Ratis's default (1,024 entries) would refuse a snapshot after fewer, large entries
      return server.snapshotManagementAsync(org.apache.ratis.protocol.SnapshotManagementRequest.newCreate(
          org.apache.ratis.protocol.ClientId.randomId(), selfId, groupId, snapshotCalls.incrementAndGet(), 120_000, 1));
    } catch (RuntimeException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
  }

  public RaftServer server() {
    return server;
  }

  public RaftClient client() {
    return client;
  }

  /**
   * Membership changes: resent every 100 ms (following the leader, as writes are) until {@code request.timeout}
   * since the first attempt, but never after the leader refused the change itself ({@code SetConfigurationException},
   * e.g. NOPROGRESS: a new member that does not answer) — that answer is final and reported at once.
   */
  private org.apache.ratis.retry.RetryPolicy adminRetryPolicy() {
    var everyTenth = RetryPolicies.retryForeverWithSleep(TimeDuration.valueOf(100, TimeUnit.MILLISECONDS));
    var perException = org.apache.ratis.retry.ExceptionDependentRetry.newBuilder()
        .setDefaultPolicy(everyTenth)
        .setExceptionToPolicy(org.apache.ratis.protocol.exceptions.SetConfigurationException.class, RetryPolicies.noRetry())
        .setMaxAttempts(Integer.MAX_VALUE)
        .build();
    var b = org.apache.ratis.client.retry.RequestTypeDependentRetryPolicy.newBuilder();
    for (var type : org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase.values()) {
      b.setRetryPolicy(type, perException);
      b.setTimeout(type, TimeDuration.valueOf(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS));
    }
    return b.build();
  }

  /** The client for membership changes (see {@link #adminRetryPolicy()}): bounded by request.timeout. */
  public RaftClient adminClient() {
    return adminClient;
  }

  public RaftGroupId groupId() {
    return groupId;
  }

  public RaftPeerId selfId() {
    return selfId;
  }

  public RaftServer.Division division() {
    try {
      return server.getDivision(groupId);
    } catch (IOException e) {
      String why = dataState == DataGuard.State.EMPTY_REFUSED_VOTER || dataState == DataGuard.State.EMPTY_AWAITING_PEERS
          ? "Raft is not started (dataState " + dataState + "): " + dataReason : e.getMessage();
      throw new AionException(ErrorCode.UNAVAILABLE, "this node is not (yet) a member of the cluster: " + why);
    }
  }

  public AionConfig config() {
    return config;
  }

  @Override
  public CompletableFuture<ApplyResult> propose(Command command) {
    if (!accepting) {
      return CompletableFuture.failedFuture(new AionException(ErrorCode.UNAVAILABLE, "the node is shutting down"));
    }
    byte[] bytes = CommandCodec.encode(command);
    AionException refused = admit(bytes.length);
    if (refused != null) return CompletableFuture.failedFuture(refused);
    // a span per traced command, from here to its result (docs/tracing.md); the batcher carries its context
    io.opentelemetry.context.Context parent = io.opentelemetry.context.Context.current();
    io.opentelemetry.api.trace.Span span = tracing.childOf(parent, "aion.propose",
        io.opentelemetry.api.trace.SpanKind.INTERNAL);
    if (span.isRecording()) {
      span.setAttribute(io.aiondb.server.trace.Tracing.COMMAND, command.getClass().getSimpleName());
      span.setAttribute(io.aiondb.server.trace.Tracing.BYTES, (long) bytes.length);
    }
    CompletableFuture<ApplyResult> result = batcher.submit(command, bytes, span.isRecording() ? parent.with(span) : parent);
    result.whenComplete((r, e) -> {
      pendingBytes.addAndGet(-bytes.length);
      pendingWrites.release();
      io.aiondb.server.trace.Tracing.end(span, e);
    });
    return result;
    // No wait for this node to apply the entry too: linearizable reads (the default) wait for the read index anyway,
    // and a stale read that must see the write passes minRevision. Waiting here cost a commit-index round to the
    // followers on every write (measured in docs/design/replication.md).
  }

  private boolean isLeader() {
    try {
      return server.getDivision(groupId).getInfo().isLeader();
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Sends one proposal (one command, or a batch: {@link CommandBatcher}) to the leader and completes with the reply's
   * bytes. On the leader it is submitted in process ({@code submitClientRequestAsync}: no RPC, appended to the log in
   * the order proposals are handed over); elsewhere it goes to the leader this node knows. A failure before the
   * deadline ({@code request.timeout}) is retried with the same call id (a new leader, a leader not ready yet, a lost
   * connection): the retry cache makes a resent proposal that already committed answer, not apply again. After the
   * deadline the outcome is unknown ({@code TIMEOUT}) if the proposal was ever sent, {@code UNAVAILABLE} if not.
   */
  private CompletableFuture<byte[]> sendProposal(byte[] proposal, List<io.opentelemetry.context.Context> traces) {
    Message message = Message.valueOf(org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWrap(proposal));
    CompletableFuture<byte[]> done = new CompletableFuture<>();
    io.opentelemetry.api.trace.Span span = proposalSpan(proposal, traces);
    org.apache.ratis.proto.RaftProtos.SpanContextProto carried = null;
    if (span.isRecording()) {
      // the leader continues the trace from the Raft client request (Ratis carries it over gRPC; not in the log)
      carried = org.apache.ratis.proto.RaftProtos.SpanContextProto.newBuilder()
          .putAllContext(io.aiondb.server.trace.Tracing.inject(io.opentelemetry.context.Context.root().with(span))).build();
      done.whenComplete((r, e) -> io.aiondb.server.trace.Tracing.end(span, e));
    }
    attempt(message, proposalCallIds.incrementAndGet(), System.nanoTime() + config.requestTimeout().toNanos(), 0,
        false, done, carried);
    return done;
  }

  /**
   * The span of one proposal (a Raft entry's worth of commands): child of the first traced command's span, linked to
   * the others' (a batch serves several traces), or the no-op span when none of its commands is traced.
   */
  private io.opentelemetry.api.trace.Span proposalSpan(byte[] proposal, List<io.opentelemetry.context.Context> traces) {
    io.opentelemetry.context.Context parent = null;
    List<io.opentelemetry.api.trace.SpanContext> links = new ArrayList<>();
    for (io.opentelemetry.context.Context t : traces) {
      io.opentelemetry.api.trace.SpanContext sc = io.opentelemetry.api.trace.Span.fromContext(t).getSpanContext();
      if (!sc.isSampled()) continue;
      if (parent == null) parent = t; else links.add(sc);
    }
    if (parent == null || !tracing.enabled()) return io.opentelemetry.api.trace.Span.getInvalid();
    var b = tracing.tracer().spanBuilder("aion.raft.proposal").setParent(parent)
        .setSpanKind(io.opentelemetry.api.trace.SpanKind.CLIENT)
        .setAttribute(io.aiondb.server.trace.Tracing.COMMANDS, (long) traces.size())
        .setAttribute(io.aiondb.server.trace.Tracing.BYTES, (long) proposal.length);
    for (var l : links) b.addLink(l);
    return b.startSpan();
  }

  private void attempt(Message message, long callId, long deadline, int attempt, boolean sentBefore,
      CompletableFuture<byte[]> done, org.apache.ratis.proto.RaftProtos.SpanContextProto trace) {
    long news = leaderNews.generation();
    RaftPeer leader = null;
    boolean local = false;
    try {
      RaftServer.Division d = server.getDivision(groupId);
      local = d.getInfo().isLeader();
      RaftPeerId id = d.getInfo().getLeaderId();
      if (!local && id != null && !id.equals(selfId)) leader = d.getRaftConf().getPeer(id);
    } catch (IOException e) {
      // not (yet) a member of the group: no leader known here
    }
    CompletableFuture<RaftClientReply> reply;
    boolean sent = sentBefore;
    if (local) {
      sent = true;
      try {
        reply = server.submitClientRequestAsync(writeRequest(selfId, message, callId, trace));
      } catch (IOException e) {
        reply = CompletableFuture.failedFuture(e);
      }
    } else if (leader != null) {
      sent = true;
      RaftPeer to = leader;
      reply = CompletableFuture.supplyAsync(() -> {
        try {
          forwardClient.getClientRpc().addRaftPeers(List.of(to)); // a no-op once known
          return forwardClient.getClientRpc().sendRequest(writeRequest(to.getId(), message, callId, trace));
        } catch (IOException e) {
          throw new CompletionException(e);
        }
      }, writers);
    } else {
      reply = CompletableFuture.failedFuture(new org.apache.ratis.protocol.exceptions.LeaderNotReadyException(
          org.apache.ratis.protocol.RaftGroupMemberId.valueOf(selfId, groupId)));
    }
    boolean wasSent = sent;
    long remaining = Math.max(1, deadline - System.nanoTime());
    // a copy: the timeout must not complete the future Ratis keeps for the pending request
    reply.copy().orTimeout(remaining, TimeUnit.NANOSECONDS).whenComplete((r, err) -> {
      Throwable failure = err != null ? (err instanceof CompletionException && err.getCause() != null ? err.getCause() : err)
          : r.isSuccess() ? null : r.getException();
      if (failure == null) {
        done.complete(r.getMessage().getContent().toByteArray());
        return;
      }
      if (failure instanceof StateMachineException) { // refused before the log (a malformed proposal): nothing written
        done.completeExceptionally(map(failure));
        return;
      }
      if (!accepting || System.nanoTime() >= deadline) {
        done.completeExceptionally(!wasSent ? map(failure)
            : failure instanceof java.util.concurrent.TimeoutException ? new AionException(ErrorCode.TIMEOUT,
                "the write was sent but not confirmed within request.timeout; its outcome is unknown: read the key "
                    + "before retrying a non-idempotent write")
            : mapWrite(failure));
        return;
      }
      // A refusal naming another leader is retried at once, but only on the first attempt: the next attempt goes to
      // the leader this node knows, which may still be the one that refused, and retrying that without a pause spun
      // until this node heard of the new leader.
      long backoff = attempt == 0 && failure instanceof org.apache.ratis.protocol.exceptions.NotLeaderException nle
          && nle.getSuggestedLeader() != null ? 0 : Math.min(100, 5L << Math.min(attempt, 5));
      // after the backoff, or at once when a leader becomes known or ready (then the backoff starts over)
      leaderNews.retry(news, backoff, byNews -> attempt(message, callId, deadline, byNews ? 0 : attempt + 1, wasSent, done,
          trace),
          () -> done.completeExceptionally(wasSent ? mapWrite(failure) : map(failure))); // shut down meanwhile
    });
  }

  /** A linearizable read-only request to this node's own server (see {@link #readIndex}). */
  private org.apache.ratis.protocol.RaftClientRequest readRequest() {
    return org.apache.ratis.protocol.RaftClientRequest.newBuilder()
        .setClientId(readerId)
        .setServerId(selfId)
        .setGroupId(groupId)
        .setCallId(readCallIds.incrementAndGet())
        .setMessage(Message.EMPTY)
        .setType(org.apache.ratis.protocol.RaftClientRequest.readRequestType())
        .build();
  }

  private org.apache.ratis.protocol.RaftClientRequest writeRequest(RaftPeerId to, Message message, long callId,
      org.apache.ratis.proto.RaftProtos.SpanContextProto trace) {
    var b = org.apache.ratis.protocol.RaftClientRequest.newBuilder()
        .setClientId(proposerId)
        .setServerId(to)
        .setGroupId(groupId)
        .setCallId(callId)
        .setMessage(message)
        .setType(org.apache.ratis.protocol.RaftClientRequest.writeRequestType());
    if (trace != null) b.setSpanContext(trace);
    return b.build();
  }

  public AionStateMachine stateMachine() {
    return stateMachine;
  }

  /** Proposals this node sent since start and the commands in them (their ratio: commands per Raft entry). */
  public long[] proposalCounts() {
    return new long[] {batcher.proposals(), batcher.commands()};
  }

  /**
   * Admission: at most {@code admission.max-pending-writes} writes and {@code admission.max-pending-bytes} of their
   * commands wait for the log on this node at once (a single write larger than the byte bound is still admitted when
   * nothing else waits). Beyond that a write is refused at once with {@code OVERLOADED} (503, Retry-After): nothing
   * was written, the client may retry. Null when admitted.
   */
  private AionException admit(long size) {
    if (!pendingWrites.tryAcquire()) {
      return new AionException(ErrorCode.OVERLOADED, "this node has " + config.admissionMaxPendingWrites()
          + " writes waiting for the log (admission.max-pending-writes); nothing was written: retry shortly");
    }
    long after = pendingBytes.addAndGet(size);
    if (after > config.admissionMaxPendingBytes() && after != size) {
      pendingBytes.addAndGet(-size);
      pendingWrites.release();
      return new AionException(ErrorCode.OVERLOADED, "this node has " + (after - size) + " bytes of writes waiting for "
          + "the log (admission.max-pending-bytes " + config.admissionMaxPendingBytes() + "); nothing was written: retry shortly");
    }
    return null;
  }

  /** Bytes of the commands of {@link #pendingWrites()}. */
  public long pendingWriteBytes() {
    return pendingBytes.get();
  }

  /** Currently admitted writes not yet answered (for metrics and tests). */
  public int pendingWrites() {
    return config.admissionMaxPendingWrites() - pendingWrites.availablePermits();
  }

  /**
   * Completes when a read on this node may start: for LINEARIZABLE, once the local state machine has applied the
   * cluster's read index; for STALE at once. {@code minRevision} (0 for none) additionally waits for that revision.
   */
  @Override
  public CompletableFuture<Void> readBarrier(ReadConsistency consistency, long minRevision) {
    CompletableFuture<Void> base = consistency == ReadConsistency.STALE
        ? CompletableFuture.completedFuture(null)
        : readIndexes.readIndex().thenCompose(index -> stateMachine.awaitApplied(index, config.requestTimeout()));
    return minRevision > 0 ? base.thenCompose(v -> store.awaitRevision(minRevision, config.requestTimeout())) : base;
  }

  /**
   * The cluster's read index as seen through this node. While no leader is known (an election, a partition) it
   * retries with backoff until the deadline: a linearizable read waits or fails, it is never answered stale.
   */
  private CompletableFuture<Long> readIndex(long deadlineNanos, int attempt) {
    long news = leaderNews.generation();
    CompletableFuture<Object> asked;
    if (isLeader()) {
      // in process, as writes are: no loopback RPC and no thread hand-off. The leader confirms its leadership (the
      // lease, or a ReadIndex heartbeat round), waits until it has applied the read index and answers its last data
      // entry's index. A leader that lost its leadership meanwhile refuses (NotLeaderException): retried below.
      CompletableFuture<RaftClientReply> reply;
      try {
        reply = server.submitClientRequestAsync(readRequest());
      } catch (IOException e) {
        reply = CompletableFuture.failedFuture(e);
      }
      long remaining = Math.max(1, deadlineNanos - System.nanoTime());
      asked = reply.copy().orTimeout(remaining, TimeUnit.NANOSECONDS)
          .thenApply(r -> r.isSuccess() ? r : (Object) r.getException());
    } else {
      asked = CompletableFuture.supplyAsync(() -> {
        try {
          // to the leader, which answers as above; this node then waits until it has applied that far. Works on
          // every transport (Ratis's Netty server does not serve follower ReadIndex requests).
          RaftClientReply reply = sendReadOnlyToLeader();
          return reply.isSuccess() ? reply : (Object) reply.getException();
        } catch (IOException e) {
          return e;
        }
      }, writers);
    }
    return asked.handle((res, err) -> {
      Throwable failure = err instanceof CompletionException && err.getCause() != null ? err.getCause()
          : err != null ? err : res instanceof Throwable t ? t : null;
      if (failure == null) {
        RaftClientReply reply = (RaftClientReply) res;
        return CompletableFuture.completedFuture(ByteBuffer.wrap(reply.getMessage().getContent().toByteArray()).getLong());
      }
      if (System.nanoTime() >= deadlineNanos || !accepting) {
        return CompletableFuture.<Long>failedFuture(map(failure));
      }
      long backoff = Math.min(500, 20L << Math.min(attempt, 5));
      CompletableFuture<Long> next = new CompletableFuture<>();
      // after the backoff, or at once when a leader becomes known or ready (then the backoff starts over)
      leaderNews.retry(news, backoff, byNews -> readIndex(deadlineNanos, byNews ? 0 : attempt + 1).whenComplete((index, e) -> {
        if (e != null) next.completeExceptionally(e);
        else next.complete(index);
      }), () -> next.completeExceptionally(map(failure)));
      return next;
    }).thenCompose(f -> f);
  }

  /**
   * A read-only request addressed to the leader this node knows. Left to the Ratis client's own choice, it went to
   * whichever member the client last took for the leader, which may be another follower: Ratis lets a follower
   * answer it (follower ReadIndex: it asks the leader for its commit index and waits until it has applied that
   * far), and since that succeeds the client never corrects its choice. That follower learned the commit index it
   * waited for only from the leader's next heartbeat, so such reads waited up to ~250 ms (measured,
   * docs/design/replication.md). Without a leader in view the client chooses. No Ratis-level retry: a failure goes
   * back to {@link #readIndex}, which retries with backoff against the leader known then.
   */
  private RaftClientReply sendReadOnlyToLeader() throws IOException {
    RaftPeer leader = null;
    try {
      RaftServer.Division d = server.getDivision(groupId);
      RaftPeerId id = d.getInfo().getLeaderId();
      if (id != null) leader = d.getRaftConf().getPeer(id);
    } catch (IOException e) {
      // not (yet) a member of the group: let the client choose
    }
    if (leader == null) return readClient.io().sendReadOnly(Message.EMPTY);
    readClient.getClientRpc().addRaftPeers(List.of(leader)); // a no-op once known; members added later are not
    // a follower names itself: the leader's appender then sends it the commit index at once (AionStateMachine.query)
    Message ask = leader.getId().equals(selfId) ? Message.EMPTY : Message.valueOf(selfId.toByteString());
    return readClient.io().sendReadOnly(ask, leader.getId());
  }

  /** The index of the last log entry this node applied (including configuration entries). */
  public long appliedIndex() {
    var ti = stateMachine.getLastAppliedTermIndex();
    return Math.max(ti == null ? 0 : ti.getIndex(), stateMachine.appliedIndexWatermark());
  }

  /** Waits up to {@code timeout} for this node to know a leader; false if none emerged (e.g. no quorum yet). */
  public boolean awaitLeader(java.time.Duration timeout) {
    try {
      stateMachine.leaderKnown().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      return ready();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return ready();
  }

  /**
   * A write that failed after it was sent may still have been appended to the log and be committed later (by this
   * leader once a majority answers, or kept by the next one): its outcome is unknown ({@code TIMEOUT}), never
   * {@code UNAVAILABLE}, which tells clients that nothing was done and that a retry is safe.
   */
  static Throwable mapWrite(Throwable t) {
    Throwable m = map(t);
    if (m instanceof AionException a && a.code() == ErrorCode.UNAVAILABLE) {
      return new AionException(ErrorCode.TIMEOUT, "the write was sent but not confirmed within request.timeout ("
          + a.getMessage() + "); its outcome is unknown: read the key before retrying a non-idempotent write");
    }
    return m;
  }

  static Throwable map(Throwable t) {
    Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (c instanceof AionException) return c;
    if (c instanceof StateMachineException sme && sme.getCause() != null
        && sme.getCause().getMessage() != null && sme.getCause().getMessage().startsWith("rejected command")) {
      return new AionException(ErrorCode.BAD_REQUEST, sme.getCause().getMessage());
    }
    if (c instanceof RaftException || c instanceof IOException) {
      return new AionException(ErrorCode.UNAVAILABLE, "no quorum reachable (" + c.getClass().getSimpleName() + ": "
          + c.getMessage() + "); the outcome of a write is unknown: read before retrying a non-idempotent write");
    }
    return c;
  }

  @Override
  public boolean ready() {
    if (!accepting) return false;
    try {
      RaftServer.Division d = server.getDivision(groupId);
      return d.getInfo().isAlive() && d.getInfo().getLeaderId() != null;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    accepting = false;
    batcher.close();
    if (!batcher.awaitIdle(config.shutdownGrace())) LOG.warn("writes still unanswered after shutdown.grace");
    writers.shutdown();
    try {
      writers.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      client.close();
      forwardClient.close();
      readClient.close();
      adminClient.close();
    } catch (IOException e) {
      LOG.warn("closing the raft client: {}", e.toString());
    }
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("closing the raft server: {}", e.toString());
    }
  }

  /** Reply check for admin calls. */
  static RaftClientReply check(RaftClientReply r) {
    if (!r.isSuccess()) {
      Throwable t = map(r.getException());
      throw t instanceof RuntimeException re ? re : new AionException(ErrorCode.UNAVAILABLE, String.valueOf(t));
    }
    return r;
  }
}
