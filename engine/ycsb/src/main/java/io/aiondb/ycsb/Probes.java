package io.aiondb.ycsb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/**
 * The physical limits under the peer benchmark, measured on the same machine and disk: how many durable appends per
 * second the data disk takes, how many synced puts per second RocksDB reaches alone (one writer, and concurrent
 * writers whose syncs RocksDB's write group shares), and the loopback TCP round-trip time. Prints Markdown bullets.
 *
 * <pre>Probes --dir DIR [--seconds 3] [--threads 1,16,64]</pre>
 */
public final class Probes {
  private Probes() {}

  /** Latencies in nanoseconds and the time they took. */
  record Sample(long count, double seconds, long[] nanos) {
    double perSecond() {
      return count / seconds;
    }

    double pctMicros(double p) {
      if (nanos.length == 0) return Double.NaN;
      long[] s = nanos.clone();
      Arrays.sort(s);
      return s[(int) Math.min(s.length - 1, Math.max(0, Math.ceil(p / 100 * s.length) - 1))] / 1e3;
    }
  }

  public static void main(String[] args) throws Exception {
    Path dir = null;
    int seconds = 3;
    int[] threads = {1, 16, 64};
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dir" -> dir = Path.of(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    if (dir == null) throw new IllegalArgumentException("--dir is required (a directory on the data disk)");
    Files.createDirectories(dir);
    Sample f = fdatasync(dir.resolve("fsync-probe"), seconds);
    System.out.printf(Locale.ROOT, "- Disk: %,.0f fdatasync/s after a 4 KiB append (one writer; p50 %.0f µs, p99 %.0f µs).%n",
        f.perSecond(), f.pctMicros(50), f.pctMicros(99));
    for (int t : threads) {
      Sample r = rocksSyncedPuts(dir.resolve("rocks-probe-" + t), t, seconds);
      System.out.printf(Locale.ROOT, "- RocksDB %s, WAL synced on every write (`sync=true`), 1 KB values: %,.0f puts/s "
          + "(p50 %.0f µs, p99 %.0f µs).%n", t == 1 ? "alone, one writer" : t + " concurrent writers (group commit)",
          r.perSecond(), r.pctMicros(50), r.pctMicros(99));
    }
    Sample rtt = loopbackRoundTrips(seconds);
    System.out.printf(Locale.ROOT, "- Loopback TCP round trip (1 byte each way, TCP_NODELAY, Java threads on both ends): "
        + "p50 %.0f µs, p99 %.0f µs (%,.0f round trips/s on one connection).%n", rtt.pctMicros(50), rtt.pctMicros(99), rtt.perSecond());
  }

  /** Appends 4 KiB and fdatasyncs (what a write-ahead log does per commit), for {@code seconds}. */
  static Sample fdatasync(Path file, int seconds) throws IOException {
    List<Long> lat = new ArrayList<>();
    ByteBuffer block = ByteBuffer.allocateDirect(4096);
    ThreadLocalRandom.current().ints(4096).forEach(i -> block.put((byte) i));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      long start = System.nanoTime();
      long end = start + seconds * 1_000_000_000L;
      long now = start;
      while (now < end) {
        block.rewind();
        ch.write(block);
        ch.force(false);
        long t = System.nanoTime();
        lat.add(t - now);
        now = t;
      }
      return new Sample(lat.size(), (now - start) / 1e9, lat.stream().mapToLong(Long::longValue).toArray());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** Puts of 1 KB values with {@code sync=true} from {@code threads} writers for {@code seconds}. */
  static Sample rocksSyncedPuts(Path dir, int threads, int seconds) throws Exception {
    RocksDB.loadLibrary();
    try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, dir.toString());
        WriteOptions sync = new WriteOptions().setSync(true)) {
      long[][] lat = new long[threads][];
      int[] counts = new int[threads];
      long start = System.nanoTime();
      long end = start + seconds * 1_000_000_000L;
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        ts.add(Thread.ofPlatform().start(() -> {
          long[] mine = new long[1 << 16];
          int n = 0;
          byte[] value = new byte[1024];
          ThreadLocalRandom.current().nextBytes(value);
          try {
            long now = System.nanoTime();
            while (now < end) {
              db.put(sync, ("k" + id + "-" + n).getBytes(), value);
              long after = System.nanoTime();
              if (n == mine.length) mine = Arrays.copyOf(mine, n * 2);
              mine[n++] = after - now;
              now = after;
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          lat[id] = Arrays.copyOf(mine, n);
          counts[id] = n;
        }));
      }
      for (Thread t : ts) t.join();
      double secs = (System.nanoTime() - start) / 1e9;
      return new Sample(Arrays.stream(counts).sum(), secs, Arrays.stream(lat).flatMapToLong(Arrays::stream).toArray());
    } finally {
      deleteTree(dir);
    }
  }

  /** One byte there and back over a loopback TCP connection, for {@code seconds}. */
  static Sample loopbackRoundTrips(int seconds) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread echo = Thread.ofPlatform().daemon().start(() -> {
        try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
          s.setTcpNoDelay(true);
          int b;
          while ((b = in.read()) >= 0) out.write(b);
        } catch (IOException ignored) {
          // the client closed
        }
      });
      List<Long> lat = new ArrayList<>();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
        s.setTcpNoDelay(true);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long now = start;
        while (now < end) {
          out.write(1);
          if (in.read() < 0) throw new IOException("echo closed");
          long t = System.nanoTime();
          lat.add(t - now);
          now = t;
        }
        echo.interrupt();
        return new Sample(lat.size(), (now - start) / 1e9, lat.stream().mapToLong(Long::longValue).toArray());
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
