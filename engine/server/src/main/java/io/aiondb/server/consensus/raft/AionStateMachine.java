package io.aiondb.server.consensus.raft;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.state.Command;
import java.util.ArrayList;
import java.util.List;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.CommandCodec;
import io.aiondb.server.state.EntryApplier;
import io.aiondb.server.state.Values;
import io.aiondb.server.state.KvStateMachine;
import io.aiondb.server.state.LogEntry;
import io.aiondb.server.storage.RocksStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis adapter around {@link KvStateMachine}.
 *
 * <ul>
 *   <li><b>Leader, before the log</b> ({@link #startTransaction}): decodes (so validates) the proposed command and
 *       stamps it with the commit time. Nothing non-deterministic happens after this point.</li>
 *   <li><b>Apply</b> ({@link #applyTransaction}): one RocksDB batch per entry, recording the entry's index and term
 *       atomically with its effects. Entries at or below the stored applied index are skipped, so replaying the log
 *       after a crash applies each entry exactly once.</li>
 *   <li><b>Snapshots</b> ({@link #takeSnapshot}): a RocksDB checkpoint (hard links) named by term and index; Ratis
 *       purges the log behind it and streams its files to followers that are too far behind
 *       ({@link #reinitialize} then restores RocksDB from the received checkpoint).</li>
 *   <li><b>Reads</b> ({@link #query}): answer the applied index; a linearizable read waits for the local node to
 *       reach the index the leader confirmed.</li>
 * </ul>
 */
public final class AionStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(AionStateMachine.class);

  private final RocksStore store;
  private final EntryApplier applier;
  private final Clock clock;
  private final SnapshotStore snapshots = new SnapshotStore();
  /** Every entry applied, including configuration and no-op entries that never touch RocksDB. */
  private final io.aiondb.server.storage.Watermark applied = new io.aiondb.server.storage.Watermark();
  /**
   * The index of the last entry applied through {@link #applyTransaction} (the last one that may have changed data),
   * or RocksDB's applied index after a start or a snapshot install: what {@link #query} answers.
   */
  private volatile long lastDataIndex;
  private long lastTimestamp;

  private final io.aiondb.server.trace.Tracing tracing;

  public AionStateMachine(RocksStore store, KvStateMachine kv, Clock clock) {
    this(store, kv, clock, io.aiondb.server.trace.Tracing.off());
  }

  /** @param tracing on the leader: spans for the replication and apply of traced proposals (docs/tracing.md) */
  public AionStateMachine(RocksStore store, KvStateMachine kv, Clock clock, io.aiondb.server.trace.Tracing tracing) {
    this.store = store;
    this.applier = new EntryApplier(store, kv::apply, tracing.tracer());
    this.clock = clock;
    this.tracing = tracing;
  }

  /**
   * What the leader keeps with an entry it appended, for its apply: the decoded entry and, for a traced proposal, the
   * span from the append to the apply (the proposal's context came in the Raft client request).
   */
  private record Proposed(EntryCodec.Entry entry, io.opentelemetry.api.trace.Span replicate) {}

  private io.opentelemetry.api.trace.Span replicateSpan(RaftClientRequest request) {
    if (!tracing.enabled() || request.getSpanContext() == null || request.getSpanContext().getContextCount() == 0) {
      return io.opentelemetry.api.trace.Span.getInvalid();
    }
    var carried = request.getSpanContext().getContextMap();
    io.opentelemetry.context.Context parent = tracing.extract(carried::get);
    // SERVER when another member forwarded the proposal, INTERNAL when this leader proposed it
    boolean remote = !request.getClientId().equals(localProposer);
    return tracing.childOf(parent, "aion.raft.replicate",
        remote ? io.opentelemetry.api.trace.SpanKind.SERVER : io.opentelemetry.api.trace.SpanKind.INTERNAL);
  }

  /** The client id this node proposes under ({@link RaftNode}), to tell its own proposals from forwarded ones. */
  private volatile org.apache.ratis.protocol.ClientId localProposer;

  void proposerId(org.apache.ratis.protocol.ClientId id) {
    this.localProposer = id;
  }

  @Override
  protected boolean updateLastAppliedTermIndex(long term, long index) {
    boolean changed = super.updateLastAppliedTermIndex(term, index);
    if (applied != null) applied.advance(index);
    return changed;
  }

  @Override
  protected void setLastAppliedTermIndex(TermIndex ti) {
    super.setLastAppliedTermIndex(ti);
    // null while the superclass constructs; never below what RocksDB holds (a snapshot install restored it first)
    if (ti != null && applied != null) applied.reset(Math.max(ti.getIndex(), store.appliedIndex()));
  }

  private final CompletableFuture<Void> leaderKnown = new CompletableFuture<>();

  private volatile Runnable leaderNews = () -> { };

  @Override
  public void notifyLeaderChanged(org.apache.ratis.protocol.RaftGroupMemberId member, org.apache.ratis.protocol.RaftPeerId leader) {
    if (leader != null) {
      leaderKnown.complete(null);
      leaderNews.run();
    }
  }

  @Override
  public void notifyLeaderReady() {
    leaderNews.run();
  }

  /** Called (on a Ratis thread: it must return at once) when a leader becomes known or this node's leadership ready. */
  void onLeaderNews(Runnable listener) {
    leaderNews = listener;
  }

  /** Completes the first time this node learns who leads. */
  public CompletableFuture<Void> leaderKnown() {
    return leaderKnown;
  }

  /** Completes once this node's state machine has applied the log up to {@code index}; fails after {@code timeout}. */
  public CompletableFuture<Void> awaitApplied(long index, java.time.Duration timeout) {
    return applied.await(index, timeout);
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    snapshots.init(raftStorage);
    SnapshotStore.Latest latest = snapshots.latest();
    if (latest != null && latest.termIndex().getIndex() > store.appliedIndex()) {
      LOG.info("local data (applied index {}) is behind snapshot {}: restoring from it", store.appliedIndex(), latest.termIndex());
      store.restoreFrom(latest.dir());
    }
    // A restarted node already holds everything up to RocksDB's applied index: reads may be served from it at once.
    // (Ratis re-applies the log only once it learns the commit index, which for a follower with nothing new to
    // append can take until the next write; linearizable reads on it must not wait for that.)
    applied.advance(store.appliedIndex());
    lastDataIndex = store.appliedIndex();
    if (getLifeCycleState() == LifeCycle.State.NEW) { // pause()/reinitialize() rely on a RUNNING life cycle
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
    // Ratis replays the log from the latest snapshot; entries RocksDB already holds are skipped in applyTransaction
    // (RocksDB records its applied index atomically with the data), so nothing is applied twice and the replay is
    // bounded by raft.snapshot-interval.
  }

  /** Before a snapshot from the leader is installed: stop applying (Ratis requires the PAUSED state). */
  @Override
  public void pause() {
    if (getLifeCycleState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  @Override
  public void reinitialize() throws IOException {
    SnapshotStore.Latest latest = snapshots.latest();
    if (latest == null) throw new IOException("reinitialize without a snapshot in " + snapshots.dir());
    LOG.info("installing snapshot {} received from the leader", latest.termIndex());
    store.restoreFrom(latest.dir());
    lastDataIndex = store.appliedIndex();
    setLastAppliedTermIndex(latest.termIndex());
    if (getLifeCycleState() == LifeCycle.State.PAUSED) getLifeCycle().transition(LifeCycle.State.STARTING);
    if (getLifeCycleState() == LifeCycle.State.STARTING) getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    byte[] message = request.getMessage().getContent().toByteArray();
    long ts;
    synchronized (this) {
      ts = Math.max(clock.millis(), lastTimestamp);
      lastTimestamp = ts;
    }
    byte[] logData;
    EntryCodec.Entry decoded;
    if (EntryCodec.isBatchProposal(message)) {
      List<byte[]> commands;
      try {
        commands = EntryCodec.decodeProposal(message);
      } catch (IllegalArgumentException e) {
        throw new IOException("rejected command: " + e.getMessage(), e);
      }
      // each command is validated alone: one that fails is recorded in the entry as refused, its neighbours go on
      List<Object> items = new ArrayList<>(commands.size());
      List<EntryApplier.Item> decodedItems = new ArrayList<>(commands.size());
      for (byte[] bytes : commands) {
        ApplyResult.Rejected refused;
        try {
          Command c = CommandCodec.decode(bytes);
          if (c.exclusive() && commands.size() > 1) {
            refused = new ApplyResult.Rejected(ErrorCode.BAD_REQUEST,
                "rejected command: " + c.getClass().getSimpleName() + " is applied alone, never in a batch");
          } else {
            Values.validate(c);
            items.add(bytes);
            decodedItems.add(EntryApplier.Item.of(c));
            continue;
          }
        } catch (AionException e) {
          refused = new ApplyResult.Rejected(e.code(), e.getMessage());
        } catch (IllegalArgumentException e) {
          refused = new ApplyResult.Rejected(ErrorCode.BAD_REQUEST, "rejected command: " + e.getMessage());
        }
        items.add(refused);
        decodedItems.add(new EntryApplier.Item(null, refused));
      }
      logData = EntryCodec.encodeBatch(ts, items);
      decoded = new EntryCodec.Entry(ts, decodedItems, true);
    } else {
      Command c;
      try {
        // validates (the command's shape, and the content of the values it writes): a bad command never reaches the
        // log, whichever node or client version sent it
        c = CommandCodec.decode(message);
        Values.validate(c);
      } catch (AionException | IllegalArgumentException e) {
        throw new IOException("rejected command: " + e.getMessage(), e);
      }
      logData = EntryCodec.encode(ts, message);
      decoded = new EntryCodec.Entry(ts, List.of(EntryApplier.Item.of(c)), false);
    }
    io.opentelemetry.api.trace.Span replicate = replicateSpan(request);
    if (replicate.isRecording()) {
      replicate.setAttribute(io.aiondb.server.trace.Tracing.COMMANDS, (long) decoded.items().size());
      replicate.setAttribute(io.aiondb.server.trace.Tracing.BYTES, (long) logData.length);
    }
    return TransactionContext.newBuilder()
        .setStateMachine(this)
        .setClientRequest(request)
        .setLogData(ByteString.copyFrom(store.atRest().sealEntry(logData))) // encryption at rest: sealed
        // the leader applies these without decoding the entry again
        .setStateMachineContext(replicate.isRecording() ? new Proposed(decoded, replicate) : decoded)
        .build();
  }

  /**
   * Log bytes applied since the last snapshot, and what to do when they pass {@code raft.snapshot-log-size}:
   * {@code raft.snapshot-interval} counts entries, and a log of large batch entries (bulk loads of 10,000 keys each)
   * would otherwise grow as large as the data before a snapshot lets it be purged.
   */
  private final java.util.concurrent.atomic.AtomicLong bytesSinceSnapshot = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicBoolean snapshotAsked = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile long snapshotLogBytes = Long.MAX_VALUE;
  private volatile java.util.function.Supplier<CompletableFuture<?>> askSnapshot;

  /** Asks for a snapshot (through {@code ask}, off the apply thread) whenever {@code bytes} of log were applied. */
  void snapshotEvery(long bytes, java.util.function.Supplier<CompletableFuture<?>> ask) {
    this.snapshotLogBytes = bytes;
    this.askSnapshot = ask;
  }

  private void countLogBytes(LogEntryProto entry) {
    if (bytesSinceSnapshot.addAndGet(entry.getSerializedSize()) < snapshotLogBytes || askSnapshot == null) return;
    if (!snapshotAsked.compareAndSet(false, true)) return;
    LOG.info("{} bytes of log applied since the last snapshot (raft.snapshot-log-size {}): taking one",
        bytesSinceSnapshot.get(), snapshotLogBytes);
    askSnapshot.get().whenComplete((r, e) -> {
      if (e != null) LOG.warn("snapshot by log size failed: {}", e.toString());
      snapshotAsked.set(false);
    });
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    long term = entry.getTerm();
    countLogBytes(entry);
    if (index <= store.appliedIndex()) { // replay of an entry already in RocksDB
      if (index > lastDataIndex) lastDataIndex = index;
      updateLastAppliedTermIndex(term, index);
      return CompletableFuture.completedFuture(Message.EMPTY);
    }
    // on the leader: the followers learn this commit within a few ms (by the next append, or else a heartbeat)
    commits.committed(index);
    try {
      // An entry this version cannot decode (a command kind from a newer version) stops this replica below, rather
      // than being skipped here while newer replicas apply it: a stopped replica can be upgraded, a diverged one not.
      Object known = trx.getStateMachineContext();
      io.opentelemetry.api.trace.Span apply = io.opentelemetry.api.trace.Span.getInvalid();
      if (known instanceof Proposed p) {
        // a traced proposal: its replication ends here (committed), its apply (and RocksDB write) begins
        p.replicate().setAttribute(io.aiondb.server.trace.Tracing.RAFT_INDEX, index);
        p.replicate().setAttribute(io.aiondb.server.trace.Tracing.RAFT_TERM, term);
        p.replicate().end();
        apply = tracing.childOf(io.opentelemetry.context.Context.root().with(p.replicate()), "aion.apply",
            io.opentelemetry.api.trace.SpanKind.INTERNAL);
        known = p.entry();
      }
      EntryCodec.Entry e = known instanceof EntryCodec.Entry k ? k
          : EntryCodec.decode(opened(entry.getStateMachineLogEntry().getLogData().toByteArray()));
      byte[] reply;
      try (io.opentelemetry.context.Scope ignored = apply.isRecording()
          ? io.opentelemetry.context.Context.root().with(apply).makeCurrent() : io.opentelemetry.context.Scope.noop()) {
        if (e.batch()) {
          List<ApplyResult> results = applier.applyAll(index, e.timestampMillis(), e.items(), term);
          batchedCommands.add(results.size());
          batchEntryCount.increment();
          reply = ApplyResultCodec.encodeAll(results);
        } else {
          reply = ApplyResultCodec.encode(applier.apply(new LogEntry(index, e.timestampMillis(), e.command()), term));
        }
        apply.end();
      } catch (RuntimeException ex) {
        io.aiondb.server.trace.Tracing.end(apply, ex);
        throw ex;
      }
      dataEntries.increment();
      lastDataIndex = index;
      updateLastAppliedTermIndex(term, index);
      return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply)));
    } catch (RuntimeException ex) { // storage failed or undecodable entry (see above and EntryApplier): stop applying
      LOG.error("applying entry {} (term {}) failed; this node stops applying", index, term, ex);
      return CompletableFuture.failedFuture(ex);
    }
  }

  /** A log entry's bytes, opened when the leader sealed them (encryption at rest). */
  private byte[] opened(byte[] data) {
    return io.aiondb.server.storage.AtRest.sealedEntry(data) ? store.atRest().openEntry(data) : data;
  }

  /** Data entries applied since start (batched or not): with {@link #batchedCommands()}, the commands per entry. */
  private final java.util.concurrent.atomic.LongAdder dataEntries = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder batchEntryCount = new java.util.concurrent.atomic.LongAdder();
  /** Commands applied from batch entries since start. */
  private final java.util.concurrent.atomic.LongAdder batchedCommands = new java.util.concurrent.atomic.LongAdder();

  public long dataEntriesApplied() {
    return dataEntries.sum();
  }

  /** Commands applied since start: single-command entries plus the commands of batch entries. */
  public long commandsApplied() {
    return dataEntries.sum() - batchEntries() + batchedCommands.sum();
  }

  private long batchEntries() {
    return batchEntryCount.sum();
  }

  /**
   * The index a linearizable read must wait for, as 8 bytes: the last entry that may have changed data. Ratis runs
   * this on the leader after it has applied the read index, so the state at the read index equals the state at this
   * index (later entries up to the read index are configuration or no-op entries); a node that has applied this far
   * may answer. A restarted follower whose data is current passes at once. Not RocksDB's applied index:
   * {@link #takeSnapshot} moves that to the snapshot index, which may be a configuration or no-op entry.
   *
   * <p>{@code request} holds the asking follower's peer id (UTF-8; empty when the leader asks itself): its appender
   * sends a heartbeat at once, carrying the commit index the follower must reach, so the follower does not wait for
   * the next append or periodic heartbeat (Ratis's master does the same for its own follower reads, RATIS-2392).
   */
  @Override
  public CompletableFuture<Message> query(Message request) {
    long index = lastDataIndex;
    if (!request.getContent().isEmpty()) commits.readIndexAsked(RaftPeerId.valueOf(request.getContent()), index);
    return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(index).array())));
  }

  private volatile RaftServer.Division division;

  /** This group's division of the local server, once Ratis has one (null before). */
  private RaftServer.Division division() {
    RaftServer.Division d = division;
    if (d != null) return d;
    try {
      RaftServer server = getServer().getNow(null);
      if (server == null) return null;
      d = server.getDivision(getGroupId());
      division = d;
      return d;
    } catch (IOException e) {
      return null;
    }
  }

  /** Tells the followers each commit index at once (Ratis's log-metadata entries are off: see CommitNotifier). */
  private final CommitNotifier commits = new CommitNotifier(this::division);

  /** The highest log index whose effects this node holds (RocksDB's applied index or the last entry applied). */
  public long appliedIndexWatermark() {
    return applied.get();
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() <= 0) return RaftLog_INVALID;
    Path dir = snapshots.dir().resolve(SnapshotStore.name(last));
    if (Files.exists(dir)) return last.getIndex();
    Files.createDirectories(snapshots.dir());
    Path tmp = snapshots.dir().resolve("tmp-" + last.getTerm() + "_" + last.getIndex());
    SnapshotStore.deleteTree(tmp);
    store.markApplied(last.getTerm(), last.getIndex()); // entries since the last data entry change no state
    long bytes = bytesSinceSnapshot.get();
    store.checkpoint(tmp);
    bytesSinceSnapshot.addAndGet(-bytes); // what was applied meanwhile counts toward the next one
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(snapshots.dir()); // the rename itself is durable only once its directory is (POSIX)
    snapshots.cleanupOldSnapshots(null);
    LOG.info("took snapshot {} ({})", last, dir);
    return last.getIndex();
  }

  private static final long RaftLog_INVALID = -1;

  /** fsync of a directory: makes the creates and renames in it durable (Linux allows opening one read-only). */
  static void syncDirectory(Path dir) throws IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
