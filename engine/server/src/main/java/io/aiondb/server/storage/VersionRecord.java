package io.aiondb.server.storage;

import java.nio.ByteBuffer;

/**
 * One version of a key, as stored in both the {@code kv} and the {@code history} column families.
 *
 * @param revision       the cluster-wide revision that wrote this version (its "mod revision")
 * @param createRevision the revision that created the key (the first put after it was absent)
 * @param version        1 for the put that created the key, +1 for each later put; 0 for a tombstone
 * @param prevRevision   the revision of the previous version of this key, 0 when there was none; a reader that finds
 *                       this version as the oldest retained one knows whether older history was compacted away
 * @param timestampMillis commit time, decided before the command entered the log
 * @param tombstone      true for a delete
 * @param contentType    {@link ContentType} of the value
 * @param value          the value bytes (empty for a tombstone)
 */
public record VersionRecord(
    long revision,
    long createRevision,
    long version,
    long prevRevision,
    long timestampMillis,
    boolean tombstone,
    ContentType contentType,
    byte[] value) {

  private static final byte FORMAT = 1;
  private static final int HEADER = 1 + 8 * 5 + 1 + 1;

  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(HEADER + value.length);
    b.put(FORMAT)
        .putLong(revision)
        .putLong(createRevision)
        .putLong(version)
        .putLong(prevRevision)
        .putLong(timestampMillis)
        .put((byte) (tombstone ? 1 : 0))
        .put(contentType.code())
        .put(value);
    return b.array();
  }

  public static VersionRecord decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte format = b.get();
    if (format != FORMAT) throw new IllegalStateException("unknown version record format " + format);
    long rev = b.getLong();
    long create = b.getLong();
    long ver = b.getLong();
    long prev = b.getLong();
    long ts = b.getLong();
    boolean tomb = b.get() != 0;
    ContentType ct = ContentType.of(b.get());
    byte[] value = new byte[b.remaining()];
    b.get(value);
    return new VersionRecord(rev, create, ver, prev, ts, tomb, ct, value);
  }

  /** Approximate heap size, for the cache weigher. */
  public int weight() {
    return 96 + value.length;
  }
}
