package io.aiondb.server.watch;

import io.aiondb.server.AionException;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/** A sink that keeps what it was given: each revision's events as "revision:key", progress marks, the failure. */
final class RecordingSink implements WatchSink {
  final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
  final AtomicLong lastRevision = new AtomicLong(-1);
  final AtomicLong lastProgress = new AtomicLong(-1);
  final AtomicLong eventCount = new AtomicLong();
  volatile AionException failure;
  private final boolean keep;

  RecordingSink(boolean keep) {
    this.keep = keep;
  }

  @Override
  public boolean events(long revision, List<WatchEvent> list) {
    if (revision <= lastRevision.get()) throw new AssertionError("revision " + revision + " after " + lastRevision.get());
    if (keep) for (WatchEvent e : list) events.add(revision + ":" + new String(e.key()));
    eventCount.addAndGet(list.size());
    lastRevision.set(revision);
    return true;
  }

  @Override
  public boolean progress(long revision) {
    lastProgress.set(revision);
    return true;
  }

  @Override
  public void failed(AionException error) {
    failure = error;
  }

  /** The newest revision this sink knows to be complete (an event or a progress mark). */
  long seen() {
    return Math.max(lastRevision.get(), lastProgress.get());
  }
}
