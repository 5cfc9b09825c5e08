package io.aiondb.ycsb.jmh;

import io.aiondb.server.state.Command;
import io.aiondb.server.state.KvStateMachine;
import io.aiondb.server.state.LogEntry;
import io.aiondb.server.storage.Batch;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.RocksStore;
import io.aiondb.server.storage.StorageOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Applying put commands with {@link KvStateMachine} to a real {@link RocksStore} in a temporary directory (as
 * KvStateMachineTest drives it), WAL sync off so the figure is the CPU and RocksDB cost of apply, not the disk's.
 * {@code entryPerBatch} commits each command in its own batch, as the server applies one Raft entry at a time today;
 * {@code oneBatch} applies the same {@link #COMMANDS} commands into one batch and commits once. Reported per command.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ApplyBenchmark {
  static final int COMMANDS = 16;
  private static final int KEYS = 100_000;

  @Param({"256", "1024"})
  public int valueBytes;

  private Path dir;
  private RocksStore store;
  private KvStateMachine sm;
  private long index;
  private long timestamp = 1_700_000_000_000L;
  private byte[] value;
  private byte[][] keys;
  private final SplittableRandom random = new SplittableRandom(42);

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("aion-jmh-apply");
    StorageOptions d = StorageOptions.defaults(dir);
    store = new RocksStore(new StorageOptions(d.dataDir(), null, 0, 0, false, d.blockCacheBytes(), d.writeBufferBytes(),
        d.readCacheBytes()));
    sm = new KvStateMachine(store);
    index = store.appliedIndex();
    try (Batch b = store.newBatch()) {
      sm.apply(new LogEntry(++index, timestamp, new Command.CreateNamespace("bench")), b);
      store.commit(b);
    }
    value = new byte[valueBytes];
    random.nextBytes(value);
    keys = new byte[KEYS][];
    for (int i = 0; i < KEYS; i++) keys[i] = ("user" + (i * 2654435761L % 10_000_000_000L)).getBytes(StandardCharsets.UTF_8);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  private LogEntry nextPut() {
    byte[] key = keys[random.nextInt(KEYS)];
    return new LogEntry(++index, ++timestamp,
        new Command.Put("bench", key, value, ContentType.OCTET_STREAM, Command.ANY_REVISION));
  }

  @Benchmark
  @OperationsPerInvocation(COMMANDS)
  public void entryPerBatch() {
    for (int i = 0; i < COMMANDS; i++) {
      try (Batch b = store.newBatch()) {
        sm.apply(nextPut(), b);
        store.commit(b);
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(COMMANDS)
  public void oneBatch() {
    try (Batch b = store.newBatch()) {
      for (int i = 0; i < COMMANDS; i++) sm.apply(nextPut(), b);
      store.commit(b);
    }
  }
}
