package io.aiondb.server.protocol;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.Node;
import io.aiondb.server.Version;
import io.aiondb.server.json.Json;
import io.aiondb.server.json.QueryJson;
import io.aiondb.server.service.Caller;
import io.aiondb.server.service.KvService;
import io.aiondb.server.service.ReadGate;
import io.aiondb.server.service.ReadOptions;
import io.aiondb.server.storage.RocksStore;
import io.aiondb.server.config.ConnectionLimits;
import io.aiondb.server.consensus.ReadConsistency;
import io.aiondb.server.consensus.raft.ClusterAdmin;
import io.aiondb.server.protocol.ProtocolCodec.Request;
import io.aiondb.server.query.Query;
import io.aiondb.server.query.QueryParser;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.storage.Keys;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.VersionRecord;
import io.aiondb.server.watch.WatchEvent;
import io.aiondb.server.watch.WatchSink;
import io.aiondb.server.watch.Watcher;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: frames in (HELLO first), requests dispatched concurrently, answers written as they complete
 * (any order, matched by id). Limits (docs/limits.md):
 * <ul>
 *   <li>Memory: a {@link Budget} counts the bytes the connection holds (request payloads from their frame header
 *       until answered, answers until the socket wrote them); reading pauses while it is over
 *       protocol.max-connection-memory, while {@value #MAX_IN_FLIGHT} requests are in flight, or while the socket's
 *       write queue is full. A read reserves room for its largest possible answer before it runs, so a client that
 *       pipelines big reads and never reads answers holds at most the budget plus one answer.</li>
 *   <li>Frames out: no frame over {@link ProtocolCodec#MAX_FRAME}; an answer that would not fit is refused with
 *       {@code RESPONSE_TOO_LARGE} for that request and the connection keeps serving.</li>
 *   <li>Idle: no frame in and no answer out for protocol.idle-timeout, with nothing in flight and no watch (or with
 *       answers that the client does not read): an ERROR frame with id 0, then the connection closes.</li>
 *   <li>The event loop only splits frames and decodes layouts: JSON and text values over
 *       {@value KvService#INLINE_VALIDATION_BYTES} bytes and every query are parsed on a reader thread. Writes are still proposed
 *       in the order their frames arrived.</li>
 * </ul>
 */
final class Connection {
  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
  static final int MAX_IN_FLIGHT = 1024;
  /** Room a GET reserves before it reads: the largest value, the largest key and the version fields. */
  private static final long GET_RESERVE = Keys.MAX_VALUE_BYTES + 4096;

  private final NetSocket socket;
  private final Node node;
  private final KvService service;
  private final Caller caller;
  /** The identity the client certificate names (aion://user/… or aion://service/…), or null. */
  private final io.aiondb.server.auth.Principal certIdentity;
  private final Executor readers;
  private final java.util.function.IntSupplier protocolPort;
  private final Budget budget;
  private final long idleNanos;
  private final long idleTimer;
  private final io.vertx.core.Vertx vertx;
  private final RecordParser parser = RecordParser.newFixed(4);
  private final Map<Long, Watcher> watches = new ConcurrentHashMap<>();
  /** Ids of the open watch streams (registered before the watcher starts, so its first events are not dropped). */
  private final java.util.Set<Long> streams = ConcurrentHashMap.newKeySet();
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Completes once every write received before it was proposed: writes are proposed in frame order. */
  private CompletableFuture<Void> writeOrder = CompletableFuture.completedFuture(null);
  private volatile long lastActivity = System.nanoTime();
  private boolean expectHeader = true;
  private int frameLength;
  private boolean hello;
  private volatile boolean closed;
  private boolean paused;

  /** Must be called on the socket's event loop (the idle timer runs there, beside the frame handler). */
  Connection(io.vertx.core.Vertx vertx, NetSocket socket, Node node, Executor readers,
      java.util.function.IntSupplier protocolPort, ConnectionLimits limits, Runnable onClosed) {
    this.vertx = vertx;
    this.protocolPort = protocolPort;
    this.socket = socket;
    this.node = node;
    this.service = node.service();
    this.certIdentity = socket.isSsl() ? Caller.certificateIdentity(socket.sslSession()) : null;
    this.caller = Caller.protocol(socket.remoteAddress() == null ? null : socket.remoteAddress().host(),
        socket.isSsl() ? Caller.principal(socket.sslSession()) : Caller.ANONYMOUS);
    this.readers = readers;
    this.budget = new Budget(limits.protocolMaxConnectionMemory());
    this.idleNanos = limits.protocolIdleTimeout().toNanos();
    this.idleTimer = vertx.setPeriodic(Math.max(20, limits.protocolIdleTimeout().toMillis() / 4), t -> checkIdle());
    parser.handler(this::onRecord);
    socket.handler(parser);
    socket.closeHandler(v -> {
      onClose();
      onClosed.run();
    });
    socket.exceptionHandler(e -> LOG.debug("connection {} failed: {}", socket.remoteAddress(), e.toString()));
  }

  /** Bytes this connection holds now (request payloads in flight and answers not yet written). */
  long heldBytes() {
    return budget.used();
  }

  private void onRecord(Buffer b) {
    if (closed) return;
    lastActivity = System.nanoTime();
    if (expectHeader) {
      long len = b.getUnsignedInt(0);
      if (len < ProtocolCodec.HEADER || len > ProtocolCodec.MAX_FRAME) {
        fatal(0, len < ProtocolCodec.HEADER ? ErrorCode.BAD_REQUEST : ErrorCode.VALUE_TOO_LARGE,
            "frame length " + len + " is outside " + ProtocolCodec.HEADER + ".." + ProtocolCodec.MAX_FRAME);
        return;
      }
      expectHeader = false;
      frameLength = (int) len;
      budget.addRequest(len); // the frame's bytes are held from now until its request is answered
      if (budget.over()) pause();
      parser.fixedSizeMode((int) len);
    } else {
      expectHeader = true;
      parser.fixedSizeMode(4);
      onFrame(b.getUnsignedInt(0), b.getUnsignedByte(4), b.getBytes(ProtocolCodec.HEADER, b.length()), frameLength);
    }
  }

  /** An answer and the bytes the budget holds for it beyond the frame itself (a read's reservation). */
  private record Answer(byte[] payload, long reserved) {
    static Answer of(byte[] payload) {
      return new Answer(payload, 0);
    }
  }

  private void onFrame(long id, int kind, byte[] payload, int held) {
    // TRACED (docs/protocol.md): the W3C trace context of the request it wraps, then that request as usual
    io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.root();
    if (kind == ProtocolCodec.TRACED && hello) {
      ProtocolCodec.Traced t;
      try {
        t = ProtocolCodec.decodeTraced(payload);
      } catch (Wire.Malformed m) {
        budget.releaseRequest(held);
        fatal(id, ErrorCode.BAD_REQUEST, "malformed frame: " + m.getMessage());
        return;
      }
      trace = node.tracing().extract(h -> "traceparent".equals(h) ? (t.traceparent().isEmpty() ? null : t.traceparent())
          : "tracestate".equals(h) ? t.tracestate() : null);
      kind = t.kind();
      payload = t.payload();
    }
    Request req;
    try {
      req = ProtocolCodec.decodeLayout(kind, payload); // values are checked later, off the loop when large
    } catch (Wire.Malformed m) {
      budget.releaseRequest(held);
      fatal(id, ErrorCode.BAD_REQUEST, "malformed frame: " + m.getMessage());
      return;
    } catch (AionException e) {
      budget.releaseRequest(held);
      if (!hello) fatal(id, e.code(), "the first frame must be a valid HELLO: " + e.getMessage());
      else send(id, ProtocolCodec.ERROR, ProtocolCodec.error(e.code(), e.getMessage()));
      return;
    }
    if (!hello) {
      budget.releaseRequest(held);
      if (!(req instanceof Request.Hello h)) {
        fatal(id, ErrorCode.BAD_REQUEST, "the first frame must be HELLO (see docs/protocol.md)");
      } else if (h.version() != ProtocolCodec.VERSION) {
        fatal(id, ErrorCode.BAD_REQUEST, "protocol version " + h.version() + " is not supported; this server speaks "
            + ProtocolCodec.VERSION);
      } else {
        hello = true;
        send(id, ProtocolCodec.OK, ProtocolCodec.hello(node.config().nodeId(), Version.VALUE));
      }
      return;
    }
    switch (req) {
      case Request.Hello x -> {
        budget.releaseRequest(held);
        send(id, ProtocolCodec.ERROR, ProtocolCodec.error(ErrorCode.BAD_REQUEST, "HELLO was already sent on this connection"));
        return;
      }
      case Request.Watch w -> {
        budget.releaseRequest(held);
        watch(id, w);
        return;
      }
      case Request.Cancel c -> {
        budget.releaseRequest(held);
        cancel(id, c.target());
        return;
      }
      case Request.Auth a -> {
        budget.releaseRequest(held);
        authenticate(id, a.token());
        return;
      }
      default -> { }
    }
    if (inFlight.incrementAndGet() >= MAX_IN_FLIGHT) pause();
    node.protocolTimers().begin();
    long started = System.nanoTime();
    // with tracing on: a SERVER span per request (watches aside), under the TRACED context when there was one
    io.opentelemetry.api.trace.Span span = io.opentelemetry.api.trace.Span.getInvalid();
    if (node.tracing().enabled()) {
      span = node.tracing().server("protocol " + op(req), trace).setAttribute("aion.protocol.op", op(req))
          .setAttribute("aion.node", node.config().nodeId()).startSpan();
    }
    io.opentelemetry.api.trace.Span traced = span;
    io.opentelemetry.context.Context context = span.isRecording() ? trace.with(span) : io.opentelemetry.context.Context.root();
    CompletableFuture<Answer> answer;
    try {
      answer = isWrite(req) ? ordered(req, context) : dispatch(req, context);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete((a, err) -> {
      String outcome;
      if (err == null) {
        send(id, ProtocolCodec.OK, a.payload());
        budget.releaseAnswer(a.reserved());
        outcome = "ok";
      } else {
        AionException e = KvService.error(err);
        send(id, ProtocolCodec.ERROR, ProtocolCodec.error(e.code(), e.getMessage()));
        outcome = e.code().name();
      }
      var timer = node.protocolTimers().timer("op", op(req), "outcome", outcome);
      if (traced.isRecording()) {
        try (var scope = traced.makeCurrent()) { // the bucket's exemplar: this request's trace (trace/Exemplars)
          timer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
      } else {
        timer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
      }
      if (traced.isRecording()) {
        traced.setAttribute("aion.outcome", outcome);
        if (err != null) traced.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, outcome);
        traced.end();
      }
      budget.releaseRequest(held);
      inFlight.decrementAndGet();
      node.protocolTimers().end();
      resume();
    });
  }

  /** The metrics tag of a request: its frame type in lower case ({@code get}, {@code put}, {@code namespace-create}). */
  private static String op(Request req) {
    return OP_TAG.get(req.getClass());
  }

  private static final ClassValue<String> OP_TAG = new ClassValue<>() {
    @Override
    protected String computeValue(Class<?> type) {
      return type.getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
  };

  private static boolean isWrite(Request req) {
    return req instanceof Request.Put || req instanceof Request.Delete || req instanceof Request.Txn
        || req instanceof Request.PutBatch
        || req instanceof Request.NamespaceCreate || req instanceof Request.NamespaceDrop;
  }

  /**
   * Proposes a write after every write received before it was proposed. The service validates its values before
   * proposing: small ones here on the event loop, large ones (and everything queued behind them) on a reader thread.
   */
  private CompletableFuture<Answer> ordered(Request req, io.opentelemetry.context.Context trace) {
    boolean heavy = ProtocolCodec.contentBytes(req) > KvService.INLINE_VALIDATION_BYTES;
    if (!heavy && writeOrder.isDone()) return dispatch(req, trace);
    CompletableFuture<CompletableFuture<Answer>> proposed = writeOrder.thenApplyAsync(v -> dispatch(req, trace), readers);
    writeOrder = proposed.handle((f, e) -> null);
    return proposed.thenCompose(f -> f);
  }

  /**
   * AUTH: with auth.enabled the token must verify (else ERROR UNAUTHENTICATED and the connection is anonymous); it is
   * verified again for every later request, so revocation and expiry apply to open connections too. With auth off
   * it is accepted and not checked (the answer names the principal: anonymous).
   */
  private void authenticate(long id, String token) {
    var auth = node.auth();
    if (!auth.enabled()) {
      send(id, ProtocolCodec.OK, new Wire.Writer().string("anonymous").toByteArray());
      return;
    }
    try {
      var who = auth.authenticate("Bearer " + token);
      this.token = token;
      send(id, ProtocolCodec.OK, new Wire.Writer().string(who.display()).toByteArray());
    } catch (AionException e) {
      this.token = null;
      node.audit().record(caller, "auth.token", "protocol AUTH", io.aiondb.server.audit.AuditLog.Outcome.failure,
          e.code().name() + ": " + e.getMessage());
      send(id, ProtocolCodec.ERROR, ProtocolCodec.error(e.code(), e.getMessage()));
    }
  }

  /** The token of the last successful AUTH, or null (anonymous). */
  private volatile String token;

  /**
   * Who this request comes from: the connection's token verified now (revoked or expired: UNAUTHENTICATED), else the
   * identity its client certificate names (docs/security.md), else anonymous.
   */
  private Caller caller() {
    if (!node.auth().enabled()) return caller;
    String t = token;
    if (t != null) return caller.as(node.auth().authenticate("Bearer " + t));
    return certIdentity == null ? caller : caller.as(certIdentity);
  }

  private CompletableFuture<Answer> dispatch(Request req, io.opentelemetry.context.Context trace) {
    Caller caller = caller().traced(trace);
    if (req instanceof Request.Cluster) node.auth().requireAuthenticated(caller, "cluster members"); // AUTH first
    return switch (req) {
      case Request.Ping p -> CompletableFuture.completedFuture(Answer.of(new byte[0]));
      case Request.Get g -> read(GET_RESERVE, gate -> service.get(caller, new ReadOptions(g.consistency(), g.minRevision()),
          gate, g.namespace(), g.key(), g.revision()).thenApply(v -> ProtocolCodec.get(v.version().orElse(null), v.readRevision())));
      case Request.Put p -> service.put(caller, p.command()).thenApply(r -> Answer.of(ProtocolCodec.written(r)));
      case Request.Delete d -> service.delete(caller, d.command()).thenApply(r -> Answer.of(ProtocolCodec.deleted(r)));
      case Request.PutBatch b -> service.putAll(caller, b.command()).thenApply(r -> Answer.of(ProtocolCodec.batchWritten(r)));
      case Request.Txn t -> service.txn(caller, t.command()).thenApply(r -> Answer.of(txnAnswer(r)));
      case Request.Query q -> {
        service.checkQuery(caller, q.namespace()); // refused before the query is parsed; existence after the barrier
        yield CompletableFuture.supplyAsync(() -> parseQuery(q.json()), readers) // off the event loop
            .thenCompose(query -> read(ProtocolCodec.MAX_FRAME, gate -> service.query(caller,
                new ReadOptions(q.consistency(), q.minRevision()), gate, q.namespace(), query).thenApply(result -> {
                  byte[] json = QueryJson.render(query, result).toString().getBytes(StandardCharsets.UTF_8);
                  if (json.length > ProtocolCodec.MAX_PAYLOAD - 4) {
                    throw new AionException(ErrorCode.RESPONSE_TOO_LARGE, "the query's answer is " + json.length
                        + " bytes, more than one frame holds (" + ProtocolCodec.MAX_FRAME + "); ask for a smaller page with "
                        + "a lower limit or maxBytes (values count at their JSON size: binary values grow by a third)");
                  }
                  return new Wire.Writer().bytes(json).toByteArray();
                })));
      }
      case Request.Cluster c -> CompletableFuture.supplyAsync(() -> Answer.of(cluster()), readers);
      case Request.NamespaceCreate n -> service.createNamespace(caller, n.namespace())
          .thenApply(r -> Answer.of(ProtocolCodec.bool(r.created())));
      case Request.NamespaceDrop n -> service.dropNamespace(caller, n.namespace())
          .thenApply(r -> Answer.of(ProtocolCodec.bool(r.existed())));
      case Request.NamespaceList n -> CompletableFuture.completedFuture(Answer.of(ProtocolCodec.names(
          service.namespaces(caller).stream().map(NamespaceInfo::name).toList())));
      // a page ends before its values pass 8 MiB (RocksStore.HISTORY_PAGE_MAX_BYTES): it always fits in a frame
      case Request.History h -> read(ProtocolCodec.MAX_FRAME, gate -> service.history(caller, ReadOptions.LINEARIZABLE,
          gate, h.namespace(), h.key(), h.before() == 0 ? Long.MAX_VALUE : h.before(), h.limit(),
          RocksStore.HISTORY_PAGE_MAX_BYTES).thenApply(page -> ProtocolCodec.versions(page.versions())));
      case Request.Hello x -> throw new IllegalStateException();
      case Request.Watch x -> throw new IllegalStateException();
      case Request.Cancel x -> throw new IllegalStateException();
      case Request.Auth x -> throw new IllegalStateException();
    };
  }

  private static Query parseQuery(byte[] json) {
    try {
      return QueryParser.parse(Json.parse(json));
    } catch (java.io.IOException e) {
      throw new AionException(ErrorCode.INVALID_JSON, "the query is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static byte[] txnAnswer(ApplyResult.TxnDone t) {
    byte[] answer = ProtocolCodec.txn(t);
    if (answer.length > ProtocolCodec.MAX_PAYLOAD) {
      throw new AionException(ErrorCode.RESPONSE_TOO_LARGE, "the transaction WAS applied (revision " + t.revision()
          + ", " + (t.succeeded() ? "success" : "failure") + " branch) but its answer of " + answer.length
          + " bytes does not fit in one frame (" + ProtocolCodec.MAX_FRAME + "); read fewer or smaller values per "
          + "transaction, or read them with GET or QUERY at revision " + t.revision());
    }
    return answer;
  }

  /**
   * A read through the service whose gate reserves room for {@code reserve} bytes (its largest possible answer) once
   * its barrier is passed: at once when the budget has room, else waiting on a reader thread (never the event loop).
   * The answer keeps the reservation until it is written; a failed read gives it back. Reserving before the barrier
   * held the room while the leader confirmed the read index: eight GETs in flight fill a connection's 32 MiB, and at
   * 16 clients the protocol's gets queued behind each other (measured: docs/benchmarks.md, service layer).
   */
  private CompletableFuture<Answer> read(long reserve,
      java.util.function.Function<ReadGate, CompletableFuture<byte[]>> read) {
    java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean();
    ReadGate gate = () -> {
      if (budget.tryReserve(reserve)) {
        held.set(true);
        return CompletableFuture.completedFuture(null);
      }
      return CompletableFuture.supplyAsync(() -> {
        if (!budget.reserve(reserve)) throw new AionException(ErrorCode.UNAVAILABLE, "the connection closed");
        held.set(true);
        return null;
      }, readers);
    };
    return read.apply(gate).handle((bytes, err) -> {
      if (err != null) {
        if (held.get()) budget.releaseAnswer(reserve);
        throw err instanceof CompletionException c ? c : new CompletionException(err);
      }
      return new Answer(bytes, reserve);
    });
  }


  private byte[] cluster() {
    ClusterAdmin.Topology t = node.clusterAdmin().topology();
    List<ProtocolCodec.Member> out = new ArrayList<>();
    int port = protocolPort.getAsInt(); // every member is assumed to use this node's protocol port
    for (ClusterAdmin.Member m : t.members()) {
      String http = m.httpAddress() == null ? "" : m.httpAddress();
      int colon = http.lastIndexOf(':');
      String host = colon > 0 ? http.substring(0, colon) : m.raftAddress().substring(0, m.raftAddress().lastIndexOf(':'));
      int httpPort = colon > 0 ? Integer.parseInt(http.substring(colon + 1)) : 0;
      int role = switch (m.role()) {
        case "LEADER" -> 0;
        case "FOLLOWER" -> 1;
        case "LEARNER" -> 2;
        default -> 3;
      };
      out.add(new ProtocolCodec.Member(m.id(), role, host, Math.max(port, 0), httpPort));
    }
    return ProtocolCodec.cluster(t.leader(), out);
  }

  // ------------------------------------------------------------------ watches

  private void watch(long id, Request.Watch w) {
    if (!streams.add(id)) {
      send(id, ProtocolCodec.ERROR, ProtocolCodec.error(ErrorCode.BAD_REQUEST, "request id " + id + " already names a watch on this connection"));
      return;
    }
    if (watches.size() >= service.watchLimits().maxPerConnection()) {
      streams.remove(id);
      send(id, ProtocolCodec.ERROR, ProtocolCodec.error(ErrorCode.TOO_MANY_WATCHES, "this connection holds "
          + service.watchLimits().maxPerConnection() + " watches already (watch.max-per-connection)"));
      return;
    }
    try {
      Watcher watcher = service.watch(caller(), w.spec(), new Sink(id));
      watches.put(id, watcher);
      if (!streams.contains(id)) watcher.close(); // it ended (or was cancelled) while starting
    } catch (AionException e) {
      streams.remove(id);
      send(id, ProtocolCodec.ERROR, ProtocolCodec.error(e.code(), e.getMessage()));
    }
  }

  private void cancel(long id, long target) {
    Watcher w = watches.remove(target);
    if (w == null || !streams.remove(target)) {
      send(id, ProtocolCodec.ERROR, ProtocolCodec.error(ErrorCode.NOT_FOUND, "no watch with request id " + target + " is open on this connection"));
      return;
    }
    w.close();
    send(target, ProtocolCodec.END, new byte[0]);
    send(id, ProtocolCodec.OK, new byte[0]);
  }

  /** Events of one watch, written from its thread; each write is awaited (backpressure). */
  private final class Sink implements WatchSink {
    private final long id;

    Sink(long id) {
      this.id = id;
    }

    @Override
    public boolean events(long revision, List<WatchEvent> events) {
      byte[] change = ProtocolCodec.change(revision, events);
      if (change.length > ProtocolCodec.MAX_PAYLOAD) { // cannot happen with 4 MiB transactions; never send it
        failed(new AionException(ErrorCode.RESPONSE_TOO_LARGE, "the changes of revision " + revision + " ("
            + change.length + " bytes) do not fit in one frame; resume from revision " + (revision + 1)
            + " and read those keys with GET"));
        return false;
      }
      return sendAndWait(id, ProtocolCodec.EVENT, change, revision);
    }

    @Override
    public boolean progress(long revision) {
      return sendAndWait(id, ProtocolCodec.EVENT, ProtocolCodec.progress(revision), revision + 1);
    }

    @Override
    public void failed(AionException error) {
      watches.remove(id);
      if (streams.remove(id)) send(id, ProtocolCodec.ERROR, ProtocolCodec.error(error.code(), error.getMessage()));
    }
  }

  /**
   * A watch event: waits for room in the budget and for the socket to take it (the watch's backpressure), at most
   * {@code watch.send-timeout} in all. A client that takes nothing for that long has its watch cut with a resumable
   * UNAVAILABLE naming the revision to resume from: a stalled reader holds neither its page nor a thread for ever.
   */
  private boolean sendAndWait(long id, int kind, byte[] payload, long resumeFrom) {
    if (closed || !streams.contains(id)) return false;
    byte[] frame = ProtocolCodec.frame(id, kind, payload);
    long timeout = service.watchLimits().sendTimeout().toNanos();
    long start = System.nanoTime();
    int reserved = budget.reserve(frame.length, timeout);
    if (reserved == 0) return false;
    if (reserved < 0) return slowConsumer(id, resumeFrom);
    try {
      socket.write(Buffer.buffer(frame)).toCompletionStage().toCompletableFuture()
          .get(Math.max(1, timeout - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
      lastActivity = System.nanoTime();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return false;
    } catch (TimeoutException e) {
      return slowConsumer(id, resumeFrom);
    } finally {
      budget.releaseAnswer(frame.length);
    }
  }

  private boolean slowConsumer(long id, long resumeFrom) {
    LOG.info("watch {} on {} cut: its client took nothing for {} (watch.send-timeout)", id, socket.remoteAddress(),
        service.watchLimits().sendTimeout());
    watches.remove(id);
    if (streams.remove(id)) {
      send(id, ProtocolCodec.ERROR, ProtocolCodec.error(ErrorCode.UNAVAILABLE, "the watch was cut: its client took "
          + "nothing for " + service.watchLimits().sendTimeout() + " (watch.send-timeout); resume from revision " + resumeFrom));
    }
    return false;
  }

  // ------------------------------------------------------------------ plumbing

  /** Writes one frame; its bytes count against the budget until the socket wrote them. */
  private void send(long id, int kind, byte[] payload) {
    if (closed) return;
    if (payload.length > ProtocolCodec.MAX_PAYLOAD) { // every answer that can grow is checked before; this is the net
      kind = ProtocolCodec.ERROR;
      payload = ProtocolCodec.error(ErrorCode.RESPONSE_TOO_LARGE, "the answer is " + payload.length
          + " bytes, more than one frame holds (" + ProtocolCodec.MAX_FRAME + "); ask for less");
    }
    byte[] frame = ProtocolCodec.frame(id, kind, payload);
    budget.addAnswer(frame.length);
    socket.write(Buffer.buffer(frame)).onComplete(ar -> {
      lastActivity = System.nanoTime();
      budget.releaseAnswer(frame.length);
      resume();
    });
    if (socket.writeQueueFull()) {
      pause();
      socket.drainHandler(v -> resume());
    }
  }

  private synchronized void pause() {
    if (!paused && !closed) {
      paused = true;
      socket.pause();
    }
  }

  private synchronized void resume() {
    if (paused && !closed && inFlight.get() < MAX_IN_FLIGHT / 2 && !socket.writeQueueFull() && !budget.over()) {
      paused = false;
      socket.resume();
    }
  }

  /**
   * Closes an idle connection: no frame in and no answer out for protocol.idle-timeout, and either nothing in
   * flight and no watch (CONNECTION_IDLE: the client knows nothing it sent since was processed) or answers that the
   * client does not read (UNAVAILABLE: requests in flight may or may not have been applied).
   */
  private void checkIdle() {
    if (closed || System.nanoTime() - lastActivity < idleNanos) return;
    Duration idle = Duration.ofNanos(idleNanos);
    if (inFlight.get() == 0 && streams.isEmpty()) {
      fatal(0, ErrorCode.CONNECTION_IDLE, "no frame for " + idle + " (protocol.idle-timeout): closing; nothing sent "
          + "after this frame was processed, so a request that crossed it can be sent again on a new connection");
    } else if (socket.writeQueueFull() || budget.over()) {
      fatal(0, ErrorCode.UNAVAILABLE, "the answers on this connection were not read for " + idle
          + " (protocol.idle-timeout): closing; requests in flight may or may not have been applied");
    }
  }

  /** An error frame, then the connection closes (the frame boundary can no longer be trusted). */
  private void fatal(long id, ErrorCode code, String message) {
    if (closed) return;
    socket.write(Buffer.buffer(ProtocolCodec.frame(id, ProtocolCodec.ERROR, ProtocolCodec.error(code, message))))
        .onComplete(ar -> socket.close());
    closed = true;
    onClose();
  }

  private void onClose() {
    closed = true;
    vertx.cancelTimer(idleTimer);
    budget.close();
    streams.clear();
    for (Watcher w : watches.values()) w.close();
    watches.clear();
  }

  /**
   * The bytes a connection holds: request payloads (from their frame header until answered) and answers (a read's
   * reservation, then its frame until the socket wrote it). {@link #reserve} waits (on a reader or watch thread,
   * never the event loop) until the answer fits or no answer is held: answers drain by themselves (reads finish,
   * the socket writes), so a wait always ends, and the total stays near the maximum plus one answer and one frame.
   */
  static final class Budget {
    private final long max;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private long requests;
    private long answers;
    private boolean closed;

    Budget(long max) {
      this.max = max;
    }

    void addRequest(long n) {
      change(n, 0);
    }

    void releaseRequest(long n) {
      change(-n, 0);
    }

    void addAnswer(long n) {
      change(0, n);
    }

    void releaseAnswer(long n) {
      change(0, -n);
    }

    private void change(long request, long answer) {
      if (request == 0 && answer == 0) return;
      lock.lock();
      try {
        requests += request;
        answers += answer;
        if (request < 0 || answer < 0) room.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** Holds {@code n} answer bytes if they fit now (never waits); false otherwise. */
    boolean tryReserve(long n) {
      lock.lock();
      try {
        if (closed || (answers > 0 && requests + answers + n > max)) return false;
        answers += n;
        return true;
      } finally {
        lock.unlock();
      }
    }

    /** Holds {@code n} answer bytes once they fit; false if the connection closed while waiting. */
    boolean reserve(long n) {
      lock.lock();
      try {
        while (!closed && answers > 0 && requests + answers + n > max) room.awaitUninterruptibly();
        if (closed) return false;
        answers += n;
        return true;
      } finally {
        lock.unlock();
      }
    }

    /**
     * As {@link #reserve(long)}, waiting at most {@code timeoutNanos}: 1 reserved, 0 the connection closed (or the
     * thread was interrupted), -1 no room within the time (a client that stopped reading).
     */
    int reserve(long n, long timeoutNanos) {
      lock.lock();
      try {
        long left = timeoutNanos;
        while (!closed && answers > 0 && requests + answers + n > max) {
          if (left <= 0) return -1;
          left = room.awaitNanos(left);
        }
        if (closed) return 0;
        answers += n;
        return 1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 0;
      } finally {
        lock.unlock();
      }
    }

    boolean over() {
      return used() >= max;
    }

    long used() {
      lock.lock();
      try {
        return requests + answers;
      } finally {
        lock.unlock();
      }
    }

    void close() {
      lock.lock();
      try {
        closed = true;
        room.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
