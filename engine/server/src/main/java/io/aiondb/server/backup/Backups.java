package io.aiondb.server.backup;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.Checkpoints;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backups of this node's data to an {@link ObjectStore} (docs/backup.md, docs/design/009-backups.md): create, list,
 * describe, verify, delete, prune (retention, then a mark-and-sweep of unreferenced objects), and restore into a
 * directory. Long work runs as an {@link Operation} on one background thread, one at a time per node; callers poll it.
 * A backup is one RocksDB checkpoint per Raft group this node holds (a consistent cut at the group's applied index;
 * writes go on), its files stored under their SHA-256 so that a file already in the store is not uploaded again, and a
 * manifest written last.
 */
public final class Backups implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Backups.class);
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final int KEPT_OPERATIONS = 100;

  /** One Raft group's checkpoint in a local directory (the files of a {@link Manifest.Group}). */
  public record GroupCopy(String groupId, String rangeStart, String rangeEnd, Path dir) {}

  /** Writes a consistent copy of every group this node holds into subdirectories of {@code dir}. */
  @FunctionalInterface
  public interface GroupSource {
    List<GroupCopy> copy(Path dir) throws IOException;
  }

  private final ObjectStore store;
  private final int transfers;
  /** Null: objects are stored as they are. */
  private final BackupCrypto crypto;
  private final GroupSource source;
  private final String cluster;
  private final String node;
  private final String engineVersion;
  private final Path workDir;
  private final Clock clock;
  private final ExecutorService worker;
  /** The operation running on this node: shared by every store's Backups, so a node runs one at a time. */
  private final AtomicReference<Operation> running;
  private final java.util.concurrent.ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "aion-backup-locks");
        t.setDaemon(true);
        return t;
      });
  private final Map<String, Operation> operations = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
  /** Manifests never change once written: read each once. */
  private final Map<String, Manifest> manifests = new ConcurrentHashMap<>();

  public Backups(ObjectStore store, BackupCrypto crypto, GroupSource source, String cluster, String node,
      String engineVersion, Path workDir, Clock clock) {
    this(store, crypto, source, cluster, node, engineVersion, workDir, clock, 4);
  }

  /** @param transfers files hashed and uploaded (or downloaded and checked) at once ({@code backup.transfers}) */
  public Backups(ObjectStore store, BackupCrypto crypto, GroupSource source, String cluster, String node,
      String engineVersion, Path workDir, Clock clock, int transfers) {
    this(store, crypto, source, cluster, node, engineVersion, workDir, clock, transfers, new AtomicReference<>());
  }

  /**
   * @param running the node's one running operation, shared with the Backups of its other stores (named stores): a
   *     backup to one store refuses to start while another runs (BACKUP_BUSY), as two on one store do
   */
  public Backups(ObjectStore store, BackupCrypto crypto, GroupSource source, String cluster, String node,
      String engineVersion, Path workDir, Clock clock, int transfers, AtomicReference<Operation> running) {
    this.running = running;
    this.transfers = Math.max(1, transfers);
    this.store = store;
    this.crypto = crypto;
    this.source = source;
    this.cluster = cluster;
    this.node = node;
    this.engineVersion = engineVersion;
    this.workDir = workDir;
    this.clock = clock;
    this.worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "aion-backup");
      t.setDaemon(true);
      return t;
    });
    deleteTree(workDir); // a checkpoint left by a crash mid-backup holds hard links to old SST files
  }

  public String target() {
    return store.describe();
  }

  // ---------------------------------------------------------------- operations

  /** Starts a backup of this node's groups; answers at once with the operation to poll. */
  public Operation create() throws IOException {
    return create(null);
  }

  /**
   * Starts a backup with the id the caller chose (null: a new one), idempotently: when this node runs or ran a backup
   * with that id, or the store holds its manifest, that is answered and nothing starts, so a caller that lost the
   * answer (an operator restarted between its request and its status write) can ask again.
   */
  public Operation create(String requestedId) throws IOException {
    if (requestedId != null) {
      if (!Manifest.ID.matcher(requestedId).matches()) {
        throw new AionException(ErrorCode.BAD_REQUEST, "id '" + requestedId + "' is not a backup id (like"
            + " 20261206T151300Z-7f3a09c2)");
      }
      synchronized (operations) {
        for (Operation o : operations.values()) {
          if (o.kind() == Operation.Kind.CREATE && requestedId.equals(o.backupId())
              && o.state() != Operation.State.FAILED) {
            return o;
          }
        }
      }
      if (store.size(Manifest.key(requestedId)).isPresent()) {
        Manifest m = manifest(requestedId);
        Operation done = new Operation(requestedId, Operation.Kind.CREATE, requestedId, Instant.parse(m.createdAt()));
        done.result(ordered("backup", requestedId, "revision", m.groups().get(0).revision(), "keyCount",
            m.groups().stream().mapToLong(Manifest.Group::keyCount).sum(), "files", m.fileCount(), "bytes", m.bytes(),
            "encrypted", m.encryption() != null));
        done.succeed(Instant.parse(m.completedAt()));
        remember(done);
        return done;
      }
    }
    String id = requestedId != null ? requestedId
        : ID_TIME.format(clock.instant()) + "-" + String.format("%08x", ThreadLocalRandom.current().nextInt());
    return start(new Operation(id, Operation.Kind.CREATE, id, clock.instant()), op -> runCreate(op));
  }

  // ---------------------------------------------------------------- figures for /metrics

  /** Operations this node finished since it started, by {@code kind/outcome} (e.g. {@code create/succeeded}). */
  private final Map<String, java.util.concurrent.atomic.LongAdder> finished = new ConcurrentHashMap<>();
  private volatile Operation lastBackup;

  private void record(Operation op, boolean succeeded) {
    finished.computeIfAbsent(op.kind() + "/" + (succeeded ? "succeeded" : "failed"),
        k -> new java.util.concurrent.atomic.LongAdder()).increment();
    if (succeeded && op.kind() == Operation.Kind.CREATE) lastBackup = op;
  }

  public long finished(Operation.Kind kind, boolean succeeded) {
    var n = finished.get(kind + "/" + (succeeded ? "succeeded" : "failed"));
    return n == null ? 0 : n.sum();
  }

  /** The last backup this node completed since it started (null: none): when, how long, how large, how much sent. */
  public record LastBackup(Instant completedAt, double seconds, long bytes, long bytesUploaded) {}

  public LastBackup lastBackup() {
    Operation op = lastBackup;
    if (op == null) return null;
    Instant end = clock.instant();
    Object bytes = op.result().get("bytes");
    Object reused = op.result().get("bytesReused");
    long total = bytes instanceof Number b ? b.longValue() : 0;
    return new LastBackup(op.finishedAt() == null ? end : op.finishedAt(),
        Duration.between(op.startedAt(), op.finishedAt() == null ? end : op.finishedAt()).toMillis() / 1000.0, total,
        total - (reused instanceof Number r ? r.longValue() : 0));
  }

  private void remember(Operation op) {
    synchronized (operations) {
      operations.remove(op.id()); // a retried id moves to the end
      operations.put(op.id(), op);
      while (operations.size() > KEPT_OPERATIONS) operations.remove(operations.keySet().iterator().next());
    }
  }

  /** Starts a verification: light (every object present with its size) or deep (restore to scratch and check). */
  public Operation verify(String id, boolean deep) throws IOException {
    manifest(id); // 404 now rather than a failed operation
    return start(new Operation(newOperationId(), deep ? Operation.Kind.VERIFY_DEEP : Operation.Kind.VERIFY, id,
        clock.instant()), op -> runVerify(op, deep));
  }

  /**
   * Starts a prune: deletes the manifests of backups beyond {@code keepLast} (0: no count limit) or older than
   * {@code maxAge} (null: no age limit) while always keeping the newest {@code minKeep} (with neither rule, none: a
   * sweep only), then deletes every object no remaining manifest names that is older than {@code grace}.
   */
  public Operation prune(int keepLast, Duration maxAge, int minKeep, Duration grace) {
    return start(new Operation(newOperationId(), Operation.Kind.PRUNE, null, clock.instant()),
        op -> runPrune(op, keepLast, maxAge, minKeep, grace));
  }

  /** Deletes a backup's manifest (the backup ceases to exist); its objects go at the next prune's sweep. */
  public void delete(String id) throws IOException {
    manifest(id);
    store.delete(Manifest.key(id));
    manifests.remove(id);
    LOG.info("backup {} deleted from {}", id, store.describe());
  }

  public Optional<Operation> operation(String id) {
    return Optional.ofNullable(operations.get(id));
  }

  public List<Operation> operations() {
    synchronized (operations) {
      return List.copyOf(operations.values());
    }
  }

  private String newOperationId() {
    return "op-" + ID_TIME.format(clock.instant()) + "-" + String.format("%08x", ThreadLocalRandom.current().nextInt());
  }

  private interface Work {
    void run(Operation op) throws Exception;
  }

  private Operation start(Operation op, Work work) {
    if (!running.compareAndSet(null, op)) {
      Operation other = running.get();
      throw new AionException(ErrorCode.BACKUP_BUSY, "backup operation " + (other == null ? "?" : other.id() + " ("
          + other.kind() + ")") + " is running on this node; poll it at /v1/backups/operations/" + (other == null ? "" : other.id()));
    }
    remember(op);
    try {
      worker.execute(() -> {
        String failure = null;
        try {
          work.run(op);
        } catch (Throwable t) {
          failure = t instanceof AionException || t instanceof IOException || t instanceof VerificationException
              ? t.getMessage() : t.toString();
        }
        // free the node before the state says done: a caller that sees "succeeded" may start the next one at once
        running.compareAndSet(op, null);
        record(op, failure == null);
        if (failure == null) {
          op.succeed(clock.instant());
          LOG.info("backup operation {} ({}) succeeded: {}", op.id(), op.kind(), op.summary());
        } else {
          op.fail(clock.instant(), failure);
          LOG.warn("backup operation {} ({}) failed: {}", op.id(), op.kind(), failure);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      running.set(null);
      throw new AionException(ErrorCode.UNAVAILABLE, "the node is shutting down");
    }
    return op;
  }

  private void runCreate(Operation op) throws Exception {
    String id = op.backupId();
    Path dir = workDir.resolve(id);
    Instant started = op.startedAt();
    List<Manifest> earlier = list();
    String parent = earlier.isEmpty() ? null : earlier.get(earlier.size() - 1).id();
    byte[] dataKey = crypto == null ? null : crypto.newDataKey();
    Map<String, String> dataKeys = new java.util.concurrent.ConcurrentSkipListMap<>();
    if (crypto != null) dataKeys.put(id, crypto.wrap(dataKey, id));
    // encrypted objects can be reused only when a backup under this KEK names them (with the data key it used)
    Set<String> sealed = new HashSet<>();
    Map<String, String> knownKeys = new java.util.TreeMap<>();
    if (crypto != null) {
      for (Manifest m : earlier) {
        if (m.encryption() == null || !m.encryption().keyId().equals(crypto.keyId())) continue;
        for (Manifest.Group g : m.groups()) for (Manifest.FileRef f : g.files()) {
          sealed.add(f.object());
          knownKeys.putIfAbsent(f.dataKey(), m.encryption().dataKeys().get(f.dataKey()));
        }
      }
    }
    try (Lock lock = lock("backup", "prune", op)) {
      Files.createDirectories(workDir);
      List<GroupCopy> copies = source.copy(dir);
      if (copies.isEmpty()) throw new IOException("this node holds no Raft group to back up");
      List<Manifest.Group> groups = new ArrayList<>();
      List<List<Path>> files = new ArrayList<>();
      for (GroupCopy c : copies) {
        List<Path> fs = listFiles(c.dir());
        files.add(fs);
        for (Path f : fs) op.progress().addTotal(Files.size(f));
      }
      for (int i = 0; i < copies.size(); i++) {
        GroupCopy c = copies.get(i);
        Checkpoints.Facts facts = Checkpoints.inspect(c.dir());
        List<Manifest.FileRef> refs = inParallel(files.get(i),
            f -> upload(op, id, f, dataKey, sealed, knownKeys, dataKeys, dir));
        groups.add(new Manifest.Group(c.groupId(), c.rangeStart(), c.rangeEnd(), facts.index(), facts.term(),
            facts.revision(), facts.keyCount(), facts.digest(), refs));
      }
      Manifest.Encryption enc = crypto == null ? null
          : new Manifest.Encryption(BackupCrypto.ALGORITHM, crypto.keyId(), new java.util.TreeMap<>(dataKeys));
      Manifest m = new Manifest(Manifest.FORMAT, id, cluster, node, engineVersion, started.toString(),
          clock.instant().toString(), parent, enc, groups, null);
      if (crypto != null) m = m.withMac(crypto.manifestMac(crypto.keyId(), m.unsignedJson()));
      byte[] json = m.toJson();
      store.put(Manifest.key(id), new java.io.ByteArrayInputStream(json), json.length); // last: now the backup exists
      manifests.put(id, m);
      op.result(ordered("backup", id, "revision", groups.get(0).revision(), "keyCount",
          groups.stream().mapToLong(Manifest.Group::keyCount).sum(), "files", m.fileCount(), "bytes", m.bytes(),
          "filesReused", op.progress().filesReused(), "bytesReused", op.progress().bytesReused(),
          "encrypted", crypto != null));
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * Hashes the file and uploads it unless its object is already stored (same name and size; when encrypted, also named
   * by a backup whose data key unwraps), checking that what went up hashes to what was hashed before.
   */
  private Manifest.FileRef upload(Operation op, String id, Path f, byte[] dataKey, Set<String> sealed,
      Map<String, String> knownKeys, Map<String, String> dataKeys, Path dir) throws IOException {
    long size = Files.size(f);
    String sha = sha256(f);
    String name = f.getFileName().toString();
    if (crypto == null) {
      String key = "objects/" + sha;
      Optional<Long> there = store.size(key);
      if (there.isPresent() && there.get() == size) {
        op.progress().reused(size);
      } else {
        MessageDigest check = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), check)) {
          store.put(key, new Counting(in, op.progress()), size);
        }
        changedWhileSent(f, key, sha, check);
        op.progress().uploaded();
      }
      return new Manifest.FileRef(name, size, sha, key, size, null);
    }
    long stored = crypto.ciphertextSize(size);
    // an earlier backup under this KEK stored this content with its own data key: reuse that object
    for (Map.Entry<String, String> known : knownKeys.entrySet()) {
      String earlier = crypto.objectName(crypto.keyId(), sha, known.getKey());
      if (!sealed.contains(earlier)) continue;
      Optional<Long> there = store.size(earlier);
      if (there.isPresent() && there.get() == stored) {
        dataKeys.put(known.getKey(), known.getValue());
        op.progress().reused(size);
        return new Manifest.FileRef(name, size, null, earlier, stored, known.getKey());
      }
    }
    String key = crypto.objectName(crypto.keyId(), sha, id);
    // encrypt into a scratch file beside the checkpoint (bounded memory), then upload it
    Path sealedFile = dir.resolve(".encrypting-" + name);
    MessageDigest check = sha256();
    try {
      try (InputStream in = new DigestInputStream(Files.newInputStream(f), check);
           OutputStream out = crypto.encrypting(dataKey, Files.newOutputStream(sealedFile), key)) {
        in.transferTo(out);
      }
      changedWhileSent(f, key, sha, check);
      if (Files.size(sealedFile) != stored) throw new IOException("encrypted " + name + " to " + Files.size(sealedFile)
          + " bytes, expected " + stored);
      try (InputStream in = Files.newInputStream(sealedFile)) {
        store.put(key, new Counting(in, op.progress(), size, stored), stored);
      }
    } finally {
      Files.deleteIfExists(sealedFile);
    }
    op.progress().uploaded();
    return new Manifest.FileRef(name, size, null, key, stored, id);
  }

  private interface FileWork<E, T> {
    T run(E item) throws IOException;
  }

  /**
   * Runs {@code work} on every file, {@link #transfers} at a time, and returns the results in the files' order; the
   * first failure cancels the rest and is thrown.
   */
  private <E, T> List<T> inParallel(List<E> files, FileWork<E, T> work) throws IOException {
    if (transfers == 1 || files.size() < 2) {
      List<T> out = new ArrayList<>();
      for (E f : files) out.add(work.run(f));
      return out;
    }
    java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(Math.min(transfers, files.size()), r -> {
      Thread t = new Thread(r, "aion-backup-transfer");
      t.setDaemon(true);
      return t;
    });
    try {
      List<java.util.concurrent.Future<T>> futures = new ArrayList<>();
      for (E f : files) futures.add(pool.submit(() -> work.run(f)));
      List<T> out = new ArrayList<>();
      for (java.util.concurrent.Future<T> fu : futures) {
        try {
          out.add(fu.get());
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof IOException io) throw io;
          if (e.getCause() instanceof RuntimeException re) throw re;
          throw new IOException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted");
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
      try {
        pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS); // no transfer outlives its operation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void changedWhileSent(Path f, String key, String sha, MessageDigest sent) throws IOException {
    String got = HexFormat.of().formatHex(sent.digest());
    if (!got.equals(sha)) {
      store.delete(key);
      throw new IOException("file " + f.getFileName() + " changed while it was uploaded (hashed " + sha + ", sent " + got
          + "): backup abandoned");
    }
  }

  private void runVerify(Operation op, boolean deep) throws Exception {
    Manifest m = manifest(op.backupId());
    for (Manifest.Group g : m.groups()) for (Manifest.FileRef f : g.files()) op.progress().addTotal(f.size());
    List<String> problems = new ArrayList<>();
    if (!deep) {
      for (Manifest.Group g : m.groups()) {
        for (Manifest.FileRef f : g.files()) {
          Optional<Long> size = store.size(f.object());
          if (size.isEmpty()) problems.add("file " + f.name() + " of group " + g.groupId() + ": object " + f.object() + " is missing");
          else if (size.get() != f.storedSize()) problems.add("file " + f.name() + " of group " + g.groupId() + ": object "
              + f.object() + " has " + size.get() + " bytes, the manifest says " + f.storedSize());
          op.progress().reused(f.size());
        }
      }
    } else {
      Path scratch = workDir.resolve("verify-" + op.id());
      try {
        for (Manifest.Group g : m.groups()) {
          try {
            restoreGroup(m, g, scratch.resolve("group"), op.progress());
            Checkpoints.verifyChecksums(scratch.resolve("group"));
            checkFacts(m, g, Checkpoints.inspect(scratch.resolve("group")));
          } catch (VerificationException | IOException | RuntimeException e) {
            problems.add(e.getMessage());
          }
          deleteTree(scratch);
        }
      } finally {
        deleteTree(scratch);
      }
    }
    op.result(ordered("backup", m.id(), "level", deep ? "deep" : "light", "files", m.fileCount(), "bytes", m.bytes()));
    if (!problems.isEmpty()) throw new VerificationException("backup " + m.id() + " failed verification: " + String.join("; ", problems));
  }

  static void checkFacts(Manifest m, Manifest.Group g, Checkpoints.Facts got) throws VerificationException {
    if (got.keyCount() != g.keyCount() || !got.digest().equals(g.digest()) || got.revision() != g.revision()) {
      throw new VerificationException("group " + g.groupId() + " of backup " + m.id() + " restored with " + got.keyCount()
          + " keys, revision " + got.revision() + ", digest " + got.digest() + "; the manifest says " + g.keyCount()
          + " keys, revision " + g.revision() + ", digest " + g.digest());
    }
  }

  private void runPrune(Operation op, int keepLast, Duration maxAge, int minKeep, Duration grace) throws Exception {
    try (Lock lock = lock("prune", "backup", op)) {
      Instant now = clock.instant();
      // no rule (keepLast 0, no maxAge): a sweep only, for a caller that keeps its own retention (the operator)
      List<String> expired = keepLast == 0 && maxAge == null ? List.of() : expired(list(true), keepLast, maxAge, minKeep, now);
      for (String id : expired) {
        store.delete(Manifest.key(id));
        manifests.remove(id);
      }
      // objects first, then the manifests that mark them: a manifest written in between only keeps more
      List<ObjectStore.Entry> objects = store.list("objects/");
      Set<String> marked = new HashSet<>();
      for (Manifest m : list(true)) for (Manifest.Group g : m.groups()) for (Manifest.FileRef f : g.files()) marked.add(f.object());
      List<ObjectStore.Entry> sweep = sweepable(marked, objects, now, grace);
      long sweptBytes = 0;
      for (ObjectStore.Entry e : sweep) {
        store.delete(e.key());
        sweptBytes += e.size();
      }
      long young = objects.stream().filter(e -> !marked.contains(e.key())).count() - sweep.size();
      LOG.info("prune of {}: {} backups expired {}, {} objects ({} bytes) swept, {} unreferenced objects younger than {}"
          + " kept", store.describe(), expired.size(), expired, sweep.size(), sweptBytes, young, grace);
      op.result(ordered("expired", expired, "objectsDeleted", (long) sweep.size(), "bytesDeleted", sweptBytes,
          "unreferencedWithinGrace", young));
    }
  }

  // ---------------------------------------------------------------- locks in the store

  /** A lock not rewritten for this long belongs to a node that died: it is ignored and removed by the next prune. */
  static final Duration LOCK_STALE = Duration.ofMinutes(30);
  static final Duration LOCK_REFRESH = Duration.ofMinutes(5);

  /** A held lock object; closing it stops its refresh and deletes it. */
  interface Lock extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  /**
   * Backups and prunes exclude each other across nodes through lock objects in the store ({@code locks/<kind>-<op>}),
   * written first and then checked (restic's protocol): with the read-after-write consistency S3 gives, of a backup
   * and a prune that start together at least one sees the other and gives up, so a prune never sweeps an object a
   * running backup is about to name (reused objects keep their old time, so the grace period alone cannot protect
   * them). Any number of backups may run together. Refreshed every {@link #LOCK_REFRESH} while held.
   */
  Lock lock(String kind, String conflicting, Operation op) throws IOException {
    String key = "locks/" + kind + "-" + op.id() + ".json";
    byte[] body = ("{\"kind\":\"" + kind + "\",\"operation\":\"" + op.id() + "\",\"node\":\"" + node
        + "\",\"since\":\"" + op.startedAt() + "\"}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    store.put(key, new java.io.ByteArrayInputStream(body), body.length);
    java.util.concurrent.ScheduledFuture<?> refresh = refresher.scheduleAtFixedRate(() -> {
      try {
        store.put(key, new java.io.ByteArrayInputStream(body), body.length);
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot refresh lock {}: {}", key, e.getMessage());
      }
    }, LOCK_REFRESH.toSeconds(), LOCK_REFRESH.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    Lock held = () -> {
      refresh.cancel(false);
      store.delete(key);
    };
    try {
      Instant staleBefore = clock.instant().minus(LOCK_STALE);
      for (ObjectStore.Entry e : store.list("locks/")) {
        if (e.key().equals(key)) continue;
        boolean fresh = e.lastModified() == null || e.lastModified().isAfter(staleBefore);
        if (fresh && e.key().startsWith("locks/" + conflicting + "-")) {
          String other = e.key().substring("locks/".length()).replaceFirst("\\.json$", "");
          throw new AionException(ErrorCode.BACKUP_BUSY, "a " + conflicting + " (" + other + ") is running on this"
              + " store; a backup and a prune never run at once: retry when it ends");
        }
        if (!fresh && kind.equals("prune")) {
          LOG.warn("removing stale lock {} (not refreshed since {})", e.key(), e.lastModified());
          store.delete(e.key());
        }
      }
    } catch (IOException | RuntimeException e) {
      try {
        held.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return held;
  }

  /**
   * The ids of the backups a retention rule expires, newest first: those beyond the newest {@code keepLast} (0: no
   * count limit) or created before {@code now - maxAge} (null: no age limit), never one of the newest {@code minKeep}.
   *
   * @param oldestFirst every complete backup, in {@link #list()} order
   */
  static List<String> expired(List<Manifest> oldestFirst, int keepLast, Duration maxAge, int minKeep, Instant now) {
    List<Manifest> all = new ArrayList<>(oldestFirst);
    java.util.Collections.reverse(all); // newest first
    List<String> out = new ArrayList<>();
    for (int i = minKeep; i < all.size(); i++) {
      boolean overCount = keepLast > 0 && i >= keepLast;
      boolean tooOld = maxAge != null && Instant.parse(all.get(i).createdAt()).isBefore(now.minus(maxAge));
      if (overCount || tooOld) out.add(all.get(i).id());
    }
    return out;
  }

  /** The objects a sweep deletes: named by no surviving manifest, and last written before {@code now - grace}. */
  static List<ObjectStore.Entry> sweepable(Set<String> marked, List<ObjectStore.Entry> objects, Instant now,
      Duration grace) {
    Instant cutoff = now.minus(grace);
    return objects.stream()
        .filter(e -> !marked.contains(e.key()))
        .filter(e -> e.lastModified() != null && e.lastModified().isBefore(cutoff))
        .toList();
  }

  // ---------------------------------------------------------------- reading

  /** Start time, then id: ids name the second only, and two backups may start within one. */
  private static final Comparator<Manifest> ORDER = Comparator.comparing((Manifest m) -> Instant.parse(m.createdAt()))
      .thenComparing(Manifest::id);

  /** Every complete backup (one with a manifest), oldest first. Unreadable manifests are logged and left out. */
  public List<Manifest> list() throws IOException {
    return list(false);
  }

  /**
   * @param strict fail on any manifest that cannot be read or parsed (a prune must: objects only an unreadable
   *     manifest names would otherwise be swept) instead of logging it and leaving it out
   */
  List<Manifest> list(boolean strict) throws IOException {
    List<Manifest> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ObjectStore.Entry e : store.list("backups/")) {
      String[] parts = e.key().split("/");
      boolean ours = parts.length == 3 && parts[2].equals("manifest.json") && Manifest.ID.matcher(parts[1]).matches();
      if (!ours) {
        if (strict && e.key().endsWith("manifest.json")) {
          throw new IOException(e.key() + " is not a manifest this engine reads (unknown id form): nothing is deleted");
        }
        continue;
      }
      seen.add(parts[1]);
      try {
        out.add(manifest(parts[1], true));
      } catch (AionException | IOException ex) {
        if (strict) throw new IOException("cannot read the manifest of backup " + parts[1] + " (" + ex.getMessage()
            + "): nothing is deleted while a backup's files cannot be known", ex);
        LOG.warn("skipping backup {}: {}", parts[1], ex.getMessage());
      }
    }
    manifests.keySet().retainAll(seen);
    out.sort(ORDER);
    return out;
  }

  public Optional<Manifest> latest() throws IOException {
    List<Manifest> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** The backup's manifest; 404 BACKUP_NOT_FOUND when there is none. */
  public Manifest manifest(String id) throws IOException {
    return manifest(id, false);
  }

  /** @param listed the caller just saw the manifest in a listing: a cached copy needs no HEAD */
  private Manifest manifest(String id, boolean listed) throws IOException {
    if (!Manifest.ID.matcher(id).matches()) {
      throw new AionException(ErrorCode.BAD_REQUEST, "'" + id + "' is not a backup id (like 20261206T151300Z-7f3a09c2)");
    }
    Manifest cached = manifests.get(id);
    if (cached != null) {
      // another node may have deleted it: a HEAD is cheap next to reading and parsing it again
      if (listed || store.size(Manifest.key(id)).isPresent()) return cached;
      manifests.remove(id);
      throw new AionException(ErrorCode.BACKUP_NOT_FOUND, "no backup " + id + " in " + store.describe());
    }
    byte[] json;
    try (InputStream in = store.get(Manifest.key(id))) {
      json = in.readNBytes(16 << 20);
    } catch (FileNotFoundException e) {
      throw new AionException(ErrorCode.BACKUP_NOT_FOUND, "no backup " + id + " in " + store.describe());
    }
    Manifest m;
    try {
      m = Manifest.parse(id, json);
    } catch (IOException e) {
      throw new AionException(ErrorCode.BACKUP_DAMAGED, e.getMessage());
    }
    if (m.encryption() != null && crypto != null && crypto.knows(m.encryption().keyId())
        && !java.security.MessageDigest.isEqual(m.mac().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            crypto.manifestMac(m.encryption().keyId(), m.unsignedJson()).getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
      throw new AionException(ErrorCode.BACKUP_DAMAGED, "the manifest of backup " + id + " fails its authentication"
          + " (altered, or written under another key with the same id): it is not used");
    }
    manifests.put(id, m);
    return m;
  }

  // ---------------------------------------------------------------- restore

  /**
   * Downloads one group of a backup into {@code dir} (created; must not exist or be empty), checking every object's
   * size and SHA-256 against the manifest. Does not open the result.
   */
  public void restoreGroup(Manifest m, Manifest.Group g, Path dir, Progress progress) throws IOException {
    Files.createDirectories(dir);
    try (var existing = Files.list(dir)) {
      if (existing.findAny().isPresent()) throw new IOException(dir + " is not empty");
    }
    if (m.encryption() != null && crypto == null) {
      throw new IOException("backup " + m.id() + " is encrypted (key " + m.encryption().keyId() + "): set"
          + " backup.encryption-key-file to that key");
    }
    Map<String, byte[]> keys = new java.util.concurrent.ConcurrentHashMap<>();
    inParallel(g.files(), f -> {
      Path target = dir.resolve(f.name());
      MessageDigest sha = sha256();
      long n;
      try (InputStream raw = store.get(f.object());
           var ch = java.nio.channels.FileChannel.open(target, java.nio.file.StandardOpenOption.CREATE_NEW,
               java.nio.file.StandardOpenOption.WRITE)) {
        InputStream plain = raw;
        if (m.encryption() != null) {
          byte[] k = keys.get(f.dataKey());
          if (k == null) {
            k = crypto.unwrap(m.encryption().dataKeys().get(f.dataKey()), f.dataKey(), m.encryption().keyId());
            keys.putIfAbsent(f.dataKey(), k);
          }
          plain = crypto.decrypting(k, raw, f.object());
        }
        OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
        n = new Counting(new DigestInputStream(plain, sha), progress).transferTo(out);
        ch.force(true);
      } catch (FileNotFoundException e) {
        throw new IOException("file " + f.name() + " of backup " + m.id() + ": object " + f.object() + " is missing");
      } catch (IOException e) {
        if (m.encryption() == null || e.getMessage() != null && e.getMessage().contains("data key")) throw e;
        throw new IOException("file " + f.name() + " of backup " + m.id() + ": object " + f.object() + " is damaged"
            + " (it does not decrypt: " + e.getMessage() + ")", e);
      }
      String got = HexFormat.of().formatHex(sha.digest());
      boolean same = m.encryption() == null ? got.equals(f.sha256())
          : crypto.objectName(m.encryption().keyId(), got, f.dataKey()).equals(f.object());
      if (n != f.size() || !same) {
        throw new IOException("file " + f.name() + " of backup " + m.id() + ": object " + f.object() + " is damaged ("
            + n + " bytes" + (m.encryption() == null ? " with SHA-256 " + got + "; the manifest says " + f.size()
            + " bytes with " + f.sha256() : " whose hash does not give the object's name; the manifest says " + f.size()
            + " bytes") + ")");
      }
      return null;
    });
    try (var ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // directories cannot be fsynced on every platform; the files themselves are synced by the caller's open
    }
  }

  // ---------------------------------------------------------------- helpers

  /** A result map that keeps its fields in the order given (answers and CLI tables read in that order). */
  private static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

  private static List<Path> listFiles(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  static String sha256(Path f) throws IOException {
    MessageDigest sha = sha256();
    try (InputStream in = Files.newInputStream(f)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.getMessage());
    }
  }

  /** Counts bytes read into a {@link Progress}. */
  private static final class Counting extends java.io.FilterInputStream {
    private final Progress progress;

    private final long plain;
    private final long stored;
    private long read;
    private long reported;

    Counting(InputStream in, Progress progress) {
      this(in, progress, 1, 1);
    }

    /** Reading {@code stored} bytes counts as {@code plain} bytes done (an encrypted object of a plain file). */
    Counting(InputStream in, Progress progress, long plain, long stored) {
      super(in);
      this.progress = progress;
      this.plain = plain;
      this.stored = Math.max(1, stored);
    }

    private void count(long n) {
      read += n;
      long now = plain == stored ? read : Math.min(plain, (long) ((double) read * plain / stored));
      progress.done(now - reported);
      reported = now;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) count(1);
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) count(n);
      return n;
    }
  }

  /** A backup that is not what its manifest says. */
  public static final class VerificationException extends Exception {
    public VerificationException(String message) {
      super(message);
    }
  }

  @Override
  public void close() {
    worker.shutdownNow(); // interrupts a running operation: it fails and releases its lock
    try {
      if (!worker.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
        LOG.warn("a backup operation did not stop within 30 s of shutdown; its lock goes stale in {}", LOCK_STALE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    refresher.shutdownNow();
    store.close();
  }
}
