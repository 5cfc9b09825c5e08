package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The power-loss harness itself: a JVM (the same libnio calls the server makes) writes files through the shim, is
 * killed with -9, and {@link PowerLoss#cut()} must leave exactly what its fsyncs made durable.
 */
class PowerLossTest {
  @Test
  void unsyncedChangesAreDroppedAndSyncedOnesKept(@TempDir Path dir) throws Exception {
    Path root = dir.resolve("data");
    PowerLoss loss = new PowerLoss(root, 0);
    runWriterAndKill(root, loss);
    PowerLoss.Report r = loss.cut();

    // the synced prefix stays, the unsynced append is gone
    assertThat(Files.readString(root.resolve("appended"))).isEqualTo("A".repeat(100));
    // an overwrite in place after the last fsync is reverted to the bytes it replaced
    assertThat(Files.readString(root.resolve("overwritten"))).isEqualTo("X".repeat(100));
    // a file created and written after the last sync of anything does not exist
    assertThat(root.resolve("never-synced")).doesNotExist();
    // written but only its directory entry made durable (by a later fsync of another file): empty
    assertThat(root.resolve("created-not-synced")).exists();
    assertThat(Files.size(root.resolve("created-not-synced"))).isZero();
    // a rename followed by an fsync stays; one after the last fsync is reversed
    assertThat(Files.readString(root.resolve("renamed-durable"))).isEqualTo("R1");
    assertThat(root.resolve("renamed-late")).doesNotExist();
    assertThat(Files.readString(root.resolve("to-rename-late"))).isEqualTo("R2");
    // a rename that replaced a file after the last fsync: the old file is back
    assertThat(Files.readString(root.resolve("replaced"))).isEqualTo("old");
    // an unlink after the last fsync is reversed, with the file's durable content
    assertThat(Files.readString(root.resolve("deleted-late"))).isEqualTo("D");
    assertThat(Files.readString(root.resolve("removed-late"))).isEqualTo("E"); // java.io.File.delete: libc remove()
    // truncated after its fsync: the cut bytes come back
    assertThat(Files.readString(root.resolve("truncated"))).isEqualTo("T".repeat(40));
    // positional writes (pwrite64, FileChannel.write(buf, pos)) are seen like appends
    assertThat(Files.readString(root.resolve("positional"))).isEqualTo("P".repeat(20));
    assertThat(r.writesUndone()).isPositive();
    assertThat(r.unresolved()).as("every undone write found its file").isZero();
    assertThat(root.resolveSibling("data.powerloss").resolve("journal")).doesNotExist();
  }

  /** POSIX-strict: a create or rename is durable only once its directory is fsynced, whatever else was synced. */
  @Test
  void strictModelNeedsADirectoryFsync(@TempDir Path dir) throws Exception {
    Path root = dir.resolve("data");
    PowerLoss loss = new PowerLoss(root, 0, true);
    runWriterAndKill(root, loss);
    loss.cut();
    try (var files = Files.list(root)) {
      assertThat(files.map(f -> f.getFileName().toString()).toList())
          .as("only the file created before the directory's fsync").containsExactly("appended");
    }
    assertThat(Files.readString(root.resolve("appended"))).isEqualTo("A".repeat(100));
  }

  /** Runs {@link Writer} through the shim until it has made its changes, then kills it with -9. */
  private static void runWriterAndKill(Path root, PowerLoss loss) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), Writer.class.getName(), root.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(loss.env());
    Process p = pb.start();
    var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    StringBuilder log = new StringBuilder();
    while ((line = out.readLine()) != null && !line.equals("ready")) log.append(line).append('\n');
    assertThat(line).as("the writer finished its writes; its output:\n%s", log).isEqualTo("ready");
    // before the power cut, the page cache has everything (what kill -9 alone leaves)
    assertThat(Files.readString(root.resolve("appended"))).isEqualTo("A".repeat(100) + "B".repeat(50));
    assertThat(root.resolve("never-synced")).exists();
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  /** Runs in the child JVM under the shim. Each step's durable outcome is asserted above. */
  public static final class Writer {
    public static void main(String[] args) throws Exception {
      Path root = Path.of(args[0]);
      Files.createDirectories(root);
      try (FileChannel c = open(root.resolve("appended"))) {
        write(c, "A".repeat(100));
        c.force(true);
        try (FileChannel d = FileChannel.open(root, StandardOpenOption.READ)) {
          d.force(true); // the directory: makes "appended" durable even in the POSIX-strict model
        }
        write(c, "B".repeat(50));
      }
      try (FileChannel c = open(root.resolve("overwritten"))) {
        write(c, "X".repeat(100));
        c.force(false);
        c.write(ByteBuffer.wrap("YYYYYYYYYY".getBytes(StandardCharsets.US_ASCII)), 10);
      }
      try (FileChannel c = open(root.resolve("positional"))) {
        c.write(ByteBuffer.wrap("P".repeat(20).getBytes(StandardCharsets.US_ASCII)), 0);
        c.force(false);
        c.write(ByteBuffer.wrap("Q".repeat(20).getBytes(StandardCharsets.US_ASCII)), 10);
      }
      try (FileChannel c = open(root.resolve("truncated"))) {
        write(c, "T".repeat(40));
        c.force(false);
        c.truncate(10);
      }
      Files.writeString(root.resolve("created-not-synced"), "lost");
      Files.writeString(root.resolve("to-rename"), "R1");
      Files.writeString(root.resolve("deleted-late"), "D");
      Files.writeString(root.resolve("removed-late"), "E");
      Files.writeString(root.resolve("replaced"), "old");
      Files.writeString(root.resolve("replacement"), "new");
      for (String f : List.of("deleted-late", "removed-late")) {
        try (FileChannel c = FileChannel.open(root.resolve(f), StandardOpenOption.WRITE)) {
          c.force(true);
        }
      }
      try (FileChannel c = FileChannel.open(root.resolve("replaced"), StandardOpenOption.WRITE)) {
        c.force(true);
      }
      try (FileChannel c = FileChannel.open(root.resolve("to-rename"), StandardOpenOption.WRITE)) {
        c.force(true);
      }
      Files.move(root.resolve("to-rename"), root.resolve("renamed-durable"), StandardCopyOption.ATOMIC_MOVE);
      Files.writeString(root.resolve("to-rename-late"), "R2");
      try (FileChannel c = open(root.resolve("barrier"))) { // the last completed sync: everything above it is durable
        write(c, "!");
        c.force(true);
        try (FileChannel d = FileChannel.open(root.resolve("to-rename-late"), StandardOpenOption.WRITE)) {
          d.force(true);
        }
      }
      // after the last sync: none of this survives
      Files.move(root.resolve("to-rename-late"), root.resolve("renamed-late"), StandardCopyOption.ATOMIC_MOVE);
      Files.move(root.resolve("replacement"), root.resolve("replaced"), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      Files.delete(root.resolve("deleted-late"));
      if (!root.resolve("removed-late").toFile().delete()) throw new IllegalStateException("remove()"); // libc remove()
      Files.writeString(root.resolve("never-synced"), "gone");
      System.out.println("ready");
      System.out.flush();
      Thread.sleep(60_000);
    }

    private static FileChannel open(Path p) throws java.io.IOException {
      return FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    private static void write(FileChannel c, String s) throws java.io.IOException {
      ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
      while (b.hasRemaining()) c.write(b);
    }
  }
}
