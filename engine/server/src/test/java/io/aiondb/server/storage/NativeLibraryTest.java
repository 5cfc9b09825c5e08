package io.aiondb.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.util.Environment;

class NativeLibraryTest {
  private static final String RESOURCE = Environment.getJniLibraryFileName("rocksdb");
  private static final String LIB = "librocksdb-copy.so";

  @TempDir Path dir;

  private static byte[] jarCopy() throws IOException {
    try (InputStream in = NativeLibraryTest.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      return in.readAllBytes();
    }
  }

  @Test
  void extractsOnceAndReusesTheCopy() throws Exception {
    Path cache = dir.resolve("native");
    Path first = NativeLibrary.extract(cache, RESOURCE, LIB);
    assertThat(first).startsWith(cache).hasBinaryContent(jarCopy());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rwx------");
    Object file = Files.readAttributes(first, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    Path again = NativeLibrary.extract(cache, RESOURCE, LIB);
    assertThat(again).isEqualTo(first);
    // a rewrite is a new file renamed over the old one: another inode
    assertThat(Files.readAttributes(again, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
        .as("not written again").isEqualTo(file);
    try (var files = Files.list(first.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).as("no temporary file left").containsExactly(LIB);
    }
  }

  @Test
  void aTruncatedOrReplacedCopyIsWrittenAgainNotLoaded() throws Exception {
    Path cache = dir.resolve("native");
    Path lib = NativeLibrary.extract(cache, RESOURCE, LIB);
    Files.write(lib, new byte[] {1, 2, 3}); // a crash while copying, or someone else's file
    Object before = Files.readAttributes(lib, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    assertThat(NativeLibrary.extract(cache, RESOURCE, LIB)).hasBinaryContent(jarCopy());
    assertThat(Files.readAttributes(lib, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
        .as("replaced by a new file, not written in place").isNotEqualTo(before);
    byte[] flipped = jarCopy();
    flipped[flipped.length / 2] ^= 1; // same size, other content
    Files.write(lib, flipped);
    assertThat(NativeLibrary.extract(cache, RESOURCE, LIB)).hasBinaryContent(jarCopy());
  }

  @Test
  void aDirectoryOthersMayWriteIsRefused() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> NativeLibrary.extract(shared, RESOURCE, LIB)).isInstanceOf(IOException.class)
        .hasMessageContaining("may be written by other users");
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> NativeLibrary.extract(file, RESOURCE, LIB)).isInstanceOf(IOException.class)
        .hasMessageContaining("is not a directory");
  }
}
