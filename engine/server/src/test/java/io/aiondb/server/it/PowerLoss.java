package io.aiondb.server.it;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A simulated power failure for a directory a process wrote through the {@code powerloss.c} LD_PRELOAD shim
 * (src/test/c/powerloss.c, built here with gcc into target/powerloss/). Use: start the process with {@link #env()},
 * kill -9 it, then {@link #cut()}: every change the shim journaled that no completed fsync/fdatasync made durable is
 * undone, newest first, so the directory holds what a disk would hold after losing power at the moment of the kill.
 *
 * <p>The model (see the shim's header): a write or size change to a file is durable only if an fsync or fdatasync
 * of that file began after it and returned; a namespace change (create, rename, unlink, link, mkdir) is durable if
 * any sync began after it and returned (an ordered metadata journal, as ext4 and XFS have); undurable writes are
 * reverted to the bytes they overwrote, undurable appends are cut off, undurable creations removed, renames and
 * unlinks reversed. Limits: writes through mmap are not seen; a real disk may keep part of an unsynced write
 * (torn sectors) or reorder unsynced writes, which this model never does (it drops all of them); the namespace
 * model is ext4-like, not POSIX-strict (it does not require an fsync of the parent directory).
 */
public final class PowerLoss {
  private final Path root;
  private final Path journal;
  private final Path shadow;
  private final long fsyncDelayMicros;
  private final boolean posixStrictNamespace;

  /** What one {@link #cut()} found and undid. */
  public record Report(int records, int writes, int syncs, int writesUndone, long bytesUndone, int namespaceUndone,
      int unresolved, Map<String, Integer> writesByDir, Map<String, Integer> syncsByDir,
      Map<String, Integer> undoneByDir, List<String> namesUndone, java.util.Set<String> unresolvedPaths) {}

  /**
   * @param root            the directory to track (a server's data.dir); created if missing
   * @param fsyncDelayMicros extra latency of every tracked fsync (a real disk takes milliseconds; 0 for none)
   */
  public PowerLoss(Path root, long fsyncDelayMicros) throws IOException {
    this(root, fsyncDelayMicros, false);
  }

  /**
   * @param posixStrictNamespace a create, rename, link or unlink is durable only if an fsync of the directory holding
   *                             the name (both, for a rename) began after it and returned, as POSIX requires, instead
   *                             of by any later sync (the ordered metadata journal of ext4 and XFS)
   */
  public PowerLoss(Path root, long fsyncDelayMicros, boolean posixStrictNamespace) throws IOException {
    Files.createDirectories(root);
    this.root = root.toRealPath();
    Path work = this.root.resolveSibling(this.root.getFileName() + ".powerloss");
    Files.createDirectories(work);
    this.journal = work.resolve("journal");
    this.shadow = work.resolve("shadow");
    this.fsyncDelayMicros = fsyncDelayMicros;
    this.posixStrictNamespace = posixStrictNamespace;
  }

  /** The shim, built from src/test/c/powerloss.c when missing or older than its source. */
  public static synchronized Path shim() throws IOException, InterruptedException {
    Path src = Path.of("src/test/c/powerloss.c").toAbsolutePath();
    Path lib = Path.of("target/powerloss/libpowerloss.so").toAbsolutePath();
    if (Files.exists(lib) && Files.getLastModifiedTime(lib).compareTo(Files.getLastModifiedTime(src)) >= 0) return lib;
    Files.createDirectories(lib.getParent());
    Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O2", "-Wall", "-Wno-format-truncation", "-o",
        lib.toString(), src.toString(), "-ldl", "-lpthread").redirectErrorStream(true).start();
    String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!gcc.waitFor(120, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
      throw new IllegalStateException("gcc could not build the power-loss shim:\n" + out);
    }
    return lib;
  }

  /** The environment that makes a process write through the shim into this journal. */
  public Map<String, String> env() throws IOException, InterruptedException {
    return Map.of("LD_PRELOAD", shim().toString(), "POWERLOSS_ROOT", root.toString(), "POWERLOSS_JOURNAL",
        journal.toString(), "POWERLOSS_SHADOW", shadow.toString(), "POWERLOSS_FSYNC_DELAY_US",
        Long.toString(fsyncDelayMicros));
  }

  // ---- the journal ----

  private sealed interface Rec permits Write, Resize, SyncDone, Ns {
    long seq();
  }

  private record Write(long seq, long dev, long ino, long off, long len, long oldSize, byte[] pre) implements Rec {}

  private record Resize(long seq, long dev, long ino, long oldSize, long newSize, byte[] pre) implements Rec {}

  private record SyncDone(long seq, long dev, long ino, long begin) implements Rec {}

  private record Ns(long seq, char type, String a, String b, String c) implements Rec {}

  private record Inode(long dev, long ino) {}

  private final Map<Inode, String> openedAs = new HashMap<>(); // diagnostics: the path each inode was opened by

  private List<Rec> read() throws IOException {
    openedAs.clear();
    List<Rec> recs = new ArrayList<>();
    if (!Files.exists(journal)) return recs;
    ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(journal)).order(ByteOrder.LITTLE_ENDIAN);
    while (all.remaining() >= 17) {
      char type = (char) all.get();
      long len = all.getLong();
      long seq = all.getLong();
      // a record cut short by the kill: its change was never made (the journal is written before the change)
      if (len > all.remaining()) break;
      ByteBuffer b = all.slice(all.position(), (int) len).order(ByteOrder.LITTLE_ENDIAN);
      all.position(all.position() + (int) len);
      switch (type) {
        case 'W' -> {
          long dev = b.getLong(), ino = b.getLong(), off = b.getLong(), n = b.getLong(), size = b.getLong();
          byte[] pre = new byte[(int) b.getLong()];
          b.get(pre);
          recs.add(new Write(seq, dev, ino, off, n, size, pre));
        }
        case 'T' -> {
          long dev = b.getLong(), ino = b.getLong(), oldSize = b.getLong(), newSize = b.getLong();
          byte[] pre = new byte[(int) b.getLong()];
          b.get(pre);
          recs.add(new Resize(seq, dev, ino, oldSize, newSize, pre));
        }
        case 'S' -> { } // a sync began: only its completion (F) counts
        case 'O' -> openedAs.put(new Inode(b.getLong(), b.getLong()), str(b));
        case 'F' -> recs.add(new SyncDone(seq, b.getLong(), b.getLong(), b.getLong()));
        case 'C', 'R', 'U', 'L' -> recs.add(new Ns(seq, type, str(b), str(b), str(b)));
        default -> throw new IllegalStateException("unknown power-loss journal record " + type + " in " + journal);
      }
    }
    return recs;
  }

  private static String str(ByteBuffer b) {
    int n = b.getInt();
    if (n == 0) return null;
    byte[] s = new byte[n];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  /**
   * Loses power: undoes every change no completed sync made durable, then deletes the journal and the shadow links.
   * Call only after the process that wrote through the shim is dead.
   */
  public Report cut() throws IOException {
    List<Rec> recs = read();
    Map<Inode, Long> durable = new HashMap<>(); // inode -> latest begin of a completed sync of it
    long global = 0; // latest begin of any completed sync: namespace changes before it are durable
    long everything = 0; // latest begin of a completed sync()/syncfs(): all changes before it are durable
    int writes = 0, syncs = 0;
    for (Rec r : recs) {
      if (r instanceof SyncDone s) {
        syncs++;
        global = Math.max(global, s.begin());
        if (s.ino() == 0) everything = Math.max(everything, s.begin());
        else durable.merge(new Inode(s.dev(), s.ino()), s.begin(), Math::max);
      } else if (r instanceof Write) {
        writes++;
      }
    }
    Map<Inode, Path> paths = inodes();
    Map<String, Integer> writesByDir = new java.util.TreeMap<>(), syncsByDir = new java.util.TreeMap<>();
    Map<String, Integer> undoneByDir = new java.util.TreeMap<>();
    for (Rec r : recs) {
      if (r instanceof Write w) writesByDir.merge(topDir(paths.get(new Inode(w.dev(), w.ino()))), 1, Integer::sum);
      if (r instanceof SyncDone s && s.ino() != 0) syncsByDir.merge(topDir(paths.get(new Inode(s.dev(), s.ino()))), 1, Integer::sum);
    }
    int writesUndone = 0, nsUndone = 0, unresolved = 0;
    java.util.Set<String> unresolvedPaths = new java.util.TreeSet<>();
    long bytesUndone = 0;
    for (int i = recs.size() - 1; i >= 0; i--) { // data first, newest first
      Rec r = recs.get(i);
      Inode node;
      if (r instanceof Write w) node = new Inode(w.dev(), w.ino());
      else if (r instanceof Resize z) node = new Inode(z.dev(), z.ino());
      else continue;
      if (r.seq() < Math.max(everything, durable.getOrDefault(node, 0L))) continue; // a sync began after it and returned
      Path p = paths.get(node);
      if (p == null) {
        unresolved++; // the inode is gone: removed in a way the shim did not see
        unresolvedPaths.add(relative(openedAs.getOrDefault(node, "inode " + node.ino())));
        continue;
      }
      try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
        if (r instanceof Write w) {
          undoneByDir.merge(topDir(p), 1, Integer::sum);
          f.seek(w.off());
          f.write(w.pre());
          f.setLength(w.oldSize());
          writesUndone++;
          bytesUndone += w.len();
        } else if (r instanceof Resize z) {
          f.setLength(z.oldSize());
          f.seek(z.newSize());
          f.write(z.pre());
        }
      }
    }
    List<Ns> lostNames = new ArrayList<>(); // decided before anything is undone (directories may move back)
    for (Rec r : recs) {
      if (!(r instanceof Ns n)) continue;
      if (n.seq() < (posixStrictNamespace ? everything : Math.max(global, everything))) continue;
      if (posixStrictNamespace && dirSynced(n.type() == 'R' || n.type() == 'L' ? n.b() : n.a(), n.seq(), durable)
          && (n.type() != 'R' || dirSynced(n.a(), n.seq(), durable))) continue;
      lostNames.add(n);
    }
    List<String> namesUndone = new ArrayList<>();
    for (Ns n : lostNames.reversed()) { // then the namespace, newest first
      nsUndone++;
      namesUndone.add(n.type() + " " + relative(n.a()) + (n.type() == 'R' || n.type() == 'L' ? " -> " + relative(n.b()) : ""));
      try {
        undo(n);
      } catch (IOException e) { // only in the POSIX-strict model, where a kept change may depend on an undone one
        unresolved++;
      }
    }
    deleteTree(shadow);
    Files.deleteIfExists(journal);
    return new Report(recs.size(), writes, syncs, writesUndone, bytesUndone, nsUndone, unresolved, writesByDir, syncsByDir, undoneByDir,
        namesUndone, unresolvedPaths);
  }

  private static void undo(Ns n) throws IOException {
    switch (n.type()) {
      case 'C' -> deleteTree(Path.of(n.a()));
      case 'L' -> Files.deleteIfExists(Path.of(n.b()));
      case 'R' -> {
        Path from = Path.of(n.a()), to = Path.of(n.b());
        if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) Files.move(to, from);
        if (n.c() != null) Files.createLink(to, Path.of(n.c()));
      }
      case 'U' -> {
        Path p = Path.of(n.a());
        if ("dir".equals(n.c())) Files.createDirectories(p);
        else if (n.b() != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) Files.createLink(p, Path.of(n.b()));
      }
      default -> throw new IllegalStateException("namespace record " + n.type());
    }
  }

  /** The first path component under the root ("db", "raft"), "(gone)" for an inode no path holds, "(dir)" for a directory. */
  private String topDir(Path p) {
    if (p == null) return "(gone or a directory)";
    if (!p.startsWith(root)) return "(unlinked)";
    Path rel = root.relativize(p);
    return rel.getNameCount() > 1 ? rel.getName(0).toString() : rel.toString();
  }

  private String relative(String p) {
    Path path = Path.of(p);
    return path.startsWith(root) ? root.relativize(path).toString() : p;
  }

  /** Whether a sync of the directory holding {@code path} began after record {@code seq} and returned. */
  private static boolean dirSynced(String path, long seq, Map<Inode, Long> durable) throws IOException {
    Path parent = Path.of(path).getParent();
    if (parent == null || !Files.isDirectory(parent)) return false;
    long ino = (Long) Files.getAttribute(parent, "unix:ino");
    long dev = (Long) Files.getAttribute(parent, "unix:dev");
    return durable.getOrDefault(new Inode(dev, ino), 0L) > seq;
  }

  /** Every regular file under the root and the shadow directory, by inode. */
  private Map<Inode, Path> inodes() throws IOException {
    Map<Inode, Path> m = new HashMap<>();
    for (Path dir : List.of(shadow, root)) { // root last: prefer a live path over a shadow link
      if (!Files.exists(dir)) continue;
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (!a.isRegularFile()) continue;
          long ino = (Long) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
          long dev = (Long) Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS);
          m.put(new Inode(dev, ino), p);
        }
      }
    }
    return m;
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> w = Files.walk(p)) {
      for (Path f : (Iterable<Path>) w.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(f);
    }
  }

  public static String describe(Report r) {
    return String.format("%d journal records: %d writes %s, %d completed syncs %s; undone: %d writes %s (%d bytes), %d namespace changes %s, %d unresolved %s",
        r.records(), r.writes(), r.writesByDir(), r.syncs(), r.syncsByDir(), r.writesUndone(), r.undoneByDir(), r.bytesUndone(),
        r.namespaceUndone(), r.namesUndone().subList(0, Math.min(8, r.namesUndone().size())), r.unresolved(),
        r.unresolvedPaths().stream().limit(8).toList());
  }
}
