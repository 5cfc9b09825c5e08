package io.aiondb.client;

import java.util.List;

/**
 * Receives a watch's events, one revision at a time in increasing order, each exactly once (across reconnects).
 * Calls come from one thread at a time; a slow listener slows only its own watch.
 */
public interface WatchListener {
  void onEvents(long revision, List<WatchEvent> events);

  /** Nothing matched up to {@code revision} (the watch is caught up). */
  default void onProgress(long revision) {}

  /** The watch ended for good (start revision compacted, namespace dropped, or closed by the client: null). */
  default void onClose(AionException error) {}
}
