package io.aiondb.server.service;

import io.aiondb.server.audit.AuditLog;
import io.aiondb.server.auth.Operation;
import io.aiondb.server.state.Compare;
import io.aiondb.server.state.TxnOp;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.consensus.Consensus;
import io.aiondb.server.query.Query;
import io.aiondb.server.query.QueryExecutor;
import io.aiondb.server.query.QueryResult;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.Values;
import io.aiondb.server.storage.IndexDef;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.RocksStore;
import io.aiondb.server.storage.VersionRecord;
import io.aiondb.server.watch.WatchHub;
import io.aiondb.server.watch.WatchSink;
import io.aiondb.server.watch.WatchSpec;
import io.aiondb.server.watch.Watcher;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every key-value operation a client can ask for, whatever the transport. Transports decode a request, call one
 * method, and encode its answer or its {@link AionException}; they never reach the consensus layer or storage
 * themselves.
 *
 * <p>Contract, for every method:
 * <ul>
 *   <li><b>Validation</b> of names, keys and values happens here (command records check their shape; values are
 *       checked by {@link Values}) before anything is proposed: a refused request changed nothing.</li>
 *   <li><b>Writes</b> are proposed before the method returns, so two writes submitted one after the other from one
 *       thread are proposed in that order (the binary protocol relies on it). The future completes with the applied
 *       result, or fails with an {@link AionException}: the state machine's rejection (nothing written),
 *       {@code OVERLOADED} from admission (nothing written), {@code UNAVAILABLE} (not accepted) or {@code TIMEOUT}
 *       after request.timeout (the outcome is unknown).</li>
 *   <li><b>Reads</b> start once the read barrier of their {@link ReadOptions} is passed (bounded by
 *       request.timeout: {@code TIMEOUT}, nothing read) and run on the service's reader threads, never on the
 *       caller's (an event loop): a current value found in the cache is answered without a thread hop.</li>
 *   <li><b>Errors</b>: every future fails only with an {@link AionException}; {@link #error} maps anything else
 *       (a bug) to {@code INTERNAL} and logs it, once for both transports.</li>
 * </ul>
 * Value validation costs time in proportion to the JSON and text bytes of a write: a transport calls the write
 * methods from a worker thread when {@link #validationBytes} exceeds {@link #INLINE_VALIDATION_BYTES}.
 */
public final class KvService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KvService.class);
  /** JSON and text values up to this many bytes in all may be validated on an event loop. */
  public static final int INLINE_VALIDATION_BYTES = 32 * 1024;

  private final Consensus consensus;
  private final RocksStore store;
  private final QueryExecutor queries;
  private final WatchHub watches;
  private final Runnable indexCreated;
  private final AuditLog audit;
  private final AuthService auth;
  private final Duration timeout;
  private final ExecutorService readers;
  /** Cheap continuations after a barrier (a cache hit, handing the answer to the transport): virtual threads. */
  private final ExecutorService continuations = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

  /**
   * @param indexCreated called after a new index is created (wakes the index builder)
   * @param readers      runs storage reads (RocksDB calls block their thread)
   */
  public KvService(Consensus consensus, RocksStore store, QueryExecutor queries, WatchHub watches,
      Runnable indexCreated, Duration requestTimeout, ExecutorService readers) {
    this(consensus, store, queries, watches, indexCreated, requestTimeout, readers, AuditLog.OFF);
  }

  /** @param audit where namespace and index changes are recorded (docs/security.md "Audit log") */
  public KvService(Consensus consensus, RocksStore store, QueryExecutor queries, WatchHub watches,
      Runnable indexCreated, Duration requestTimeout, ExecutorService readers, AuditLog audit) {
    this(consensus, store, queries, watches, indexCreated, requestTimeout, readers, audit, AuthService.off());
  }

  /** @param auth who may do what (docs/security.md); every method checks it before looking anything up */
  public KvService(Consensus consensus, RocksStore store, QueryExecutor queries, WatchHub watches,
      Runnable indexCreated, Duration requestTimeout, ExecutorService readers, AuditLog audit, AuthService auth) {
    this.audit = audit;
    this.auth = auth;
    this.consensus = consensus;
    this.store = store;
    this.queries = queries;
    this.watches = watches;
    this.indexCreated = indexCreated;
    this.timeout = requestTimeout;
    this.readers = readers;
  }

  public Duration requestTimeout() {
    return timeout;
  }

  // ------------------------------------------------------------------ writes

  public CompletableFuture<ApplyResult.Written> put(Caller caller, Command.Put put) {
    return dataAudited(caller, "data.put", put.namespace(), () -> keyTarget(put.namespace(), put.key()), () -> {
      if (denied(caller, Operation.WRITE, put.namespace(), put.key()) instanceof CompletableFuture<?> f) return cast(f);
      return write(caller, put, ApplyResult.Written.class);
    });
  }

  public CompletableFuture<ApplyResult.Deleted> delete(Caller caller, Command.Delete delete) {
    return dataAudited(caller, "data.delete", delete.namespace(), () -> keyTarget(delete.namespace(), delete.key()), () -> {
      if (denied(caller, Operation.DELETE, delete.namespace(), delete.key()) instanceof CompletableFuture<?> f) return cast(f);
      return write(caller, delete, ApplyResult.Deleted.class);
    });
  }

  /**
   * Writes a batch of keys as one log entry: all or nothing, at one revision. The command checked each key and the
   * batch's limits when it was built; values are validated here (an error names the item).
   */
  public CompletableFuture<ApplyResult.BatchWritten> putAll(Caller caller, Command.PutAll batch) {
    return dataAudited(caller, "data.batch", batch.namespace(), () -> batch.namespace() + " (" + batch.items().size() + " keys)", () -> {
      try {
        for (Command.PutAll.Item item : batch.items()) auth.require(caller, Operation.WRITE, batch.namespace(), item.key());
      } catch (AionException e) {
        return CompletableFuture.failedFuture(e);
      }
      return write(caller, batch, ApplyResult.BatchWritten.class);
    });
  }

  /** Transactions answered by this node: [success branch, failure branch (a compare did not hold), error]. */
  private final java.util.concurrent.atomic.AtomicLongArray transactions = new java.util.concurrent.atomic.AtomicLongArray(3);

  /** Counts of the transactions this node answered: success branch, failure branch (a conflict), error. */
  public long[] transactionCounts() {
    return new long[] {transactions.get(0), transactions.get(1), transactions.get(2)};
  }

  public CompletableFuture<ApplyResult.TxnDone> txn(Caller caller, Command.Txn txn) {
    return counted(transactionWithoutCount(caller, txn));
  }

  private CompletableFuture<ApplyResult.TxnDone> counted(CompletableFuture<ApplyResult.TxnDone> answer) {
    answer.whenComplete((r, e) -> transactions.incrementAndGet(e != null ? 2 : r.succeeded() ? 0 : 1));
    return answer;
  }

  private CompletableFuture<ApplyResult.TxnDone> transactionWithoutCount(Caller caller, Command.Txn txn) {
    java.util.function.Supplier<CompletableFuture<ApplyResult.TxnDone>> call = () -> {
      try {
        authorizeTxn(caller, txn);
      } catch (AionException e) {
        return CompletableFuture.failedFuture(e);
      }
      return write(caller, txn, ApplyResult.TxnDone.class);
    };
    if (!audit.auditsAnyData()) return call.get();
    java.util.TreeSet<String> audited = new java.util.TreeSet<>();
    for (Compare c : txn.compares()) if (audit.auditsData(c.namespace())) audited.add(c.namespace());
    for (List<TxnOp> branch : List.of(txn.success(), txn.failure())) {
      for (TxnOp op : branch) {
        String ns = switch (op) {
          case TxnOp.Put p -> p.namespace();
          case TxnOp.Delete d -> d.namespace();
          case TxnOp.Get g -> g.namespace();
          case TxnOp.Range r -> r.namespace();
        };
        if (audit.auditsData(ns)) audited.add(ns);
      }
    }
    if (audited.isEmpty()) return call.get();
    return audited(caller, "data.txn", String.join(",", audited), call, r -> r.succeeded() ? "success branch" : "failure branch");
  }

  public CompletableFuture<ApplyResult.NamespaceCreated> createNamespace(Caller caller, String name) {
    return audited(caller, "namespace.create", "namespace/" + name,
        () -> denied(caller, Operation.NAMESPACE_ADMIN, name, null) instanceof CompletableFuture<?> f ? cast(f) : write(caller, new Command.CreateNamespace(name), ApplyResult.NamespaceCreated.class),
        r -> r.created() ? null : "it existed");
  }

  /** Drops a namespace with all its keys; the result says whether it existed. */
  public CompletableFuture<ApplyResult.NamespaceDropped> dropNamespace(Caller caller, String name) {
    return audited(caller, "namespace.drop", "namespace/" + name,
        () -> denied(caller, Operation.NAMESPACE_ADMIN, name, null) instanceof CompletableFuture<?> f ? cast(f) : write(caller, new Command.DropNamespace(name), ApplyResult.NamespaceDropped.class),
        r -> r.existed() ? null : "there was none");
  }

  public CompletableFuture<ApplyResult.IndexCreated> createIndex(Caller caller, Command.CreateIndex create) {
    return audited(caller, "index.create", "index/" + create.namespace() + "/" + create.name(),
        () -> denied(caller, Operation.INDEX_ADMIN, create.namespace(), null) instanceof CompletableFuture<?> f ? cast(f) : write(caller, create, ApplyResult.IndexCreated.class).thenApply(r -> {
          if (r.created()) indexCreated.run();
          return r;
        }), r -> r.created() ? null : "it existed");
  }

  public CompletableFuture<ApplyResult.IndexDropped> dropIndex(Caller caller, Command.DropIndex drop) {
    return audited(caller, "index.drop", "index/" + drop.namespace() + "/" + drop.name(),
        () -> denied(caller, Operation.INDEX_ADMIN, drop.namespace(), null) instanceof CompletableFuture<?> f ? cast(f) : write(caller, drop, ApplyResult.IndexDropped.class), r -> r.existed() ? null : "there was none");
  }

  /**
   * A privileged operation: one audit record when it ends, whatever the outcome (a refusal before it started too),
   * with the error's code and message when it failed. The caller gets the operation's own future.
   */
  private <T> CompletableFuture<T> audited(Caller caller, String operation, String target,
      java.util.function.Supplier<CompletableFuture<T>> call, java.util.function.Function<T, String> detail) {
    CompletableFuture<T> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      audit.record(caller, operation, target, AuditLog.Outcome.failure, AuditLog.describe(e));
      throw e;
    }
    f.whenComplete((r, err) -> audit.record(caller, operation, target,
        err == null ? AuditLog.Outcome.success : AuditLog.Outcome.failure,
        err == null ? detail.apply(r) : AuditLog.describe(err)));
    return f;
  }

  /**
   * audit.data-namespaces: one record when a data access to a listed namespace ends, whatever its outcome (a refusal
   * too). Namespaces not listed: the call as it is, nothing recorded.
   */
  private <T> CompletableFuture<T> dataAudited(Caller caller, String operation, String namespace,
      java.util.function.Supplier<String> target, java.util.function.Supplier<CompletableFuture<T>> call) {
    if (!audit.auditsData(namespace)) return call.get(); // the hot path: no target string is built
    return audited(caller, operation, target.get(), call, r -> null);
  }

  /** {@code namespace/key} for an audit record: the key as text when it is UTF-8, else {@code 0x} and its hex. */
  static String keyTarget(String namespace, byte[] key) {
    if (key == null) return namespace;
    var decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
    try {
      return namespace + "/" + decoder.decode(java.nio.ByteBuffer.wrap(key));
    } catch (java.nio.charset.CharacterCodingException e) {
      return namespace + "/0x" + java.util.HexFormat.of().formatHex(key);
    }
  }

  /** A failed future when the caller may not (see {@link AuthService#require}); null when it may. */
  private CompletableFuture<?> denied(Caller caller, Operation op, String namespace, byte[] key) {
    try {
      auth.require(caller, op, namespace, key);
      return null;
    } catch (AionException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> CompletableFuture<T> cast(CompletableFuture<?> f) {
    return (CompletableFuture<T>) f;
  }

  /**
   * A transaction needs {@code txn} and, for every compare and operation, what it does on its own: read for compares,
   * gets and ranges (a range as the prefix all its keys share), write for puts, delete for deletes.
   */
  private void authorizeTxn(Caller caller, Command.Txn txn) {
    if (!auth.enabled()) return;
    for (Compare c : txn.compares()) {
      auth.require(caller, Operation.TXN, c.namespace(), c.key());
      auth.require(caller, Operation.READ, c.namespace(), c.key());
    }
    for (List<TxnOp> branch : List.of(txn.success(), txn.failure())) {
      for (TxnOp op : branch) {
        switch (op) {
          case TxnOp.Put p -> {
            auth.require(caller, Operation.TXN, p.namespace(), p.key());
            auth.require(caller, Operation.WRITE, p.namespace(), p.key());
          }
          case TxnOp.Delete d -> {
            auth.require(caller, Operation.TXN, d.namespace(), d.key());
            auth.require(caller, Operation.DELETE, d.namespace(), d.key());
          }
          case TxnOp.Get g -> {
            auth.require(caller, Operation.TXN, g.namespace(), g.key());
            auth.require(caller, Operation.READ, g.namespace(), g.key());
          }
          case TxnOp.Range r -> {
            byte[] prefix = AuthService.coveringPrefix(r.from(), r.to());
            auth.require(caller, Operation.TXN, r.namespace(), prefix);
            auth.require(caller, Operation.READ, r.namespace(), prefix);
          }
        }
      }
    }
  }

  /** Bytes of JSON and text values {@code c} carries: what validating it costs. */
  public static long validationBytes(Command c) {
    return Values.contentBytes(c);
  }

  private <R extends ApplyResult> CompletableFuture<R> write(Caller caller, Command c, Class<R> answer) {
    try {
      Values.validate(c);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<ApplyResult> proposed;
    try (io.opentelemetry.context.Scope ignored = caller.trace().makeCurrent()) { // the proposal's span goes under it
      proposed = consensus.propose(c);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(error(e));
    }
    return bounded(proposed, true).thenApply(r -> {
      if (r instanceof ApplyResult.Rejected rej) throw new AionException(rej.code(), rej.message());
      if (!answer.isInstance(r)) {
        throw new IllegalStateException(c.getClass().getSimpleName() + " answered " + r.getClass().getSimpleName());
      }
      return answer.cast(r);
    });
  }

  // ------------------------------------------------------------------ reads

  /**
   * A key's value: the current one ({@code revision == 0}) or the one it had at that revision.
   *
   * @param version      empty when the key did not exist (at that revision)
   * @param readRevision the revision the answer reflects (the requested revision, or the applied revision it was read at)
   */
  public record ValueRead(NamespaceInfo namespace, byte[] key, long revision, Optional<VersionRecord> version,
      long readRevision) {}

  public CompletableFuture<ValueRead> get(Caller caller, ReadOptions read, String namespace, byte[] key, long revision) {
    return get(caller, read, ReadGate.OPEN, namespace, key, revision);
  }

  /** As {@link #get(Caller, ReadOptions, String, byte[], long)}, entering {@code gate} before the read runs. */
  public CompletableFuture<ValueRead> get(Caller caller, ReadOptions read, ReadGate gate, String namespace, byte[] key,
      long revision) {
    return dataAudited(caller, "data.get", namespace, () -> keyTarget(namespace, key), () -> getAudited(caller, read, gate,
        namespace, key, revision));
  }

  private CompletableFuture<ValueRead> getAudited(Caller caller, ReadOptions read, ReadGate gate, String namespace,
      byte[] key, long revision) {
    return start(() -> {
      auth.require(caller, Operation.READ, namespace, key);
      Command.validateNamespace(namespace);
      Command.validateKey(key);
      if (revision < 0) throw new AionException(ErrorCode.BAD_REQUEST, "revision must be >= 0, not " + revision);
      return namespace;
    }).thenCompose(name -> afterBarrier(read, gate, onContinuation -> {
      // the namespace as of the read: a node that has not applied its creation yet (a follower behind, a restarted
      // node replaying its log) passes the barrier first, then finds it
      NamespaceInfo ns;
      try {
        ns = lookup(namespace);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(error(e));
      }
      if (revision == 0) { // a cache hit needs no I/O: answered on the thread that is running
        long readRevision = store.appliedRevision();
        Optional<VersionRecord> cached = store.getCurrentIfCached(ns.id(), key);
        if (cached != null) return CompletableFuture.completedFuture(new ValueRead(ns, key, 0, cached, readRevision));
      }
      java.util.function.Supplier<ValueRead> fromDisk = () -> {
        long readRevision = store.appliedRevision();
        Optional<VersionRecord> version = revision == 0 ? store.getCurrent(ns.id(), key) : store.getAt(ns, key, revision);
        return new ValueRead(ns, key, revision, version, revision == 0 ? readRevision : revision);
      };
      // on a continuation thread already: a point read is a short native call, read it here (one hop, as before)
      return onContinuation ? CompletableFuture.completedFuture(fromDisk.get())
          : CompletableFuture.supplyAsync(fromDisk, readers);
    }));
  }

  /**
   * Runs {@code read} once the read barrier is passed: on the caller's thread when it needs no wait (a stale read,
   * or a barrier already passed), else on a virtual thread — never on the consensus thread that completed the
   * barrier, which completes the barriers of every read of the node. {@code then} learns whether it runs on such
   * a continuation thread (true), where a short point read may run, or on the caller's (false: an event loop, where
   * nothing may block). {@code gate} is entered between the barrier and the read.
   */
  private <T> CompletableFuture<T> afterBarrier(ReadOptions read, ReadGate gate,
      java.util.function.Function<Boolean, CompletableFuture<T>> then) {
    CompletableFuture<Void> barrier = barrier(read);
    if (barrier.isDone() && !barrier.isCompletedExceptionally()) {
      CompletableFuture<Void> entered = gate.enter();
      if (entered.isDone() && !entered.isCompletedExceptionally()) return then.apply(false);
      return entered.thenComposeAsync(v -> then.apply(true), continuations);
    }
    return barrier.thenComposeAsync(v -> gate.enter().thenCompose(x -> then.apply(true)), continuations);
  }

  /**
   * Retained versions of a key, newest first, with revision below {@code before}: at most {@code limit} and, past
   * the first, at most {@code maxBytes} of them ({@code more} says whether older ones remain).
   */
  public CompletableFuture<RocksStore.HistoryPage> history(Caller caller, ReadOptions read, String namespace,
      byte[] key, long before, int limit, long maxBytes) {
    return history(caller, read, ReadGate.OPEN, namespace, key, before, limit, maxBytes);
  }

  /** As {@link #history(Caller, ReadOptions, String, byte[], long, int, long)}, entering {@code gate} first. */
  public CompletableFuture<RocksStore.HistoryPage> history(Caller caller, ReadOptions read, ReadGate gate,
      String namespace, byte[] key, long before, int limit, long maxBytes) {
    return dataAudited(caller, "data.history", namespace, () -> keyTarget(namespace, key), () -> start(() -> {
      auth.require(caller, Operation.READ, namespace, key);
      Command.validateNamespace(namespace);
      Command.validateKey(key);
      if (limit < 1 || before < 1 || maxBytes < 1) {
        throw new AionException(ErrorCode.BAD_REQUEST, "limit, before and maxBytes must be >= 1");
      }
      return namespace;
    }).thenCompose(name -> barrier(read).thenCompose(v -> gate.enter()).thenApplyAsync(
        v -> store.historyPage(lookup(namespace).id(), key, before, limit,
            Math.min(maxBytes, RocksStore.HISTORY_PAGE_MAX_BYTES)), readers))); // the namespace as of the read
  }

  /** One page of a query (parsed by the transport, off its event loop); query.* limits apply. */
  public CompletableFuture<QueryResult> query(Caller caller, ReadOptions read, String namespace, Query query) {
    return query(caller, read, ReadGate.OPEN, namespace, query);
  }

  /** As {@link #query(Caller, ReadOptions, String, Query)}, entering {@code gate} before the query runs. */
  public CompletableFuture<QueryResult> query(Caller caller, ReadOptions read, ReadGate gate, String namespace,
      Query query) {
    return dataAudited(caller, "data.query", namespace,
        () -> keyTarget(namespace, query == null ? null : queryScope(query)) + "*", () -> start(() -> {
      auth.require(caller, Operation.QUERY, namespace, queryScope(query)); // a prefix grant allows a query inside it
      Command.validateNamespace(namespace);
      return namespace;
    }).thenCompose(name -> barrier(read).thenCompose(v -> gate.enter())
        .thenApplyAsync(v -> queries.execute(query, lookup(namespace)), readers))); // the namespace as of the read
  }

  /**
   * Before a query is parsed: the caller may query {@code namespace} (else FORBIDDEN/UNAUTHENTICATED) and its name is
   * valid. Not whether it exists: that is decided after the read barrier ({@link #query}), so a node that has not
   * applied the namespace's creation yet does not answer NAMESPACE_NOT_FOUND for it.
   */
  public void checkQuery(Caller caller, String namespace) {
    auth.requireAuthenticated(caller, "query " + namespace); // the grant depends on the query's keys: see query()
    Command.validateNamespace(namespace);
  }

  /**
   * The keys a query can return, as one prefix for authorization: its {@code prefix}, or the prefix all keys of its
   * {@code start}/{@code end} range share when that is longer; null (the whole namespace) when neither bounds it.
   */
  static byte[] queryScope(Query q) {
    byte[] prefix = q.prefix() == null ? new byte[0] : q.prefix();
    byte[] range = q.start() == null ? new byte[0] : AuthService.coveringPrefix(q.start(), q.end());
    byte[] scope = range.length > prefix.length && startsWith(range, prefix) ? range : prefix;
    return scope.length == 0 ? null : scope;
  }

  private static boolean startsWith(byte[] a, byte[] prefix) {
    return a.length >= prefix.length && java.util.Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** The namespaces the caller may see (read, query or administer as a whole), sorted by name. */
  public List<NamespaceInfo> namespaces(Caller caller) {
    auth.requireAuthenticated(caller, "namespaces");
    return store.namespaces().stream().filter(ns -> mayDescribe(caller, ns.name()))
        .sorted(Comparator.comparing(NamespaceInfo::name)).toList();
  }

  private boolean mayDescribe(Caller caller, String namespace) {
    return auth.allows(caller, Operation.READ, namespace, null) || auth.allows(caller, Operation.QUERY, namespace, null)
        || auth.allows(caller, Operation.NAMESPACE_ADMIN, namespace, null);
  }

  /** The namespace, or {@code NAMESPACE_NOT_FOUND} (read from memory). */
  public NamespaceInfo namespace(Caller caller, String name) {
    if (!mayDescribe(caller, name)) auth.require(caller, Operation.READ, name, null);
    return lookup(name);
  }

  private NamespaceInfo lookup(String name) {
    Command.validateNamespace(name);
    return store.requireNamespace(name);
  }

  /** Indexes are shown to callers who may query the namespace or administer its indexes. */
  private void requireIndexView(Caller caller, String namespace) {
    if (!auth.allows(caller, Operation.INDEX_ADMIN, namespace, null)) auth.require(caller, Operation.QUERY, namespace, null);
  }

  /** A namespace's indexes sorted by name (read from memory). */
  public List<IndexDef> indexes(Caller caller, String namespace) {
    requireIndexView(caller, namespace);
    NamespaceInfo ns = lookup(namespace);
    return store.indexes(ns.id()).stream().sorted(Comparator.comparing(IndexDef::name)).toList();
  }

  /** One index, or {@code INDEX_NOT_FOUND}. */
  public IndexDef index(Caller caller, String namespace, String name) {
    requireIndexView(caller, namespace);
    NamespaceInfo ns = lookup(namespace);
    Command.validateIndexName(name);
    return store.index(ns.id(), name).orElseThrow(() -> new AionException(ErrorCode.INDEX_NOT_FOUND,
        "index '" + name + "' does not exist in namespace '" + ns.name() + "'"));
  }

  // ------------------------------------------------------------------ watches

  /**
   * Opens a watch whose events go to {@code sink} (from the watcher's own thread). Validates the spec and the watch
   * limits (watch.max, watch.max-per-client keyed by the caller's address) before anything is sent; a transport
   * checks its own per-connection limit first. The caller closes the watcher when its client goes away.
   */
  public Watcher watch(Caller caller, WatchSpec spec, WatchSink sink) {
    if (!audit.auditsData(spec.namespace())) return openWatch(caller, spec, sink);
    String target = keyTarget(spec.namespace(), spec.key()) + (spec.prefix() ? "*" : "");
    try {
      Watcher w = openWatch(caller, spec, sink);
      audit.record(caller, "data.watch", target, AuditLog.Outcome.success, "from revision " + spec.fromRevision());
      return w;
    } catch (RuntimeException e) {
      audit.record(caller, "data.watch", target, AuditLog.Outcome.failure, AuditLog.describe(e));
      throw e;
    }
  }

  private Watcher openWatch(Caller caller, WatchSpec spec, WatchSink sink) {
    auth.require(caller, Operation.WATCH, spec.namespace(), spec.key());
    Command.validateNamespace(spec.namespace());
    return watches.open(spec, sink, caller.remoteHost());
  }

  /** Watch limits (the transports apply watch.max-per-connection and watch.send-timeout with them). */
  public io.aiondb.server.watch.WatchLimits watchLimits() {
    return watches.limits();
  }

  // ------------------------------------------------------------------ plumbing

  /**
   * Any failure as the error a client sees: an {@link AionException} as it is; a timeout as {@code TIMEOUT};
   * anything else is a bug, logged here and answered {@code INTERNAL}.
   */
  public static AionException error(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof AionException a) return a;
    if (cause instanceof TimeoutException) return readTimeout(null);
    LOG.error("request failed", cause);
    return new AionException(ErrorCode.INTERNAL, "internal error; the server log has details");
  }

  private AionException writeTimeout() {
    return new AionException(ErrorCode.TIMEOUT, "the write did not complete within " + timeout + " (request.timeout); "
        + "its outcome is unknown: read the key before retrying a non-idempotent write");
  }

  private static AionException readTimeout(Duration timeout) {
    return new AionException(ErrorCode.TIMEOUT, "the read could not start within "
        + (timeout == null ? "request.timeout" : timeout + " (request.timeout)") + ": no leader confirmed the read "
        + "index (or the minRevision was not applied here) in time; nothing was changed, retry");
  }

  /** {@code f} bounded by request.timeout, failing only with {@link AionException}s. */
  private <T> CompletableFuture<T> bounded(CompletableFuture<T> f, boolean write) {
    return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      return CompletableFuture.failedFuture(cause instanceof TimeoutException
          ? (write ? writeTimeout() : readTimeout(timeout)) : error(cause));
    });
  }

  private CompletableFuture<Void> barrier(ReadOptions read) {
    if (read.immediate()) return CompletableFuture.completedFuture(null);
    CompletableFuture<Void> b;
    try {
      b = consensus.readBarrier(read.consistency(), read.minRevision());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(error(e));
    }
    return bounded(b, false);
  }

  /** The synchronous checks of a request: their exception fails the future, it is never thrown at the transport. */
  private static <T> CompletableFuture<T> start(Supplier<T> checks) {
    try {
      return CompletableFuture.completedFuture(checks.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(error(e));
    }
  }

  @Override
  public void close() {
    readers.shutdown();
    continuations.shutdown();
  }
}
