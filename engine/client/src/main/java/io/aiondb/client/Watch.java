package io.aiondb.client;

import io.aiondb.client.protocol.Frames;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * A running watch (see {@link Aion#watch}). It runs on a connection of its own and resumes on another member after
 * a failure, from the revision after the last one delivered, so the listener sees each revision once, in order.
 * {@link #close()} ends it.
 */
public final class Watch implements AutoCloseable {
  private final Aion db;
  private final String ns;
  private final byte[] key;
  private final boolean prefix;
  private final WatchListener listener;
  private volatile long next; // the first revision not yet delivered (0: from now)
  private volatile boolean closed;
  private volatile Connection conn;
  private volatile long streamId = -1;
  private final Thread runner;
  private final Object lock = new Object();
  private AionException ended; // why the current stream ended, null while it runs

  Watch(Aion db, String ns, byte[] key, boolean prefix, long fromRevision, WatchListener listener) {
    this.db = db;
    this.ns = ns;
    this.key = key.clone();
    this.prefix = prefix;
    this.listener = listener;
    this.next = fromRevision;
    this.runner = Thread.ofVirtual().name("aion-watch-" + ns).start(this::run);
  }

  /** The next revision this watch will deliver (after the last delivered event or progress mark). */
  public long nextRevision() {
    return next;
  }

  private void run() {
    int failures = 0;
    AionException terminal = null;
    while (!closed && !db.closed()) {
      AionException why;
      try {
        why = stream();
      } catch (AionException e) {
        why = e; // could not connect
      }
      if (closed) break;
      if (why instanceof AionException.Compacted || why instanceof AionException.NotFound
          || why instanceof AionException.InvalidRequest) {
        terminal = why;
        break;
      }
      failures++;
      long backoff = Math.min(2000, 25L << Math.min(failures, 6));
      LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(backoff + 1) * 1_000_000L);
      db.refresh().exceptionally(e -> null).join();
    }
    closeConnection();
    listener.onClose(terminal);
  }

  /** Runs one stream until it ends; returns why. */
  private AionException stream() {
    Connection c = db.watchConnection();
    conn = c;
    synchronized (lock) {
      ended = null;
    }
    byte[] p = io.aiondb.client.protocol.Requests.watch(ns, prefix, key, next);
    long id = c.stream(Frames.WATCH, p, new Connection.StreamHandler() {
      @Override
      public void frame(int kind, byte[] payload) {
        if (kind == Frames.EVENT) {
          deliver(payload);
        } else {
          Frames.In r = new Frames.In(payload);
          end(kind == Frames.ERROR ? AionException.of(r.string(), r.string())
              : new AionException.Unavailable("END", "the watch was cancelled"));
        }
      }

      @Override
      public void broken(AionException e) {
        end(e);
      }
    });
    if (id < 0) return new AionException.Unavailable("CONNECTION_LOST", "the connection closed");
    streamId = id;
    synchronized (lock) {
      while (ended == null && !closed) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return new AionException.Unavailable("INTERRUPTED", "interrupted");
        }
      }
      c.endStream(id);
      c.close();
      return ended;
    }
  }

  private void end(AionException e) {
    synchronized (lock) {
      ended = e;
      lock.notifyAll();
    }
  }

  /** An EVENT payload: the changes of one revision, or (events null) a progress mark. */
  record Event(long revision, List<WatchEvent> events) {}

  static Event decode(byte[] payload) {
    Frames.In r = new Frames.In(payload);
    int type = r.u8();
    long revision = r.i64();
    if (type == 2) return new Event(revision, null);
    if (type != 1) throw new IllegalStateException("protocol error: watch event type " + type);
    long n = r.u32();
    List<WatchEvent> events = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      byte[] k = r.bytes();
      Aion.RawVersion v = Aion.RawVersion.read(r);
      events.add(new WatchEvent(revision, k, v.deleted(), v.deleted() ? null : v.keyValue(revision)));
    }
    return new Event(revision, events);
  }

  private void deliver(byte[] payload) {
    if (closed) return;
    Event e = decode(payload);
    if (e.revision() < next) return; // never deliver twice (cannot happen with a correct server; cheap to guard)
    next = e.revision() + 1;
    if (e.events() == null) listener.onProgress(e.revision());
    else listener.onEvents(e.revision(), e.events());
  }

  private void closeConnection() {
    Connection c = conn;
    if (c != null) c.close();
  }

  @Override
  public void close() {
    closed = true;
    end(null);
    synchronized (lock) {
      lock.notifyAll();
    }
    closeConnection();
    runner.interrupt();
  }
}
