package io.aiondb.server.backup;

import java.util.concurrent.atomic.AtomicLong;

/** Bytes and files of one backup operation: what there is, what is done, what was already in the store. */
public final class Progress {
  private final AtomicLong bytesTotal = new AtomicLong();
  private final AtomicLong filesTotal = new AtomicLong();
  private final AtomicLong bytesDone = new AtomicLong();
  private final AtomicLong filesDone = new AtomicLong();
  private final AtomicLong filesReused = new AtomicLong();
  private final AtomicLong bytesReused = new AtomicLong();
  private final long startNanos = System.nanoTime();

  void addTotal(long bytes) {
    bytesTotal.addAndGet(bytes);
    filesTotal.incrementAndGet();
  }

  /** Bytes moved (uploaded or downloaded). */
  void done(long bytes) {
    bytesDone.addAndGet(bytes);
  }

  /** A file finished moving. */
  void uploaded() {
    filesDone.incrementAndGet();
  }

  /** A file that needed no transfer (already stored, or checked by size only). */
  void reused(long bytes) {
    bytesReused.addAndGet(bytes);
    bytesDone.addAndGet(bytes);
    filesReused.incrementAndGet();
    filesDone.incrementAndGet();
  }

  public long bytesTotal() { return bytesTotal.get(); }
  public long filesTotal() { return filesTotal.get(); }
  public long bytesDone() { return bytesDone.get(); }
  public long filesDone() { return filesDone.get(); }
  public long filesReused() { return filesReused.get(); }
  public long bytesReused() { return bytesReused.get(); }

  /** Bytes actually moved per second since the operation started. */
  public long bytesPerSecond() {
    double s = (System.nanoTime() - startNanos) / 1e9;
    return s <= 0 ? 0 : (long) ((bytesDone.get() - bytesReused.get()) / s);
  }
}
