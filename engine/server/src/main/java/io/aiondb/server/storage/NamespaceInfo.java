package io.aiondb.server.storage;

import java.nio.ByteBuffer;

/**
 * A namespace as stored under {@code ns/<name>} in the meta column family.
 *
 * @param gcRevision reads at a revision below this may miss keys whose whole history was compacted away, so they
 *                   answer {@code HISTORY_COMPACTED}
 */
public record NamespaceInfo(String name, int id, long createdMillis, long gcRevision) {
  public byte[] encode() {
    return ByteBuffer.allocate(20).putInt(id).putLong(createdMillis).putLong(gcRevision).array();
  }

  public static NamespaceInfo decode(String name, byte[] b) {
    ByteBuffer buf = ByteBuffer.wrap(b);
    return new NamespaceInfo(name, buf.getInt(), buf.getLong(), buf.getLong());
  }

  public NamespaceInfo withGcRevision(long rev) {
    return new NamespaceInfo(name, id, createdMillis, Math.max(gcRevision, rev));
  }
}
