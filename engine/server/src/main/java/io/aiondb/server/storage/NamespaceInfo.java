package io.aiondb.server.storage;

import java.nio.ByteBuffer;

/**
 * A namespace as stored under {@code ns/<name>} in the meta column family.
 *
 * @param gcRevision      reads at a revision below this may miss keys whose whole history was compacted away, so
 *                        they answer {@code HISTORY_COMPACTED}
 * @param compactRevision the newest revision of any version that retention removed: a watch can resume only from a
 *                        revision above it (older changes may be missing from the change feed)
 */
public record NamespaceInfo(String name, int id, long createdMillis, long gcRevision, long compactRevision) {
  public NamespaceInfo(String name, int id, long createdMillis, long gcRevision) {
    this(name, id, createdMillis, gcRevision, 0);
  }

  public byte[] encode() {
    return ByteBuffer.allocate(28).putInt(id).putLong(createdMillis).putLong(gcRevision).putLong(compactRevision).array();
  }

  /** Reads both layouts: 20 bytes (before the change feed) and 28. */
  public static NamespaceInfo decode(String name, byte[] b) {
    ByteBuffer buf = ByteBuffer.wrap(b);
    int id = buf.getInt();
    long created = buf.getLong();
    long gc = buf.getLong();
    return new NamespaceInfo(name, id, created, gc, buf.remaining() >= 8 ? buf.getLong() : 0);
  }

  public NamespaceInfo withGcRevision(long rev) {
    return new NamespaceInfo(name, id, createdMillis, Math.max(gcRevision, rev), compactRevision);
  }

  public NamespaceInfo withCompactRevision(long rev) {
    return new NamespaceInfo(name, id, createdMillis, gcRevision, Math.max(compactRevision, rev));
  }
}
