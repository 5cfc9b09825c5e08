package io.aiondb.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.security.KeyFiles;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.KvStateMachine;
import io.aiondb.server.state.LogEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;

/**
 * Encryption at rest on a real RocksDB store: no value bytes in its files, reads give them back, a missing or wrong
 * key fails at open with a clear message, KEK rotation, data key rotation with its re-encryption pass, tampering.
 */
class AtRestTest {
  private static final String MARKER = "SECRET-MARKER-7f3c";
  private static final AtRest.Kek K1 = kek(1);
  private static final AtRest.Kek K2 = kek(2);

  private static AtRest.Kek kek(int seed) {
    byte[] k = new byte[32];
    java.util.Arrays.fill(k, (byte) seed);
    return new AtRest.Kek(KeyFiles.id(k), k);
  }

  private static AtRest enc(AtRest.Kek current, AtRest.Kek... old) {
    return AtRest.of(current, List.of(old), Duration.ZERO, Clock.systemUTC());
  }

  private static StorageOptions options(Path dir) {
    return new StorageOptions(dir, null, 0, 0, false, 8 << 20, 1 << 20, 0);
  }

  /** A store and its state machine, applying commands one entry each. */
  private static final class Db implements AutoCloseable {
    final RocksStore store;
    final KvStateMachine sm;
    long index;

    Db(Path dir, AtRest atRest) {
      store = new RocksStore(options(dir), atRest);
      sm = new KvStateMachine(store);
      index = store.appliedIndex();
    }

    void apply(Command c) {
      try (Batch b = store.newBatch()) {
        sm.apply(new LogEntry(++index, 1000 + index, c), b);
        store.noteIndex(b, index);
        store.commit(b);
      }
    }

    void put(String key, String value) {
      apply(new Command.Put("t", key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
          ContentType.TEXT, Command.ANY_REVISION));
    }

    String get(String key) {
      int ns = store.requireNamespace("t").id();
      return store.getCurrent(ns, key.getBytes(StandardCharsets.UTF_8))
          .map(v -> new String(v.value(), StandardCharsets.UTF_8)).orElse(null);
    }

    @Override
    public void close() {
      store.close();
    }
  }

  /** Names of the files under {@code dir} whose bytes contain the marker. */
  private static List<String> filesWithMarker(Path dir) throws IOException {
    return MarkerScan.filesContaining(dir, MARKER).stream().map(p -> p.getFileName().toString()).toList();
  }

  private static void writeSome(Db db, int n) {
    db.apply(new Command.CreateNamespace("t"));
    for (int i = 0; i < n; i++) db.put("k" + i, MARKER + "-value-" + i);
    db.put("k0", MARKER + "-second-version"); // history holds the first
    db.apply(new Command.AuthWrite("user/alice", ("{\"note\":\"" + MARKER + "\"}").getBytes(StandardCharsets.UTF_8), false));
  }

  @Test
  void noValueBytesInTheFilesAndReadsGiveThemBack(@TempDir Path dir) throws Exception {
    // the control: without encryption the scan finds the marker (in the WAL, then in the SST files)
    try (Db plain = new Db(dir.resolve("plain"), AtRest.none())) {
      writeSome(plain, 50);
      assertThat(filesWithMarker(dir.resolve("plain"))).as("plain WAL").isNotEmpty();
      plain.store.flushAndCompact();
      assertThat(filesWithMarker(dir.resolve("plain"))).as("plain SST").anyMatch(f -> f.endsWith(".sst"));
    }
    try (Db db = new Db(dir.resolve("enc"), enc(K1))) {
      writeSome(db, 50);
      assertThat(filesWithMarker(dir.resolve("enc"))).as("WAL and files before a flush").isEmpty();
      db.store.flushAndCompact();
      assertThat(filesWithMarker(dir.resolve("enc"))).as("SST files").isEmpty();
      assertThat(db.get("k7")).isEqualTo(MARKER + "-value-7");
      assertThat(db.get("k0")).isEqualTo(MARKER + "-second-version");
      int ns = db.store.requireNamespace("t").id();
      assertThat(db.store.history(ns, "k0".getBytes(), Long.MAX_VALUE, 10))
          .extracting(v -> new String(v.value(), StandardCharsets.UTF_8))
          .containsExactly(MARKER + "-second-version", MARKER + "-value-0");
      assertThat(new String(db.store.authRecords().get("user/alice"), StandardCharsets.UTF_8)).contains(MARKER);
      Path cp = dir.resolve("checkpoint");
      db.store.checkpoint(cp);
      assertThat(filesWithMarker(cp)).as("checkpoint (snapshot, backup)").isEmpty();
    }
    // reopened with the key: everything reads back
    try (Db db = new Db(dir.resolve("enc"), enc(K1))) {
      assertThat(db.get("k49")).isEqualTo(MARKER + "-value-49");
    }
  }

  @Test
  void aMissingOrWrongKeyStopsTheOpenAndSaysWhich(@TempDir Path dir) {
    try (Db db = new Db(dir, enc(K1))) {
      writeSome(db, 5);
    }
    assertThatThrownBy(() -> new Db(dir, AtRest.none()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("encrypted at rest").hasMessageContaining(K1.id()).hasMessageContaining("encryption.key-file");
    assertThatThrownBy(() -> new Db(dir, enc(K2)))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("wrapped by " + K1.id()).hasMessageContaining("this member has " + K2.id());
    // a key file holding other bytes under the same id (a forged id) does not unwrap
    AtRest.Kek forged = new AtRest.Kek(K1.id(), K2.key());
    assertThatThrownBy(() -> new Db(dir, enc(forged))).isInstanceOf(StorageException.class)
        .hasMessageContaining("does not unwrap with " + K1.id());
  }

  @Test
  void aNewKekTakesOverWithTheOldOneListedThenAlone(@TempDir Path dir) {
    try (Db db = new Db(dir, enc(K1))) {
      writeSome(db, 5);
    }
    try (Db db = new Db(dir, enc(K2, K1))) { // re-wraps every data key under K2
      assertThat(db.get("k3")).isEqualTo(MARKER + "-value-3");
    }
    try (Db db = new Db(dir, enc(K2))) {
      assertThat(db.get("k4")).isEqualTo(MARKER + "-value-4");
      assertThat(db.store.atRest().ring()).allMatch(k -> k.kekId().equals(K2.id()));
    }
  }

  @Test
  void withOnlyAnOldKeyAMemberOpensWhatItSealedAndSealsNothing(@TempDir Path dir) {
    long sealedUnder;
    try (Db db = new Db(dir, enc(K1))) {
      writeSome(db, 5);
      sealedUnder = db.store.atRest().activeKey().id();
    }
    AtRest openOnly = AtRest.of(null, List.of(K1), Duration.ZERO, Clock.systemUTC());
    try (Db db = new Db(dir, openOnly)) {
      assertThat(db.get("k2")).isEqualTo(MARKER + "-value-2");
      db.put("clear", "in clear");
      assertThat(db.get("clear")).isEqualTo("in clear");
      assertThat(keysInUse(db.store)).containsExactlyInAnyOrder(0L, sealedUnder);
      assertThat(db.store.atRest().ring()).as("the ring is left as it is").hasSize(1);
    }
    byte[] entry = "\u0001xxxxxxxxentry".getBytes(StandardCharsets.US_ASCII);
    assertThat(openOnly.openEntry(enc(K1).sealEntry(entry))).isEqualTo(entry);
    assertThat(openOnly.sealEntry(entry)).as("seals nothing").isSameAs(entry);
  }

  /** Data key ids named by the stored versions and auth records. */
  private static Set<Long> keysInUse(RocksStore store) {
    Set<Long> ids = new HashSet<>();
    for (Cf cf : new Cf[] {Cf.KV, Cf.HISTORY}) {
      try (ReadOptions ro = new ReadOptions(); RocksIterator it = store.newIterator(cf, ro)) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          byte[] v = it.value();
          ids.add(v[0] == VersionRecord.SEALED_FORMAT ? AtRest.keyIdAt(v, VersionRecord.HEADER) : 0L);
        }
      }
    }
    store.read(() -> {
      try (RocksIterator it = store.db().newIterator(store.handle(Cf.META))) {
        byte[] p = RocksStore.AUTH_PREFIX.getBytes(StandardCharsets.UTF_8);
        for (it.seek(p); it.isValid() && Keys.startsWith(it.key(), p); it.next()) {
          byte[] v = it.value();
          ids.add(v[0] == AtRest.SEALED_META ? AtRest.keyIdAt(v, 1) : 0L);
        }
      }
      return null;
    });
    return ids;
  }

  @Test
  void rotationReencryptsEveryValueAndRetiresTheOldKeys(@TempDir Path dir) {
    try (Db db = new Db(dir, AtRest.none())) { // values written before encryption was turned on
      writeSome(db, 30);
    }
    long first;
    try (Db db = new Db(dir, enc(K1))) {
      first = db.store.atRest().activeKey().id();
      for (int i = 0; i < 20; i++) db.put("n" + i, MARKER + "-under-first-key-" + i);
      assertThat(keysInUse(db.store)).as("clear ones and the first key").containsExactlyInAnyOrder(0L, first);
    }
    try (Db db = new Db(dir, enc(K1))) { // a new key at every open
      long second = db.store.atRest().activeKey().id();
      assertThat(second).isNotEqualTo(first);
      db.put("n0", MARKER + "-under-second-key");
      AtRest.DataKey third = db.store.atRest().rotate(db.store);
      AtRest.Pass pass = db.store.atRest().reseal(db.store, 7); // small chunks: many rounds
      assertThat(pass.complete()).isTrue();
      assertThat(pass.resealed()).as("every version and auth record").isEqualTo(pass.examined());
      assertThat(keysInUse(db.store)).containsExactly(third.id());
      assertThat(db.store.atRest().ring()).extracting(AtRest.DataKey::id).containsExactly(third.id());
      assertThat(pass.retired()).hasSize(2);
      assertThat(db.store.atRest().reseal(db.store, 7).resealed()).as("a second pass finds nothing").isZero();
      assertThat(db.get("k5")).isEqualTo(MARKER + "-value-5");
    }
    try (Db db = new Db(dir, enc(K1))) { // the retired keys are not needed
      assertThat(db.get("n0")).isEqualTo(MARKER + "-under-second-key");
      assertThat(db.get("n19")).isEqualTo(MARKER + "-under-first-key-19");
      assertThat(new String(db.store.authRecords().get("user/alice"), StandardCharsets.UTF_8)).contains(MARKER);
    }
  }

  @Test
  void aTamperedValueFailsAuthentication(@TempDir Path dir) throws Exception {
    try (Db db = new Db(dir, enc(K1))) {
      writeSome(db, 3);
      int ns = db.store.requireNamespace("t").id();
      byte[] kv = Keys.current(ns, "k1".getBytes());
      byte[] raw = db.store.db().get(db.store.handle(Cf.KV), kv);
      raw[raw.length - 20] ^= 1; // one bit of the ciphertext
      db.store.db().put(db.store.handle(Cf.KV), kv, raw);
      assertThatThrownBy(() -> db.get("k1")).isInstanceOf(StorageException.class).hasMessageContaining("authentication");
      byte[] header = db.store.db().get(db.store.handle(Cf.KV), Keys.current(ns, "k2".getBytes()));
      header[1] ^= 1; // the revision, in clear but bound to the value
      db.store.db().put(db.store.handle(Cf.KV), Keys.current(ns, "k2".getBytes()), header);
      assertThatThrownBy(() -> db.get("k2")).isInstanceOf(StorageException.class).hasMessageContaining("authentication");
    }
  }

  @Test
  void logEntriesAreSealedUnderTheKekAndOpenWhereverItIsConfigured() {
    byte[] entry = ("\u0001xxxxxxxx" + MARKER).getBytes(StandardCharsets.US_ASCII);
    byte[] sealed = enc(K1).sealEntry(entry);
    assertThat(AtRest.sealedEntry(sealed)).isTrue();
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain(MARKER);
    assertThat(enc(K1).openEntry(sealed)).as("another member, same key").isEqualTo(entry);
    assertThat(enc(K2, K1).openEntry(sealed)).as("after the KEK rotation, the old key listed").isEqualTo(entry);
    assertThatThrownBy(() -> enc(K2).openEntry(sealed)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("encrypted under " + K1.id()).hasMessageContaining("this member has " + K2.id());
    assertThatThrownBy(() -> AtRest.none().openEntry(sealed)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no encryption.key-file");
    sealed[sealed.length - 1] ^= 1;
    assertThatThrownBy(() -> enc(K1).openEntry(sealed)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not decrypt");
    assertThat(AtRest.none().sealEntry(entry)).as("off: unchanged").isSameAs(entry);
  }
}
