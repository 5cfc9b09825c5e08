package io.aiondb.server.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.Node;
import io.aiondb.server.config.ConfigLoader;
import io.aiondb.server.consensus.ReadConsistency;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.TxnOp;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.watch.WatchEvent;
import io.aiondb.server.watch.WatchSink;
import io.aiondb.server.watch.WatchSpec;
import io.aiondb.server.watch.Watcher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service layer's contract on a real one-node cluster (RocksDB, a one-member Raft group): what both transports
 * rely on, checked once below them. The transports' own tests (HttpApiIT, NativeClientIT) check the encoding.
 */
class KvServiceIT {
  @TempDir
  static Path dir;
  static Node node;
  static KvService service;
  static final Caller CALLER = Caller.protocol("127.0.0.1");

  @BeforeAll
  static void start() throws Exception {
    node = new Node(ConfigLoader.load(new String[] {"--data.dir=" + dir, "--raft.port=0", "--request.timeout=2s",
        "--watch.max-per-client=3"},
        Map.of(), null), Clock.systemUTC());
    service = node.service();
    await().atMost(Duration.ofSeconds(30)).until(node::ready);
    // the first write after start may wait out an election on a busy machine: retried until it lands
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> service.createNamespace(CALLER, "svc").get(10, TimeUnit.SECONDS) != null);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The code a failed service future carries (the future never fails with anything but an AionException). */
  private static ErrorCode codeOf(CompletableFuture<?> f) {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(AionException.class);
      return ((AionException) e.getCause()).code();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the future succeeded");
  }

  @Test
  void invalidValuesAreRefusedBeforeAnythingIsProposed() throws Exception {
    long applied = node.store().appliedIndex();
    assertThat(codeOf(service.put(CALLER, new Command.Put("svc", b("k"), b("{\"age\":1e999}"), ContentType.JSON,
        Command.ANY_REVISION)))).isEqualTo(ErrorCode.INVALID_JSON);
    Command.Txn txn = new Command.Txn(List.of(), List.of(new TxnOp.Put("svc", b("t"), b("{"), ContentType.JSON)), List.of());
    assertThat(codeOf(service.txn(CALLER, txn))).isEqualTo(ErrorCode.INVALID_JSON);
    assertThat(codeOf(service.put(CALLER, new Command.Put("svc", b("k"), new byte[] {(byte) 0xff}, ContentType.TEXT,
        Command.ANY_REVISION)))).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(node.store().appliedIndex()).as("nothing reached the log").isEqualTo(applied);
  }

  @Test
  void rejectionsFailWithTheStateMachinesCodeAndWriteNothing() throws Exception {
    long revision = node.store().appliedRevision();
    assertThat(codeOf(service.put(CALLER, new Command.Put("svc", b("cas"), b("v"), ContentType.TEXT, 12345))))
        .isEqualTo(ErrorCode.REVISION_MISMATCH);
    assertThat(codeOf(service.put(CALLER, new Command.Put("nope", b("k"), b("v"), ContentType.TEXT, Command.ANY_REVISION))))
        .isEqualTo(ErrorCode.NAMESPACE_NOT_FOUND);
    assertThat(node.store().appliedRevision()).isEqualTo(revision);
  }

  @Test
  void readsSeeAcknowledgedWritesAtEveryConsistencyLevel() throws Exception {
    var w = service.put(CALLER, new Command.Put("svc", b("r"), b("v1"), ContentType.TEXT, Command.ANY_REVISION))
        .get(10, TimeUnit.SECONDS);
    var linearizable = service.get(CALLER, ReadOptions.LINEARIZABLE, "svc", b("r"), 0).get(10, TimeUnit.SECONDS);
    assertThat(linearizable.version()).hasValueSatisfying(v -> assertThat(v.revision()).isEqualTo(w.revision()));
    assertThat(linearizable.readRevision()).isGreaterThanOrEqualTo(w.revision());
    var stale = service.get(CALLER, new ReadOptions(ReadConsistency.STALE, w.revision()), "svc", b("r"), 0)
        .get(10, TimeUnit.SECONDS);
    assertThat(new String(stale.version().orElseThrow().value(), StandardCharsets.UTF_8)).isEqualTo("v1");
    var atRevision = service.get(CALLER, ReadOptions.LINEARIZABLE, "svc", b("r"), w.revision()).get(10, TimeUnit.SECONDS);
    assertThat(atRevision.readRevision()).isEqualTo(w.revision());
    var history = service.history(CALLER, ReadOptions.LINEARIZABLE, "svc", b("r"), Long.MAX_VALUE, 10, 1 << 20)
        .get(10, TimeUnit.SECONDS);
    assertThat(history.versions()).extracting(v -> v.revision()).contains(w.revision());
    var missing = service.get(CALLER, ReadOptions.LINEARIZABLE, "svc", b("absent"), 0).get(10, TimeUnit.SECONDS);
    assertThat(missing.version()).isEmpty();
  }

  @Test
  void aReadWhoseRevisionNeverComesTimesOutWithinTheRequestTimeout() {
    long future = node.store().appliedRevision() + 1_000_000;
    long start = System.nanoTime();
    CompletableFuture<?> f = service.get(CALLER, new ReadOptions(ReadConsistency.STALE, future), "svc", b("r"), 0);
    assertThat(codeOf(f)).isEqualTo(ErrorCode.TIMEOUT);
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(tookMillis).as("request.timeout is 2s").isBetween(1_900L, 8_000L);
    assertThatThrownBy(f::join).hasRootCauseMessage(
        "the read could not start within PT2S (request.timeout): no leader confirmed the read index (or the minRevision "
            + "was not applied here) in time; nothing was changed, retry");
  }

  @Test
  void theReadGateIsEnteredOnlyOnceTheBarrierIsPassed() throws Exception {
    long next = node.store().appliedRevision() + 1;
    java.util.concurrent.atomic.AtomicLong enteredAt = new java.util.concurrent.atomic.AtomicLong(-1);
    ReadGate gate = () -> {
      enteredAt.set(node.store().appliedRevision());
      return CompletableFuture.completedFuture(null);
    };
    var read = service.get(CALLER, new ReadOptions(ReadConsistency.STALE, next), gate, "svc", b("gate"), 0);
    // what a transport holds for the read (the protocol's answer reservation) is not held while the read waits
    assertThat(enteredAt.get()).as("entered before revision " + next + " was applied").isEqualTo(-1);
    service.put(CALLER, new Command.Put("svc", b("gate"), b("v"), ContentType.TEXT, Command.ANY_REVISION))
        .get(10, TimeUnit.SECONDS);
    assertThat(read.get(10, TimeUnit.SECONDS).version()).isPresent();
    assertThat(enteredAt.get()).isGreaterThanOrEqualTo(next);
    ReadGate refusing = () -> CompletableFuture.failedFuture(new AionException(ErrorCode.UNAVAILABLE, "closed"));
    assertThat(codeOf(service.get(CALLER, ReadOptions.LINEARIZABLE, refusing, "svc", b("gate"), 0)))
        .as("a gate that cannot be entered fails the read").isEqualTo(ErrorCode.UNAVAILABLE);
  }

  @Test
  void badRequestsFailTheFutureInsteadOfThrowingAtTheTransport() {
    // a transport calls from its event loop: a synchronous throw would escape its error handling
    assertThat(codeOf(service.get(CALLER, ReadOptions.LINEARIZABLE, "missing", b("k"), 0)))
        .isEqualTo(ErrorCode.NAMESPACE_NOT_FOUND);
    assertThat(codeOf(service.get(CALLER, ReadOptions.LINEARIZABLE, "svc", new byte[0], 0)))
        .isEqualTo(ErrorCode.INVALID_KEY);
    assertThat(codeOf(service.history(CALLER, ReadOptions.LINEARIZABLE, "svc", b("k"), Long.MAX_VALUE, 0, 1)))
        .isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(codeOf(service.get(CALLER, ReadOptions.LINEARIZABLE, "Bad Name!", b("k"), 0)))
        .isEqualTo(ErrorCode.INVALID_NAMESPACE);
  }

  @Test
  void anythingButAnAionExceptionIsAnInternalErrorWithoutItsDetails() {
    AionException e = KvService.error(new java.util.concurrent.CompletionException(new NullPointerException("secret")));
    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(e.getMessage()).doesNotContain("secret");
    AionException original = new AionException(ErrorCode.OVERLOADED, "busy");
    assertThat(KvService.error(new java.util.concurrent.CompletionException(original))).isSameAs(original);
  }

  @Test
  void watchLimitsPerClientAreKeyedByTheCallersAddress() throws Exception {
    int perClient = service.watchLimits().maxPerClient();
    List<Watcher> open = new CopyOnWriteArrayList<>();
    WatchSink sink = new WatchSink() {
      @Override
      public boolean events(long revision, List<WatchEvent> events) {
        return true;
      }

      @Override
      public boolean progress(long revision) {
        return true;
      }

      @Override
      public void failed(AionException error) {}
    };
    Caller one = Caller.http("10.0.0.1");
    try {
      for (int i = 0; i < perClient; i++) open.add(service.watch(one, new WatchSpec("svc", b("w"), true, 0), sink));
      assertThatThrownBy(() -> service.watch(Caller.protocol("10.0.0.1"), new WatchSpec("svc", b("w"), true, 0), sink))
          .as("the same client over the other transport").isInstanceOfSatisfying(AionException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_WATCHES));
      open.add(service.watch(Caller.http("10.0.0.2"), new WatchSpec("svc", b("w"), true, 0), sink));
    } finally {
      open.forEach(Watcher::close);
    }
  }

  @Test
  void aCreatedIndexIsBuilt() throws Exception {
    service.put(CALLER, new Command.Put("svc", b("doc"), b("{\"n\":3}"), ContentType.JSON, Command.ANY_REVISION))
        .get(10, TimeUnit.SECONDS);
    var created = service.createIndex(CALLER, new Command.CreateIndex("svc", "by-n", "$.n",
        io.aiondb.server.storage.IndexDef.Type.NUMBER, false)).get(10, TimeUnit.SECONDS);
    assertThat(created.created()).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() ->
        service.index(CALLER, "svc", "by-n").state() == io.aiondb.server.storage.IndexDef.State.READY);
    assertThat(codeOf(service.dropIndex(CALLER, new Command.DropIndex("missing", "x"))))
        .isEqualTo(ErrorCode.NAMESPACE_NOT_FOUND);
  }
}
