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
  /** Format of a version whose value is sealed ({@link AtRest}): the same header, then the sealed value. */
  static final byte SEALED_FORMAT = 2;
  static final int HEADER = 1 + 8 * 5 + 1 + 1;

  /**
   * The stored form: with encryption at rest on, the value sealed under the active data key, the clear header as
   * associated data (so neither can be swapped or altered alone).
   */
  public byte[] encode(AtRest atRest) {
    if (!atRest.enabled()) return encode();
    ByteBuffer head = header(SEALED_FORMAT, HEADER);
    byte[] sealed = atRest.seal(head.array(), value);
    return ByteBuffer.allocate(HEADER + sealed.length).put(head.array()).put(sealed).array();
  }

  private ByteBuffer header(byte format, int capacity) {
    return ByteBuffer.allocate(capacity)
        .put(format)
        .putLong(revision)
        .putLong(createRevision)
        .putLong(version)
        .putLong(prevRevision)
        .putLong(timestampMillis)
        .put((byte) (tombstone ? 1 : 0))
        .put(contentType.code());
  }

  /** The clear form (what replies carry). */
  public byte[] encode() {
    return header(FORMAT, HEADER + value.length).put(value).array();
  }

  /**
   * A version in its clear form, as {@link #encode()} made it (a reply): never a stored one, which may be sealed —
   * storage reads use {@link #decode(byte[], AtRest)} ({@code RocksStore.decode}, {@code ReadView.decode}).
   */
  public static VersionRecord decodeClear(byte[] bytes) {
    return decode(bytes, NO_KEYS);
  }

  private static final AtRest NO_KEYS = AtRest.none();

  /** A stored version, sealed or not. */
  public static VersionRecord decode(byte[] bytes, AtRest atRest) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte format = b.get();
    if (format == SEALED_FORMAT) {
      if (bytes.length < HEADER) throw new IllegalStateException("truncated version record");
      byte[] value = atRest.open(java.util.Arrays.copyOf(bytes, HEADER), bytes, HEADER);
      return new VersionRecord(b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.get() != 0,
          ContentType.of(b.get()), value);
    }
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
