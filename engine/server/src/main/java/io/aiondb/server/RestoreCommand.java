package io.aiondb.server;

import io.aiondb.server.backup.Backups;
import io.aiondb.server.backup.Manifest;
import io.aiondb.server.backup.Progress;
import io.aiondb.server.backup.S3ObjectStore;
import io.aiondb.server.config.AionConfig;
import io.aiondb.server.config.ConfigException;
import io.aiondb.server.config.ConfigLoader;
import io.aiondb.server.storage.Checkpoints;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code aion-server restore --backup ID|latest --data.dir DIR [settings]}: builds a node's data directory from a
 * backup (docs/backup.md). Downloads every file of the backup's group, checks each one's size and SHA-256 against the
 * manifest, verifies RocksDB's block checksums, compares key count and digest with the manifest, and resets the applied
 * Raft index so that the node starts a new cluster (a new Raft log) whose revisions continue after the backup's.
 * Never in place: the data directory must hold no data. The files go to {@code data.dir/db.restoring} and are renamed
 * to {@code data.dir/db} only once every check passed, so a restore killed half-way leaves no database a server would
 * open (the next restore deletes the leftover first).
 *
 * <p>{@code --init} is for an init container that runs before every start of a member (the operator's
 * {@code spec.bootstrap.restore}): it restores only into an empty data directory of a node that forms the cluster
 * ({@code cluster.bootstrap} and listed in {@code cluster.initial-members}), and otherwise exits 0 saying why: a
 * restarted member keeps its data, and a member added later starts empty and joins (it catches up from the others).
 */
final class RestoreCommand {
  private RestoreCommand() {}

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    String backup = null;
    boolean init = false;
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        out.println("usage: aion-server restore --backup ID|latest --data.dir DIR [--init] [--config FILE] [--backup.s3.*=...]");
        out.println("Builds DIR from a backup in the configured object store; DIR must hold no data. Then start every"
            + " member of the new cluster on a data directory restored from the same backup. docs/backup.md");
        out.println("--init: for an init container before every start: restore only into an empty DIR of a node that"
            + " forms the cluster; otherwise do nothing and exit 0.");
        return 0;
      }
      if (a.equals("--init")) {
        init = true;
        continue;
      }
      if (a.equals("--backup")) {
        if (i + 1 >= args.length) return usage(err, "--backup needs a backup id (or latest)");
        backup = args[++i];
      } else if (a.startsWith("--backup=")) {
        backup = a.substring("--backup=".length());
      } else {
        rest.add(a);
      }
    }
    if (backup == null || backup.isBlank()) return usage(err, "--backup ID (or --backup latest) is required");
    AionConfig config;
    try {
      config = ConfigLoader.load(rest.toArray(String[]::new), env, null);
    } catch (ConfigException e) {
      return usage(err, e.getMessage());
    }
    if (config.backupTarget() == null) return usage(err, "backup.s3.bucket is not set: say where the backup is");
    Path db = config.storage().dataDir();
    Path staging = db.resolveSibling(db.getFileName() + ".restoring");
    if (init && (holdsData(db) || holdsData(config.raftDir()))) {
      out.println("restore --init: " + config.dataDir() + " already holds data (a restart): nothing to restore");
      return 0;
    }
    if (init && !config.formsCluster()) {
      out.println("restore --init: node " + config.nodeId() + " does not form the cluster (cluster.bootstrap=false or"
          + " not in cluster.initial-members): it starts empty and joins, catching up from the members");
      return 0;
    }
    if (holdsData(db) || holdsData(config.raftDir())) {
      err.println("error: " + config.dataDir() + " already holds data (" + db + " or " + config.raftDir() + "): restore"
          + " never writes over a node's data; give an empty --data.dir");
      return 1;
    }
    if (Files.exists(staging)) {
      out.println("deleting " + staging + ": left by a restore that did not finish");
      deleteQuietly(staging);
    }
    io.aiondb.server.storage.NativeLibrary.loadRocksDb();
    try (Backups backups = new Backups(new S3ObjectStore(config.backupTarget()),
        config.backupKeys() == null ? null : config.backupKeys().load(), dir -> {
      throw new IOException("restore takes no backups");
    }, config.clusterName(), config.nodeId(), Version.VALUE, config.dataDir().resolve("backup-work"), Clock.systemUTC(),
        config.backupTransfers())) {
      Manifest m = backup.equals("latest")
          ? backups.latest().orElseThrow(() -> new IOException("no backup in " + backups.target()))
          : backups.manifest(backup);
      if (m.groups().size() != 1) {
        throw new IOException("backup " + m.id() + " holds " + m.groups().size() + " Raft groups; this engine version"
            + " runs one group per node and restores backups of one group");
      }
      Manifest.Group g = m.groups().get(0);
      out.printf("restoring backup %s of cluster %s (taken on %s at %s: revision %d, %d keys, %d files, %s) from %s"
          + " into %s%n", m.id(), m.cluster(), m.node(), m.completedAt(), g.revision(), g.keyCount(), g.files().size(),
          mib(g.bytes()), backups.target(), db);
      Progress progress = new Progress();
      Thread bar = progressBar(progress, g.bytes(), err);
      try {
        backups.restoreGroup(m, g, staging, progress);
      } finally {
        bar.interrupt();
        bar.join();
      }
      out.println("downloaded and checked every file's SHA-256; verifying RocksDB checksums, key count and digest");
      Checkpoints.verifyChecksums(staging);
      Checkpoints.Facts facts = Checkpoints.inspect(staging);
      if (facts.keyCount() != g.keyCount() || !facts.digest().equals(g.digest()) || facts.revision() != g.revision()) {
        throw new IOException("the restored data has " + facts.keyCount() + " keys, revision " + facts.revision()
            + ", digest " + facts.digest() + "; the manifest says " + g.keyCount() + " keys, revision " + g.revision()
            + ", digest " + g.digest());
      }
      Checkpoints.resetForNewLog(staging);
      if (Files.isDirectory(db)) Files.delete(db); // empty (checked above)
      Files.move(staging, db, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      out.printf("restored: %s now holds backup %s (revision %d, %d keys). Start the node with --data.dir=%s: it"
          + " forms a new cluster whose revisions continue after %d. Every voting member of the new cluster must be"
          + " restored from this same backup (or start empty with cluster.bootstrap=false and be added as a learner).%n",
          config.dataDir(), m.id(), g.revision(), g.keyCount(), config.dataDir(), g.revision());
      return 0;
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      err.println("error: restore failed: " + e.getMessage());
      deleteQuietly(staging);
      return 1;
    }
  }

  private static boolean holdsData(Path dir) {
    if (!Files.isDirectory(dir)) return Files.exists(dir);
    try (var s = Files.list(dir)) {
      return s.findAny().isPresent();
    } catch (IOException e) {
      return true;
    }
  }

  private static int usage(PrintStream err, String message) {
    err.println("error: " + message);
    err.println("usage: aion-server restore --backup ID|latest --data.dir DIR [--init] [--config FILE] [--backup.s3.*=...]");
    return 2;
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }

  /** One line on stderr, rewritten every half second (a line per update when stderr is not a terminal). */
  private static Thread progressBar(Progress p, long total, PrintStream err) {
    boolean tty = System.console() != null;
    Thread t = new Thread(() -> {
      try {
        while (true) {
          Thread.sleep(tty ? 500 : 5000);
          long done = p.bytesDone();
          err.printf(tty ? "\r%s of %s (%d%%), %s/s   " : "%s of %s (%d%%), %s/s%n", mib(done), mib(total),
              total == 0 ? 100 : done * 100 / total, mib(p.bytesPerSecond()));
        }
      } catch (InterruptedException e) {
        if (tty) err.println();
      }
    }, "aion-restore-progress");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) return;
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // best effort: the message above already says the restore failed
    }
  }
}
