package io.aiondb.ycsb.jmh;

import io.aiondb.server.storage.Keys;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Key encoding on every write and read ({@link Keys}): the {@code kv} key, the escaped {@code history} key, and
 * decoding the user key back out of a history key (scans of history). Keys are YCSB-shaped ({@code user} + digits)
 * or contain zero bytes, which the escape doubles.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KeysBenchmark {
  @Param({"ycsb", "binary"})
  public String shape;

  private byte[] key;
  private byte[] historyKey;
  private long revision = 123_456_789L;

  @Setup
  public void setup() {
    key = switch (shape) {
      case "ycsb" -> "user6284781860667377211".getBytes(StandardCharsets.UTF_8);
      case "binary" -> new byte[] {1, 0, 2, 0, 0, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0, 11, 12, 13, 14, 15, 0, 16, 17};
      default -> throw new IllegalArgumentException(shape);
    };
    historyKey = Keys.history(7, key, revision);
  }

  @Benchmark
  public byte[] currentKey() {
    return Keys.current(7, key);
  }

  @Benchmark
  public byte[] historyKey() {
    return Keys.history(7, key, ++revision);
  }

  @Benchmark
  public byte[] userKeyOfHistory() {
    return Keys.userKeyOfHistory(historyKey);
  }

  @Benchmark
  public long revisionOfHistory() {
    return Keys.revisionOfHistory(historyKey);
  }
}
