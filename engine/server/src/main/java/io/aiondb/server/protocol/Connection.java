package io.aiondb.server.protocol;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.Node;
import io.aiondb.server.Version;
import io.aiondb.server.api.Json;
import io.aiondb.server.api.QueryJson;
import io.aiondb.server.consensus.ReadConsistency;
import io.aiondb.server.consensus.raft.ClusterAdmin;
import io.aiondb.server.protocol.ProtocolCodec.Request;
import io.aiondb.server.query.Query;
import io.aiondb.server.query.QueryParser;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.VersionRecord;
import io.aiondb.server.watch.WatchEvent;
import io.aiondb.server.watch.WatchSink;
import io.aiondb.server.watch.Watcher;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: frames in (HELLO first), requests dispatched concurrently, answers written as they complete
 * (any order, matched by id). Reading pauses while {@value #MAX_IN_FLIGHT} requests are in flight or the socket's
 * write queue is full, so a client that floods or does not read cannot grow the server's memory.
 */
final class Connection {
  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
  static final int MAX_IN_FLIGHT = 1024;

  private final NetSocket socket;
  private final Node node;
  private final Executor readers;
  private final java.util.function.IntSupplier protocolPort;
  private final RecordParser parser = RecordParser.newFixed(4);
  private final Map<Long, Watcher> watches = new ConcurrentHashMap<>();
  /** Ids of the open watch streams (registered before the watcher starts, so its first events are not dropped). */
  private final java.util.Set<Long> streams = ConcurrentHashMap.newKeySet();
  private final AtomicInteger inFlight = new AtomicInteger();
  private boolean expectHeader = true;
  private boolean hello;
  private volatile boolean closed;
  private boolean paused;

  Connection(NetSocket socket, Node node, Executor readers, java.util.function.IntSupplier protocolPort) {
    this.protocolPort = protocolPort;
    this.socket = socket;
    this.node = node;
    this.readers = readers;
    parser.handler(this::onRecord);
    socket.handler(parser);
    socket.closeHandler(v -> onClose());
    socket.exceptionHandler(e -> LOG.debug("connection {} failed: {}", socket.remoteAddress(), e.toString()));
  }

  private void onRecord(Buffer b) {
    if (closed) return;
    if (expectHeader) {
      long len = b.getUnsignedInt(0);
      if (len < ProtocolCodec.HEADER || len > ProtocolCodec.MAX_FRAME) {
        fatal(0, len < ProtocolCodec.HEADER ? ErrorCode.BAD_REQUEST : ErrorCode.VALUE_TOO_LARGE,
            "frame length " + len + " is outside " + ProtocolCodec.HEADER + ".." + ProtocolCodec.MAX_FRAME);
        return;
      }
      expectHeader = false;
      parser.fixedSizeMode((int) len);
    } else {
      expectHeader = true;
      parser.fixedSizeMode(4);
      onFrame(b.getUnsignedInt(0), b.getUnsignedByte(4), b.getBytes(ProtocolCodec.HEADER, b.length()));
    }
  }

  private void onFrame(long id, int kind, byte[] payload) {
    Request req;
    try {
      req = ProtocolCodec.decode(kind, payload);
    } catch (Wire.Malformed m) {
      fatal(id, ErrorCode.BAD_REQUEST, "malformed frame: " + m.getMessage());
      return;
    } catch (AionException e) {
      if (!hello) fatal(id, e.code(), "the first frame must be a valid HELLO: " + e.getMessage());
      else send(id, ProtocolCodec.ERROR, ProtocolCodec.error(e.code(), e.getMessage()));
      return;
    }
    if (!hello) {
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
    if (req instanceof Request.Hello) {
      send(id, ProtocolCodec.ERROR, ProtocolCodec.error(ErrorCode.BAD_REQUEST, "HELLO was already sent on this connection"));
      return;
    }
    if (req instanceof Request.Watch w) {
      watch(id, w);
      return;
    }
    if (req instanceof Request.Cancel c) {
      cancel(id, c.target());
      return;
    }
    if (inFlight.incrementAndGet() >= MAX_IN_FLIGHT) pause();
    CompletableFuture<byte[]> answer;
    try {
      answer = dispatch(req);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete((answerBytes, err) -> {
      if (inFlight.decrementAndGet() < MAX_IN_FLIGHT / 2) resume();
      if (err == null) {
        send(id, ProtocolCodec.OK, answerBytes);
      } else {
        AionException a = toAion(err);
        send(id, ProtocolCodec.ERROR, ProtocolCodec.error(a.code(), a.getMessage()));
      }
    });
  }

  private CompletableFuture<byte[]> dispatch(Request req) {
    return switch (req) {
      case Request.Ping p -> CompletableFuture.completedFuture(new byte[0]);
      case Request.Get g -> afterBarrier(g.consistency(), g.minRevision(), () -> {
        NamespaceInfo ns = node.store().requireNamespace(g.namespace());
        long readRevision = node.store().appliedRevision();
        Optional<VersionRecord> v = g.revision() == 0 ? node.store().getCurrent(ns.id(), g.key())
            : node.store().getAt(ns, g.key(), g.revision());
        return ProtocolCodec.get(v.orElse(null), g.revision() == 0 ? readRevision : g.revision());
      });
      case Request.Put p -> write(p.command(), r -> ProtocolCodec.written((ApplyResult.Written) r));
      case Request.Delete d -> write(d.command(), r -> ProtocolCodec.deleted((ApplyResult.Deleted) r));
      case Request.Txn t -> write(t.command(), r -> ProtocolCodec.txn((ApplyResult.TxnDone) r));
      case Request.Query q -> {
        NamespaceInfo ns = node.store().requireNamespace(q.namespace());
        Query query;
        try {
          query = QueryParser.parse(Json.parse(q.json()));
        } catch (java.io.IOException e) {
          throw new AionException(ErrorCode.INVALID_JSON, "the query is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        yield afterBarrier(q.consistency(), q.minRevision(), () -> new Wire.Writer().bytes(
            QueryJson.render(query, node.queries().execute(query, ns)).toString().getBytes(StandardCharsets.UTF_8)).toByteArray());
      }
      case Request.Cluster c -> CompletableFuture.supplyAsync(this::cluster, readers);
      case Request.NamespaceCreate n -> write(new Command.CreateNamespace(n.namespace()),
          r -> ProtocolCodec.bool(((ApplyResult.NamespaceCreated) r).created()));
      case Request.NamespaceDrop n -> write(new Command.DropNamespace(n.namespace()),
          r -> ProtocolCodec.bool(((ApplyResult.NamespaceDropped) r).existed()));
      case Request.NamespaceList n -> CompletableFuture.completedFuture(ProtocolCodec.names(
          node.store().namespaces().stream().map(NamespaceInfo::name).sorted(Comparator.naturalOrder()).toList()));
      case Request.History h -> afterBarrier(ReadConsistency.LINEARIZABLE, 0, () -> {
        NamespaceInfo ns = node.store().requireNamespace(h.namespace());
        return ProtocolCodec.versions(node.store().history(ns.id(), h.key(), h.before() == 0 ? Long.MAX_VALUE : h.before(), h.limit()));
      });
      case Request.Hello x -> throw new IllegalStateException();
      case Request.Watch x -> throw new IllegalStateException();
      case Request.Cancel x -> throw new IllegalStateException();
    };
  }

  private CompletableFuture<byte[]> write(Command c, java.util.function.Function<ApplyResult, byte[]> encode) {
    long timeout = node.config().requestTimeout().toMillis();
    return node.proposer().propose(c).orTimeout(timeout, TimeUnit.MILLISECONDS).thenApply(r -> {
      if (r instanceof ApplyResult.Rejected rej) throw new AionException(rej.code(), rej.message());
      return encode.apply(r);
    });
  }

  private CompletableFuture<byte[]> afterBarrier(ReadConsistency c, long minRevision, java.util.function.Supplier<byte[]> read) {
    CompletableFuture<Void> barrier = c == ReadConsistency.STALE && minRevision == 0
        ? CompletableFuture.completedFuture(null)
        : node.raft().readBarrier(c, minRevision).orTimeout(node.config().requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    return barrier.thenApplyAsync(v -> read.get(), readers);
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

  private static AionException toAion(Throwable err) {
    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    if (cause instanceof AionException a) return a;
    if (cause instanceof TimeoutException) {
      return new AionException(ErrorCode.TIMEOUT, "the request did not complete within request.timeout; a write's "
          + "outcome is unknown: read the key before retrying a non-idempotent write");
    }
    LOG.error("binary protocol request failed", cause);
    return new AionException(ErrorCode.INTERNAL, "internal error; the server log has details");
  }

  // ------------------------------------------------------------------ watches

  private void watch(long id, Request.Watch w) {
    if (!streams.add(id)) {
      send(id, ProtocolCodec.ERROR, ProtocolCodec.error(ErrorCode.BAD_REQUEST, "request id " + id + " already names a watch on this connection"));
      return;
    }
    try {
      Watcher watcher = node.watches().open(w.spec(), new Sink(id));
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
      return sendAndWait(id, ProtocolCodec.EVENT, ProtocolCodec.change(revision, events));
    }

    @Override
    public boolean progress(long revision) {
      return sendAndWait(id, ProtocolCodec.EVENT, ProtocolCodec.progress(revision));
    }

    @Override
    public void failed(AionException error) {
      watches.remove(id);
      if (streams.remove(id)) send(id, ProtocolCodec.ERROR, ProtocolCodec.error(error.code(), error.getMessage()));
    }
  }

  private boolean sendAndWait(long id, int kind, byte[] payload) {
    if (closed || !streams.contains(id)) return false;
    try {
      socket.write(Buffer.buffer(ProtocolCodec.frame(id, kind, payload))).toCompletionStage().toCompletableFuture().get();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return false;
    }
  }

  // ------------------------------------------------------------------ plumbing

  private void send(long id, int kind, byte[] payload) {
    if (closed) return;
    socket.write(Buffer.buffer(ProtocolCodec.frame(id, kind, payload)));
    if (socket.writeQueueFull()) {
      pause();
      socket.drainHandler(v -> resume());
    }
  }

  private synchronized void pause() {
    if (!paused) {
      paused = true;
      socket.pause();
    }
  }

  private synchronized void resume() {
    if (paused && inFlight.get() < MAX_IN_FLIGHT / 2 && !socket.writeQueueFull()) {
      paused = false;
      socket.resume();
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
    streams.clear();
    for (Watcher w : watches.values()) w.close();
    watches.clear();
  }
}
