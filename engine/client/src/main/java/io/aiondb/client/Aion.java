package io.aiondb.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.client.protocol.Frames;
import io.aiondb.client.protocol.Requests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The native Java client: Aion's binary protocol (docs/protocol.md) over the JDK's sockets — no Netty, no Vert.x.
 * Thread-safe; share one per application.
 *
 * <ul>
 *   <li>Finds the cluster from any seed node, keeps its member list, and sends writes and linearizable reads to the
 *       leader (any node would forward them; the leader saves a hop). After a failover it asks the members again.</li>
 *   <li>Pools {@link Builder#connectionsPerNode} connections per node; each carries many requests at once.</li>
 *   <li>Retries with exponential backoff and full jitter until {@link Builder#requestTimeout}: always when nothing
 *       was done (node unreachable, no leader: {@code UNAVAILABLE}), and for reads also when the outcome was
 *       unknown. A write whose outcome is unknown (connection lost after sending, server timeout) is never retried
 *       blindly: it fails with {@link AionException.UnknownOutcome}.</li>
 *   <li>Every method has an async form returning a {@link CompletableFuture} and a blocking form.</li>
 * </ul>
 */
public final class Aion implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Options; {@link Aion#builder()}. */
  public static final class Builder {
    private final List<String> seeds = new ArrayList<>();
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(2);
    private int connectionsPerNode = 2;
    private String clientName = "aion-java";
    private java.util.function.UnaryOperator<String> addressMapper = a -> a;
    private javax.net.ssl.SSLContext tls;
    private String token;
    private io.opentelemetry.api.OpenTelemetry openTelemetry;

    /** Protocol addresses ({@code host:port}) of one or more members; comma-separated lists are split. */
    public Builder seeds(String... addresses) {
      for (String a : addresses) {
        for (String s : a.split(",")) if (!s.isBlank()) seeds.add(s.trim());
      }
      return this;
    }

    /** How long one call may take in all, retries included. */
    public Builder requestTimeout(Duration d) {
      requestTimeout = d;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      connectTimeout = d;
      return this;
    }

    public Builder connectionsPerNode(int n) {
      if (n < 1) throw new IllegalArgumentException("connectionsPerNode >= 1");
      connectionsPerNode = n;
      return this;
    }

    public Builder clientName(String name) {
      clientName = name;
      return this;
    }

    /**
     * Translates the members' advertised addresses ({@code host:port}) into ones this client can reach, e.g. when
     * it runs outside the cluster's network. Default: as advertised.
     */
    public Builder addressMapper(java.util.function.UnaryOperator<String> mapper) {
      addressMapper = mapper;
      return this;
    }

    /**
     * TLS for a cluster started with {@code tls.cert-file}: members' certificates are checked against the context's
     * trust and must name the address dialled. {@link ClientTls#fromPem} builds one from PEM files.
     */
    public Builder tls(javax.net.ssl.SSLContext context) {
      tls = context;
      return this;
    }

    /**
     * A bearer token (from {@code POST /v1/auth/login}, docs/security.md) sent on every connection after HELLO, for a
     * cluster with {@code auth.enabled}. A refused token fails calls with code {@code UNAUTHENTICATED}.
     */
    public Builder token(String bearerToken) {
      if (bearerToken != null && (bearerToken.isEmpty() || bearerToken.length() > 4096)) {
        throw new IllegalArgumentException("a token has 1 to 4096 characters");
      }
      token = bearerToken;
      return this;
    }

    /**
     * Traces (docs/client.md "Tracing"): a CLIENT span per request from this OpenTelemetry, continuing the caller's
     * current span or starting a trace, and the servers' spans under it. Without it, a request made while a span is
     * current still carries that span's context.
     */
    public Builder openTelemetry(io.opentelemetry.api.OpenTelemetry otel) {
      openTelemetry = otel;
      return this;
    }

    /** Connects to the first reachable seed and learns the cluster. */
    public Aion connect() {
      if (seeds.isEmpty()) throw new IllegalArgumentException("give at least one seed address (host:port)");
      return new Aion(this);
    }
  }

  private final Builder options;
  private final ClientTracing tracing;
  private final Map<String, Connection[]> pool = new ConcurrentHashMap<>();
  private volatile List<Member> members = List.of();
  private volatile String leaderAddress;
  private volatile boolean closed;

  public static Builder builder() {
    return new Builder();
  }

  /** {@code Aion.connect("127.0.0.1:7071")} or a comma-separated list of members. */
  public static Aion connect(String seeds) {
    return builder().seeds(seeds).connect();
  }

  private Aion(Builder b) {
    this.options = b;
    this.tracing = new ClientTracing(b.openTelemetry);
    join(refreshTopology());
  }

  // ------------------------------------------------------------------ topology and connections

  /** Asks any reachable node (members first, then the seeds) who the members and the leader are. */
  private CompletableFuture<Void> refreshTopology() {
    List<String> candidates = new ArrayList<>();
    members.forEach(m -> candidates.add(m.address()));
    for (String s : options.seeds) if (!candidates.contains(s)) candidates.add(s);
    return tryTopology(candidates, 0, null);
  }

  private CompletableFuture<Void> tryTopology(List<String> candidates, int i, AionException last) {
    if (i >= candidates.size()) {
      return CompletableFuture.failedFuture(last != null ? last
          : new AionException.Unavailable("UNREACHABLE", "no member reachable: " + candidates));
    }
    Connection c;
    try {
      c = connection(candidates.get(i));
    } catch (AionException e) {
      return tryTopology(candidates, i + 1, e);
    }
    return c.call(Frames.CLUSTER, new byte[0]).thenAccept(this::applyTopology).exceptionallyCompose(e -> {
      AionException a = unwrap(e);
      return tryTopology(candidates, i + 1, a);
    });
  }

  private void applyTopology(byte[] payload) {
    Frames.In r = new Frames.In(payload);
    String leader = r.string();
    int n = r.u16();
    List<Member> ms = new ArrayList<>();
    String leaderAddr = null;
    for (int i = 0; i < n; i++) {
      String id = r.string();
      int role = r.u8();
      String host = r.string();
      int port = r.u16();
      int httpPort = r.u16();
      String address = options.addressMapper.apply(host + ":" + port);
      ms.add(new Member(id, switch (role) {
        case 0 -> "LEADER";
        case 1 -> "FOLLOWER";
        case 2 -> "LEARNER";
        default -> "UNKNOWN";
      }, address, httpPort));
      if (id.equals(leader)) leaderAddr = address;
    }
    members = List.copyOf(ms);
    leaderAddress = leaderAddr;
  }

  /** A live pooled connection to {@code address}, opening one if needed. */
  private Connection connection(String address) {
    if (closed) throw new AionException.Unavailable("CLOSED", "the client is closed");
    Connection[] slots = pool.computeIfAbsent(address, a -> new Connection[options.connectionsPerNode]);
    int i = ThreadLocalRandom.current().nextInt(slots.length);
    Connection c = slots[i];
    if (c != null && c.isOpen()) return c;
    synchronized (slots) {
      c = slots[i];
      if (c == null || !c.isOpen()) {
        c = Connection.open(address, options.connectTimeout, options.clientName, options.tls, options.token);
        c.tracing(tracing);
        slots[i] = c;
      }
      return c;
    }
  }

  private String target(boolean leader) {
    String l = leaderAddress;
    if (leader && l != null) return l;
    List<Member> ms = members;
    if (!ms.isEmpty()) return ms.get(ThreadLocalRandom.current().nextInt(ms.size())).address();
    return options.seeds.get(ThreadLocalRandom.current().nextInt(options.seeds.size()));
  }

  /** The members as last learned (refreshed after failures). */
  public List<Member> members() {
    join(refreshTopology());
    return members;
  }

  // ------------------------------------------------------------------ calls with retries

  /**
   * @param toLeader   send to the leader when known
   * @param idempotent safe to repeat when the outcome of an attempt is unknown
   */
  CompletableFuture<byte[]> call(int kind, byte[] payload, boolean toLeader, boolean idempotent) {
    long deadline = System.nanoTime() + options.requestTimeout.toNanos();
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    // the caller's trace context, for every attempt: retries run on other threads (docs/client.md "Tracing")
    attempt(kind, payload, toLeader, idempotent, deadline, 0, result, io.opentelemetry.context.Context.current());
    return result;
  }

  private void attempt(int kind, byte[] payload, boolean toLeader, boolean idempotent, long deadline, int n,
      CompletableFuture<byte[]> result, io.opentelemetry.context.Context trace) {
    CompletableFuture<byte[]> f;
    long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    try (io.opentelemetry.context.Scope ignored = trace.makeCurrent()) {
      // an answer that never comes (a hung node) ends at the deadline too: its outcome is unknown
      f = connection(target(toLeader)).call(kind, payload).orTimeout(left, TimeUnit.MILLISECONDS)
          .exceptionallyCompose(e -> Aion.unwrapRaw(e) instanceof java.util.concurrent.TimeoutException
              ? CompletableFuture.failedFuture(new AionException.UnknownOutcome("TIMEOUT",
                  "no answer within the request timeout of " + options.requestTimeout))
              : CompletableFuture.failedFuture(e));
    } catch (AionException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((bytes, err) -> {
      if (err == null) {
        result.complete(bytes);
        return;
      }
      AionException e = unwrap(err);
      boolean nothingDone = e instanceof AionException.Unavailable;
      boolean retry = !closed && (nothingDone || (idempotent && e instanceof AionException.UnknownOutcome));
      long remaining = deadline - System.nanoTime();
      if (!retry || remaining <= 0) {
        result.completeExceptionally(e);
        return;
      }
      leaderAddress = null; // ask again: the leader may have changed
      long backoff = Math.min(2000, 25L << Math.min(n, 6));
      long delay = Math.min(TimeUnit.NANOSECONDS.toMillis(remaining), ThreadLocalRandom.current().nextLong(backoff + 1));
      CompletableFuture.runAsync(() -> refreshTopology().whenComplete((v, te) ->
          attempt(kind, payload, toLeader, idempotent, deadline, n + 1, result, trace)),
          CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
    });
  }

  static Throwable unwrapRaw(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) c = c.getCause();
    return c;
  }

  static AionException unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) c = c.getCause();
    if (c instanceof AionException a) return a;
    return new AionException(500, "CLIENT", String.valueOf(c));
  }

  /** Waits for a future, rethrowing its {@link AionException}. */
  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AionException.Unavailable("INTERRUPTED", "interrupted while waiting for Aion");
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A {@code version} as the protocol lays it out. */
  record RawVersion(long revision, long createRevision, long version, long timestampMillis, boolean deleted,
      ValueType type, byte[] value) {
    static RawVersion read(Frames.In r) {
      return new RawVersion(r.i64(), r.i64(), r.i64(), r.i64(), r.bool(), ValueType.of(r.u8()), r.bytes());
    }

    KeyValue keyValue(long readRevision) {
      return new KeyValue(value, type.mediaType(), revision, createRevision, version,
          Instant.ofEpochMilli(timestampMillis).toString(), readRevision);
    }
  }

  static KeyValue version(Frames.In r, long readRevision) {
    return RawVersion.read(r).keyValue(readRevision);
  }

  /** The smallest key after every key starting with {@code prefix}, or null (no upper bound). */
  static byte[] prefixEnd(byte[] prefix) {
    byte[] end = Arrays.copyOf(prefix, prefix.length);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xFF) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ keys

  /** A read's answer with the revision it reflects (also when the key does not exist). */
  record ReadResult(Optional<KeyValue> value, long readRevision) {}

  CompletableFuture<ReadResult> read(String ns, byte[] key, Read read) {
    byte[] p = Requests.get(ns, key, read.revision(), read.allowStale(), read.minRevision());
    return call(Frames.GET, p, !read.allowStale(), true).thenApply(bytes -> {
      Frames.In r = new Frames.In(bytes);
      RawVersion v = r.bool() ? RawVersion.read(r) : null;
      long readRevision = r.i64();
      return new ReadResult(v == null ? Optional.empty() : Optional.of(v.keyValue(readRevision)), readRevision);
    });
  }

  public CompletableFuture<Optional<KeyValue>> getAsync(String ns, byte[] key, Read read) {
    return read(ns, key, read).thenApply(ReadResult::value);
  }

  public Optional<KeyValue> get(String ns, byte[] key, Read read) {
    return join(getAsync(ns, key, read));
  }

  public Optional<KeyValue> get(String ns, String key) {
    return get(ns, b(key), Read.linearizable());
  }

  /**
   * Writes a value. {@code expectedRevision}: -1 unconditional, 0 only if absent, N only if the key's mod revision
   * is N (else {@link AionException.Conflict}).
   */
  public CompletableFuture<WriteResult> putAsync(String ns, byte[] key, byte[] value, ValueType type, long expectedRevision) {
    byte[] p = Requests.put(ns, key, type.code, expectedRevision, value);
    return call(Frames.PUT, p, true, false).thenApply(bytes -> {
      Frames.In r = new Frames.In(bytes);
      return new WriteResult(true, r.i64(), r.i64(), r.i64(), Instant.ofEpochMilli(r.i64()).toString());
    });
  }

  public WriteResult put(String ns, byte[] key, byte[] value, ValueType type, long expectedRevision) {
    return join(putAsync(ns, key, value, type, expectedRevision));
  }

  public WriteResult put(String ns, String key, String text) {
    return put(ns, b(key), b(text), ValueType.TEXT, -1);
  }

  /** Deletes a key; {@code applied} is false when it did not exist. {@code expectedRevision} -1 or N as for put. */
  public CompletableFuture<WriteResult> deleteAsync(String ns, byte[] key, long expectedRevision) {
    byte[] p = Requests.delete(ns, key, expectedRevision);
    return call(Frames.DELETE, p, true, false).thenApply(bytes -> {
      Frames.In r = new Frames.In(bytes);
      return new WriteResult(r.bool(), r.i64(), 0, 0, null);
    });
  }

  public WriteResult delete(String ns, String key) {
    return join(deleteAsync(ns, b(key), -1));
  }

  public WriteResult delete(String ns, byte[] key, long expectedRevision) {
    return join(deleteAsync(ns, key, expectedRevision));
  }

  /** Retained versions of a key, newest first ({@code before} 0: from the newest). */
  public List<KeyValue> history(String ns, byte[] key, int limit, long before) {
    byte[] p = Requests.history(ns, key, limit, before);
    return join(call(Frames.HISTORY, p, true, true).thenApply(bytes -> {
      Frames.In r = new Frames.In(bytes);
      long n = r.u32();
      List<KeyValue> out = new ArrayList<>();
      for (long i = 0; i < n; i++) out.add(version(r, 0));
      return out;
    }));
  }

  /** Runs a query (the JSON query language of docs/api.md); answers the same JSON as the HTTP API. */
  public CompletableFuture<JsonNode> queryAsync(String ns, String queryJson, Read read) {
    byte[] p = Requests.query(ns, read.allowStale(), read.minRevision(), b(queryJson));
    return call(Frames.QUERY, p, !read.allowStale(), true).thenApply(bytes -> {
      try {
        return JSON.readTree(new Frames.In(bytes).bytes());
      } catch (IOException e) {
        throw new AionException(500, "PROTOCOL", "the server answered a query with invalid JSON");
      }
    });
  }

  public JsonNode query(String ns, String queryJson) {
    return join(queryAsync(ns, queryJson, Read.linearizable()));
  }

  // ------------------------------------------------------------------ batch writes

  /**
   * A batch of puts into one namespace, written as one log entry: all or nothing, every key at one revision. For
   * bulk loads: one round trip and one consensus round for up to {@link PutBatch#MAX_ITEMS} keys.
   */
  public PutBatch putBatch(String ns) {
    return new PutBatch(this, ns);
  }

  /** Writes text values as one batch ({@link #putBatch}); keys are UTF-8. */
  public BatchResult putAll(String ns, Map<String, String> texts) {
    PutBatch batch = putBatch(ns);
    texts.forEach(batch::put);
    return batch.commit();
  }

  CompletableFuture<BatchResult> putBatch(byte[] encoded) {
    return call(Frames.PUT_BATCH, encoded, true, false).thenApply(Aion::batchResult);
  }

  static BatchResult batchResult(byte[] bytes) {
    Frames.In r = new Frames.In(bytes);
    long revision = r.i64();
    String timestamp = Instant.ofEpochMilli(r.i64()).toString();
    return new BatchResult(revision, (int) r.u32(), timestamp);
  }

  // ------------------------------------------------------------------ transactions

  /** A conditional transaction (one round trip, atomic). */
  public Txn txn() {
    return new Txn(this);
  }

  CompletableFuture<TxnResult> txn(byte[] encoded) {
    return call(Frames.TXN, encoded, true, false).thenApply(Aion::txnResult);
  }

  static TxnResult txnResult(byte[] bytes) {
    Frames.In r = new Frames.In(bytes);
    boolean ok = r.bool();
    long rev = r.i64();
    r.i64();
    int n = r.u16();
    List<TxnResult.OpResult> results = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int type = r.u8();
      results.add(switch (type) {
        case 1 -> new TxnResult.PutResult(r.i64(), r.i64(), r.i64());
        case 2 -> new TxnResult.DeleteResult(r.bool());
        case 3 -> new TxnResult.GetResult(r.bool() ? Optional.of(version(r, rev)) : Optional.empty());
        case 4 -> {
          boolean more = r.bool();
          long m = r.u32();
          List<Entry> entries = new ArrayList<>();
          for (long j = 0; j < m; j++) entries.add(new Entry(r.bytes(), version(r, rev)));
          yield new TxnResult.RangeResult(entries, more);
        }
        default -> throw new IllegalStateException("protocol error: transaction result type " + type);
      });
    }
    return new TxnResult(ok, rev, results);
  }

  /** An interactive transaction: reads at one snapshot, buffered writes, one atomic commit. */
  public Transaction begin() {
    return new Transaction(this);
  }

  /**
   * Runs {@code body} in an interactive transaction and commits it; on a conflict runs it again (with backoff), up
   * to {@code attempts} times. {@code body} must have no side effects outside the transaction.
   */
  public <T> T inTransaction(int attempts, Function<Transaction, T> body) {
    for (int i = 1; ; i++) {
      Transaction tx = begin();
      T value = body.apply(tx);
      try {
        tx.commit();
        return value;
      } catch (AionException.TransactionConflict | AionException.Compacted e) {
        if (i >= attempts) throw e;
        try {
          Thread.sleep(ThreadLocalRandom.current().nextLong(Math.min(500, 5L << Math.min(i, 7)) + 1)); // jittered backoff
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  // ------------------------------------------------------------------ watches

  /**
   * Watches a key ({@code prefix=false}) or a prefix from {@code fromRevision} (0: changes from now on). Survives
   * node failures: it reconnects to another member and resumes after the last revision it delivered.
   */
  public Watch watch(String ns, byte[] key, boolean prefix, long fromRevision, WatchListener listener) {
    return new Watch(this, ns, key, prefix, fromRevision, listener);
  }

  /** A dedicated connection for one watch (a slow listener then holds up nothing else). */
  Connection watchConnection() {
    List<String> candidates = new ArrayList<>();
    members.forEach(m -> candidates.add(m.address()));
    candidates.addAll(options.seeds);
    java.util.Collections.shuffle(candidates);
    AionException last = null;
    for (String a : candidates) {
      try {
        return Connection.open(a, options.connectTimeout, options.clientName + "-watch", options.tls, options.token);
      } catch (AionException e) {
        last = e;
      }
    }
    throw last != null ? last : new AionException.Unavailable("UNREACHABLE", "no member reachable");
  }

  boolean closed() {
    return closed;
  }

  CompletableFuture<Void> refresh() {
    return refreshTopology();
  }

  // ------------------------------------------------------------------ namespaces and cluster

  public boolean createNamespace(String ns) {
    return new Frames.In(join(call(Frames.NS_CREATE, Requests.namespace(ns), true, true))).bool();
  }

  public boolean dropNamespace(String ns) {
    return new Frames.In(join(call(Frames.NS_DROP, Requests.namespace(ns), true, true))).bool();
  }

  public List<String> namespaces() {
    Frames.In r = new Frames.In(join(call(Frames.NS_LIST, new byte[0], false, true)));
    int n = r.u16();
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(r.string());
    return out;
  }

  public void ping() {
    join(call(Frames.PING, new byte[0], false, true));
  }

  @Override
  public void close() {
    closed = true;
    for (Connection[] slots : pool.values()) {
      for (Connection c : slots) if (c != null) c.close();
    }
    pool.clear();
  }
}
