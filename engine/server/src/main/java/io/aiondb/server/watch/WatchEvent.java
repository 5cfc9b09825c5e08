package io.aiondb.server.watch;

import io.aiondb.server.storage.VersionRecord;

/** One change: the version a revision wrote for a key (a tombstone for a delete). */
public record WatchEvent(byte[] key, VersionRecord version) {
  public boolean deleted() {
    return version.tombstone();
  }
}
