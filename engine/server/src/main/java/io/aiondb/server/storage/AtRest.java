package io.aiondb.server.storage;

import io.aiondb.server.security.KeyFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Encryption at rest (docs/security.md "Encryption at rest", design 011): AES-256-GCM on every value this member
 * stores and on every Raft log entry, under keys that come from a key-encryption key (KEK) file.
 *
 * <p><b>Values</b> (versions of keys, auth records) are sealed under a <em>data key</em> of this member's key ring:
 * random 256-bit keys, each stored in the {@code meta} column family only wrapped by the KEK (AES-256-GCM under a key
 * derived from it), so RocksDB's files, its checkpoints (Raft snapshots) and backups carry their own ring and open
 * wherever the KEK is configured. A sealed value is {@code dataKeyId:i64 | nonce:12 | ciphertext | tag:16}, with the
 * value's clear header (a version's revision, timestamps, flags) or its key (auth records) as associated data. A new
 * data key is made at every open, when {@code encryption.data-key-rotation-period} has passed, after
 * {@value #SEALS_PER_KEY} values, and by {@link #rotate}; {@link #reseal} then re-encrypts what older keys sealed and
 * drops those keys from the ring. Data keys are this member's own: each member seals its values under its ring, and a
 * snapshot installed from another member brings that member's ring with its files.
 *
 * <p><b>Log entries</b> are sealed on the leader before they enter the log ({@link #sealEntry}), under a key derived
 * from the KEK and a random salt in the entry's header (a new salt every {@value #SEALS_PER_SALT} entries and at every
 * start), so every member holding the KEK opens them.
 *
 * <p>Random 96-bit nonces stay far inside GCM's bound (2^32 messages per key) by these key changes. What stays in
 * clear: keys, namespace and index names, indexed field values (they are the index's RocksDB keys), the versions'
 * revision numbers, timestamps and content types, and the sizes of everything.
 */
public final class AtRest {
  /** First byte of a sealed log entry (EntryCodec's own formats are 1 and 2). */
  public static final byte SEALED_ENTRY = 3;
  /** First byte of a sealed auth record (a clear one is JSON, never starting with this byte). */
  static final byte SEALED_META = (byte) 0xAE;
  /** Bytes a sealed value carries beyond the plaintext. */
  public static final int OVERHEAD = 8 + 12 + 16;
  static final long SEALS_PER_KEY = 1L << 28;
  static final long SEALS_PER_SALT = 1L << 24;
  static final byte[] RING_PREFIX = "enc/dk/".getBytes(StandardCharsets.UTF_8);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable: " + e, e);
    }
  });

  /** A key-encryption key: its id (fingerprint) and bytes. */
  public record Kek(String id, byte[] key) {
    @Override
    public String toString() {
      return "Kek[" + id + "]"; // never the key
    }
  }

  /** A data key of the ring; {@code seq} orders keys by creation. */
  public record DataKey(long id, long seq, long createdMillis, String kekId, SecretKeySpec spec) {
    public String name() {
      return String.format("%016x", id);
    }

    @Override
    public String toString() {
      return "DataKey[" + name() + ", seq " + seq + "]";
    }
  }

  private final Kek current;
  private final Map<String, Kek> keks = new LinkedHashMap<>();
  private final Duration rotationPeriod;
  private final Clock clock;
  private final ConcurrentHashMap<Long, DataKey> ring = new ConcurrentHashMap<>();
  private volatile DataKey active;
  private final AtomicLong activeSeals = new AtomicLong();
  private final ConcurrentHashMap<String, SecretKeySpec> logKeys = new ConcurrentHashMap<>();
  private volatile byte[] logSalt;
  private final AtomicLong saltSeals = new AtomicLong();
  private final Object rotation = new Object();
  /** Held by the applier for each batch's life: a new key becomes active only between batches. */
  private final java.util.concurrent.locks.ReentrantLock sealing = new java.util.concurrent.locks.ReentrantLock();

  private AtRest(Kek current, List<Kek> old, Duration rotationPeriod, Clock clock) {
    this.current = current;
    if (current != null) keks.put(current.id(), current);
    for (Kek k : old) keks.putIfAbsent(k.id(), k);
    this.rotationPeriod = rotationPeriod;
    this.clock = clock;
    if (current != null) newSalt();
  }

  /** No encryption: values and entries are written in clear; a store whose ring holds keys does not open. */
  public static AtRest none() {
    return new AtRest(null, List.of(), Duration.ZERO, Clock.systemUTC());
  }

  /**
   * Encryption under the KEK in {@code keyFile}; {@code oldKeyFiles} still open what earlier KEKs wrapped. Without
   * {@code keyFile} (null), nothing is sealed but what the old keys sealed still opens: the first step of turning
   * encryption on in a running cluster (every member must open sealed entries before any leader seals them).
   */
  public static AtRest load(Path keyFile, List<Path> oldKeyFiles, Duration rotationPeriod, Clock clock) throws IOException {
    List<Kek> old = new ArrayList<>();
    for (Path p : oldKeyFiles) {
      byte[] o = KeyFiles.read(p, "encryption key file");
      old.add(new Kek(KeyFiles.id(o), o));
    }
    if (keyFile == null) return of(null, old, rotationPeriod, clock);
    byte[] k = KeyFiles.read(keyFile, "encryption key file");
    return of(new Kek(KeyFiles.id(k), k), old, rotationPeriod, clock);
  }

  /** True when some key is configured: sealed entries and values open (sealing needs {@link #enabled()}). */
  public boolean opens() {
    return !keks.isEmpty();
  }

  public static AtRest of(Kek current, List<Kek> old, Duration rotationPeriod, Clock clock) {
    return new AtRest(current, old, rotationPeriod, clock);
  }

  public boolean enabled() {
    return current != null;
  }

  /** The current KEK's id, or null when off. */
  public String kekId() {
    return current == null ? null : current.id();
  }

  /** The KEKs this member can unwrap with, current first. */
  public List<String> kekIds() {
    return List.copyOf(keks.keySet());
  }

  public DataKey activeKey() {
    return active;
  }

  /** The ring, oldest first. */
  public List<DataKey> ring() {
    return ring.values().stream().sorted(Comparator.comparingLong(DataKey::seq)).toList();
  }

  // ---------------------------------------------------------------- the ring

  /**
   * Loads the ring of the database just opened (at start, or after a snapshot replaced it): unwraps every data key,
   * re-wraps those an old KEK wrapped under the current one, and makes a new active key. Without encryption, refuses
   * a database that holds data keys: its values could not be read.
   */
  void open(RocksStore store) {
    ring.clear();
    active = null;
    List<byte[][]> records = new ArrayList<>();
    try (RocksIterator it = store.db().newIterator(store.handle(Cf.META))) {
      for (it.seek(RING_PREFIX); it.isValid() && Keys.startsWith(it.key(), RING_PREFIX); it.next()) {
        records.add(new byte[][] {it.key(), it.value()});
      }
    }
    Path dir = store.options().dataDir();
    if (!opens()) {
      if (records.isEmpty()) return;
      throw new StorageException("the data in " + dir + " is encrypted at rest (" + records.size() + " data keys, wrapped"
          + " by " + String.join(", ", records.stream().map(r -> decodeRecord(r[1]).kekId).distinct().toList())
          + "); start this member with encryption.key-file set to that key (docs/security.md \"Encryption at rest\")", null);
    }
    try (WriteBatch wb = new WriteBatch()) {
      for (byte[][] r : records) {
        Record rec = decodeRecord(r[1]);
        Kek k = keks.get(rec.kekId);
        if (k == null) {
          throw new StorageException("data key " + String.format("%016x", rec.id) + " in " + dir + " is wrapped by "
              + rec.kekId + "; this member has " + String.join(", ", keks.keySet())
              + " (encryption.key-file, encryption.old-key-files): configure " + rec.kekId + " as encryption.key-file or "
              + "in encryption.old-key-files", null);
        }
        byte[] key = unwrap(k, rec);
        if (!enabled()) { // opening only: the ring stays as it is
          ring.put(rec.id, new DataKey(rec.id, rec.seq, rec.created, rec.kekId, new SecretKeySpec(key, "AES")));
          continue;
        }
        DataKey dk = new DataKey(rec.id, rec.seq, rec.created, current.id(), new SecretKeySpec(key, "AES"));
        if (!rec.kekId.equals(current.id())) wb.put(store.handle(Cf.META), r[0], wrap(dk, key));
        ring.put(dk.id(), dk);
      }
      if (!enabled()) return;
      DataKey fresh = newKey(wb, store);
      write(store, wb);
      activate(fresh);
    } catch (RocksDBException e) {
      throw new StorageException("cannot write the key ring in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Makes a new data key active (written, synced, before any value is sealed under it). Old keys stay in the ring
   * until {@link #reseal} has re-encrypted their values.
   */
  public DataKey rotate(RocksStore store) {
    if (!enabled()) throw new IllegalStateException("encryption at rest is off");
    synchronized (rotation) {
      return store.read(() -> {
        try (WriteBatch wb = new WriteBatch()) {
          DataKey k = newKey(wb, store);
          write(store, wb);
          // between two batches of the applier: once this returns, no batch sealing under an older key is open
          if (!sealing.tryLock(30, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new StorageException("the applier held a batch open for 30 s; data key not rotated", null);
          }
          try {
            activate(k);
          } finally {
            sealing.unlock();
          }
          return k;
        } catch (RocksDBException e) {
          throw new StorageException("cannot write a data key: " + e.getMessage(), e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StorageException("interrupted while rotating the data key", e);
        }
      });
    }
  }

  /** A batch of the applier begins (see {@link #rotate}). */
  void batchBegin() {
    if (enabled()) sealing.lock();
  }

  void batchEnd() {
    if (enabled()) sealing.unlock();
  }

  /**
   * True when the active key has sealed its share of values, or the oldest key of the ring (which values may still
   * be sealed under: a new key comes at every start, older ones leave only after a pass) is older than the rotation
   * period.
   */
  public boolean rotationDue() {
    if (active == null) return false;
    if (activeSeals.get() >= SEALS_PER_KEY) return true;
    long oldest = ring.values().stream().mapToLong(DataKey::createdMillis).min().orElse(Long.MAX_VALUE);
    return !rotationPeriod.isZero() && clock.millis() - oldest >= rotationPeriod.toMillis();
  }

  private void activate(DataKey k) {
    ring.put(k.id(), k);
    activeSeals.set(0);
    active = k;
  }

  private DataKey newKey(WriteBatch wb, RocksStore store) throws RocksDBException {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    long id;
    do {
      id = RANDOM.nextLong();
    } while (id == 0 || ring.containsKey(id));
    long seq = ring.values().stream().mapToLong(DataKey::seq).max().orElse(0) + 1;
    DataKey k = new DataKey(id, seq, clock.millis(), current.id(), new SecretKeySpec(key, "AES"));
    wb.put(store.handle(Cf.META), ringKey(id), wrap(k, key));
    return k;
  }

  private static void write(RocksStore store, WriteBatch wb) throws RocksDBException {
    try (WriteOptions sync = new WriteOptions().setSync(true)) {
      store.db().write(sync, wb);
    }
  }

  static byte[] ringKey(long id) {
    byte[] hex = String.format("%016x", id).getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(RING_PREFIX.length + hex.length).put(RING_PREFIX).put(hex).array();
  }

  private record Record(long id, long seq, long created, String kekId, byte[] wrapped) {}

  /** {@code 1 | id:i64 | seq:i64 | createdMillis:i64 | kekIdLength:u8 | kekId | nonce:12 | wrapped key | tag:16}. */
  private byte[] wrap(DataKey k, byte[] key) {
    byte[] kekId = current.id().getBytes(StandardCharsets.US_ASCII);
    ByteBuffer head = ByteBuffer.allocate(1 + 24 + 1 + kekId.length).put((byte) 1).putLong(k.id()).putLong(k.seq())
        .putLong(k.createdMillis()).put((byte) kekId.length).put(kekId);
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    byte[] ct = crypt(Cipher.ENCRYPT_MODE, wrapKey(current), nonce, head.array(), key, 0, key.length);
    return ByteBuffer.allocate(head.capacity() + 12 + ct.length).put(head.array()).put(nonce).put(ct).array();
  }

  private static Record decodeRecord(byte[] v) {
    try {
      ByteBuffer b = ByteBuffer.wrap(v);
      if (b.get() != 1) throw new StorageException("unknown data key record format", null);
      long id = b.getLong();
      long seq = b.getLong();
      long created = b.getLong();
      byte[] kekId = new byte[b.get()];
      b.get(kekId);
      byte[] rest = new byte[b.remaining()];
      b.get(rest);
      return new Record(id, seq, created, new String(kekId, StandardCharsets.US_ASCII), v);
    } catch (java.nio.BufferUnderflowException e) {
      throw new StorageException("damaged data key record (" + v.length + " bytes)", null);
    }
  }

  private static byte[] unwrap(Kek k, Record r) {
    byte[] v = r.wrapped;
    int head = 1 + 24 + 1 + v[25];
    try {
      return crypt(Cipher.DECRYPT_MODE, wrapKey(k), java.util.Arrays.copyOfRange(v, head, head + 12),
          java.util.Arrays.copyOf(v, head), v, head + 12, v.length - head - 12);
    } catch (StorageException e) {
      throw new StorageException("data key " + String.format("%016x", r.id) + " does not unwrap with " + k.id()
          + " (a damaged record, or another key with the same id)", null);
    }
  }

  private static SecretKeySpec wrapKey(Kek k) {
    return new SecretKeySpec(KeyFiles.hmac(k.key(), "aion-at-rest/wrap".getBytes(StandardCharsets.US_ASCII)), "AES");
  }

  // ---------------------------------------------------------------- values

  /** {@code plain} sealed under the active data key: {@code dataKeyId:i64 | nonce:12 | ciphertext | tag:16}. */
  byte[] seal(byte[] aad, byte[] plain) {
    DataKey k = active;
    activeSeals.incrementAndGet();
    byte[] out = new byte[OVERHEAD + plain.length];
    ByteBuffer.wrap(out).putLong(k.id());
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    System.arraycopy(nonce, 0, out, 8, 12);
    Cipher c = init(Cipher.ENCRYPT_MODE, k.spec(), nonce, aad);
    try {
      c.doFinal(plain, 0, plain.length, out, 20);
    } catch (GeneralSecurityException e) {
      throw new StorageException("encryption failed: " + e, e);
    }
    return out;
  }

  /** Opens what {@link #seal} made, starting at {@code off} of {@code data}. */
  byte[] open(byte[] aad, byte[] data, int off) {
    if (data.length - off < OVERHEAD) throw new StorageException("sealed value of " + (data.length - off) + " bytes", null);
    long id = ByteBuffer.wrap(data, off, 8).getLong();
    DataKey k = ring.get(id);
    if (k == null) {
      throw new StorageException(enabled()
          ? "a value is sealed under data key " + String.format("%016x", id) + ", which this member's key ring does not hold"
          : "a value is encrypted at rest and this member has no encryption.key-file", null);
    }
    return crypt(Cipher.DECRYPT_MODE, k.spec(), java.util.Arrays.copyOfRange(data, off + 8, off + 20), aad, data, off + 20,
        data.length - off - 20);
  }

  /** The data key id a sealed value at {@code off} names. */
  static long keyIdAt(byte[] data, int off) {
    return ByteBuffer.wrap(data, off, 8).getLong();
  }

  /** An auth record as stored: sealed (with its key as associated data) when encryption is on. */
  public byte[] sealMeta(byte[] key, byte[] value) {
    if (!enabled()) return value;
    byte[] s = seal(key, value);
    byte[] out = new byte[1 + s.length];
    out[0] = SEALED_META;
    System.arraycopy(s, 0, out, 1, s.length);
    return out;
  }

  public byte[] openMeta(byte[] key, byte[] stored) {
    return stored.length > 0 && stored[0] == SEALED_META ? open(key, stored, 1) : stored;
  }

  // ---------------------------------------------------------------- log entries

  /**
   * A log entry sealed under a key derived from the KEK and a salt:
   * {@code 3 | kekIdLength:u8 | kekId | salt:16 | nonce:12 | ciphertext | tag:16}, the header as associated data.
   * Unchanged when encryption is off.
   */
  public byte[] sealEntry(byte[] entry) {
    if (!enabled()) return entry;
    if (saltSeals.incrementAndGet() >= SEALS_PER_SALT) newSalt();
    byte[] salt = logSalt;
    byte[] kekId = current.id().getBytes(StandardCharsets.US_ASCII);
    int head = 2 + kekId.length + 16;
    byte[] out = new byte[head + 12 + entry.length + 16];
    ByteBuffer.wrap(out).put(SEALED_ENTRY).put((byte) kekId.length).put(kekId).put(salt);
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    System.arraycopy(nonce, 0, out, head, 12);
    Cipher c = init(Cipher.ENCRYPT_MODE, logKey(current, salt), nonce, java.util.Arrays.copyOf(out, head));
    try {
      c.doFinal(entry, 0, entry.length, out, head + 12);
    } catch (GeneralSecurityException e) {
      throw new StorageException("encryption failed: " + e, e);
    }
    return out;
  }

  public static boolean sealedEntry(byte[] data) {
    return data.length > 0 && data[0] == SEALED_ENTRY;
  }

  /** The entry {@link #sealEntry} sealed; an {@link IllegalArgumentException} says why it cannot be opened. */
  public byte[] openEntry(byte[] data) {
    if (data.length < 2 + 16 + 12 + 16 || data.length < 2 + data[1] + 16 + 12 + 16) {
      throw new IllegalArgumentException("truncated sealed log entry: " + data.length + " bytes");
    }
    String kekId = new String(data, 2, data[1], StandardCharsets.US_ASCII);
    int head = 2 + data[1] + 16;
    Kek k = keks.get(kekId);
    if (k == null) {
      throw new IllegalArgumentException("the log entry is encrypted under " + kekId + "; this member has "
          + (keks.isEmpty() ? "no encryption.key-file" : String.join(", ", keks.keySet()))
          + " (every member needs the same encryption.key-file, and old keys in encryption.old-key-files)");
    }
    try {
      return crypt(Cipher.DECRYPT_MODE, logKey(k, java.util.Arrays.copyOfRange(data, head - 16, head)),
          java.util.Arrays.copyOfRange(data, head, head + 12), java.util.Arrays.copyOf(data, head), data, head + 12,
          data.length - head - 12);
    } catch (StorageException e) {
      throw new IllegalArgumentException("the log entry does not decrypt under " + kekId + " (damaged)");
    }
  }

  private void newSalt() {
    byte[] s = new byte[16];
    RANDOM.nextBytes(s);
    logSalt = s;
    saltSeals.set(0);
  }

  private SecretKeySpec logKey(Kek k, byte[] salt) {
    String name = k.id() + "/" + HexFormat.of().formatHex(salt);
    SecretKeySpec spec = logKeys.get(name);
    if (spec != null) return spec;
    if (logKeys.size() > 64) logKeys.clear();
    byte[] label = ("aion-at-rest/log/" + HexFormat.of().formatHex(salt)).getBytes(StandardCharsets.US_ASCII);
    spec = new SecretKeySpec(KeyFiles.hmac(k.key(), label), "AES");
    logKeys.put(name, spec);
    return spec;
  }

  // ---------------------------------------------------------------- AES-GCM

  private static Cipher init(int mode, SecretKeySpec key, byte[] nonce, byte[] aad) {
    Cipher c = GCM.get();
    try {
      c.init(mode, key, new GCMParameterSpec(128, nonce));
      c.updateAAD(aad);
      return c;
    } catch (GeneralSecurityException e) {
      throw new StorageException("AES-GCM: " + e, e);
    }
  }

  private static byte[] crypt(int mode, SecretKeySpec key, byte[] nonce, byte[] aad, byte[] data, int off, int len) {
    try {
      return init(mode, key, nonce, aad).doFinal(data, off, len);
    } catch (GeneralSecurityException e) {
      throw new StorageException(mode == Cipher.DECRYPT_MODE
          ? "a sealed value failed authentication (damaged, or moved from elsewhere)" : "encryption failed: " + e, e);
    }
  }

  // ---------------------------------------------------------------- re-encryption

  /** What one {@link #reseal} pass did. */
  public record Pass(long examined, long resealed, boolean complete, List<String> retired) {}

  /**
   * Re-encrypts, under the active data key, every value an older key sealed (and every value still in clear), in
   * chunks that each hold the store's commit lock briefly; a value the applier changed meanwhile is left to it (it
   * seals under the active key). When the pass covered the whole store under one active key with no snapshot
   * installed meanwhile, the keys older than it leave the ring.
   */
  public Pass reseal(RocksStore store, int chunk) {
    if (!enabled()) return new Pass(0, 0, true, List.of());
    DataKey target = active;
    long generation = store.generation();
    long[] counts = new long[2];
    boolean complete = true;
    for (Cf cf : new Cf[] {Cf.KV, Cf.HISTORY}) {
      complete &= store.resealAll(cf, new byte[0], null, chunk, counts, raw -> {
        if (raw.length > 0 && raw[0] == VersionRecord.SEALED_FORMAT
            && keyIdAt(raw, VersionRecord.HEADER) == active.id()) {
          return null;
        }
        return VersionRecord.decode(raw, this).encode(this);
      }, () -> store.generation() == generation && !Thread.currentThread().isInterrupted());
    }
    byte[] auth = RocksStore.AUTH_PREFIX.getBytes(StandardCharsets.UTF_8);
    complete &= store.resealMeta(auth, Keys.prefixEnd(auth), chunk, counts, (key, raw) -> {
      if (raw.length > 0 && raw[0] == SEALED_META && keyIdAt(raw, 1) == active.id()) return null;
      return sealMeta(key, openMeta(key, raw));
    }, () -> store.generation() == generation && !Thread.currentThread().isInterrupted());
    List<String> retired = new ArrayList<>();
    if (complete && store.generation() == generation) {
      synchronized (rotation) {
        List<DataKey> old = ring.values().stream().filter(k -> k.seq() < target.seq()).toList();
        if (!old.isEmpty()) {
          store.read(() -> {
            try (WriteBatch wb = new WriteBatch()) {
              for (DataKey k : old) wb.delete(store.handle(Cf.META), ringKey(k.id()));
              write(store, wb);
            } catch (RocksDBException e) {
              throw new StorageException("cannot retire data keys: " + e.getMessage(), e);
            }
            return null;
          });
          for (DataKey k : old) {
            ring.remove(k.id());
            retired.add(k.name());
          }
        }
      }
    }
    return new Pass(counts[0], counts[1], complete, retired);
  }
}
