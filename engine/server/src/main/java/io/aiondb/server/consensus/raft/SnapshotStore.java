package io.aiondb.server.consensus.raft;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

/**
 * Snapshots on disk: each is a RocksDB checkpoint in {@code <raft>/<group>/sm/snapshot.<term>_<index>/}. The
 * directory name carries the term and index; the files are hard links to the live SST files (cheap). A follower that
 * installs a snapshot from the leader receives the same layout (Ratis replaces the whole {@code sm} directory), then
 * restores RocksDB from it. Only the newest snapshot is kept.
 */
final class SnapshotStore implements StateMachineStorage {
  private static final Pattern NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
  private volatile File smDir;

  @Override
  public void init(RaftStorage storage) {
    smDir = storage.getStorageDir().getStateMachineDir();
  }

  Path dir() {
    return smDir.toPath();
  }

  static String name(TermIndex ti) {
    return "snapshot." + ti.getTerm() + "_" + ti.getIndex();
  }

  /** The newest snapshot directory with its term and index, or null. */
  Latest latest() {
    if (smDir == null || !smDir.exists()) return null;
    Latest best = null;
    try (Stream<Path> s = Files.list(smDir.toPath())) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (!m.matches() || !Files.isDirectory(p)) continue;
        TermIndex ti = TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
        if (best == null || ti.getIndex() > best.termIndex().getIndex()) best = new Latest(p, ti);
      }
    } catch (IOException e) {
      return null;
    }
    return best;
  }

  record Latest(Path dir, TermIndex termIndex) {}

  @Override
  public SnapshotInfo getLatestSnapshot() {
    Latest l = latest();
    if (l == null) return null;
    List<FileInfo> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(l.dir())) {
      // no digest: Ratis computes it while streaming the file and the follower verifies it
      s.filter(Files::isRegularFile).sorted().forEach(f -> files.add(new FileInfo(f, null)));
    } catch (IOException e) {
      return null;
    }
    return new FileListSnapshotInfo(files, l.termIndex());
  }

  @Override
  public void format() {}

  /** Deletes every snapshot but the newest, and leftovers of interrupted checkpoints. */
  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
    Latest keep = latest();
    try (Stream<Path> s = Files.list(smDir.toPath())) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (keep != null && p.equals(keep.dir())) continue;
        String n = p.getFileName().toString();
        if (NAME.matcher(n).matches() || n.startsWith("tmp-")) deleteTree(p);
      }
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> w = Files.walk(p)) {
      for (Path f : (Iterable<Path>) w.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(f);
    }
  }
}
