package io.aiondb.server.watch;

import io.aiondb.server.AionException;
import java.util.List;

/**
 * Where a {@link Watcher} delivers, e.g. an HTTP stream or a binary-protocol connection. Methods are called from the
 * watcher's own (virtual) thread, one at a time; they may block until the transport accepted the data, which is
 * how a slow client slows its watcher down instead of filling memory.
 */
public interface WatchSink {
  /** The matching events of one revision, in key order. Returns false when the client is gone (the watch ends). */
  boolean events(long revision, List<WatchEvent> events);

  /** Nothing matched up to and including {@code revision}: a resume point for an idle watch. False: client gone. */
  boolean progress(long revision);

  /** The watch ended with an error (start revision compacted, namespace dropped, node shutting down). */
  void failed(AionException error);
}
