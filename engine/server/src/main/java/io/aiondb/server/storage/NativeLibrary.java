package io.aiondb.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's JNI library from one cached copy instead of a fresh one per process.
 *
 * <p>{@link RocksDB#loadLibrary()} extracts the 16 MB library from the jar into the temporary directory under a random
 * name and deletes it only when the JVM exits normally: every engine killed (SIGKILL, OOM kill, power loss) leaves one
 * behind, and a development machine running crash tests once held 1,403 of them (22 GB). Here the library is
 * extracted once per RocksDB build into {@code <dir>/rocksdbjni-<sha256 prefix>/} (a directory only this user may
 * write, checked before use), written to a temporary name and renamed, and loaded from there; its content is compared
 * with the jar's before every load, so a truncated or replaced file is written again rather than loaded. Any failure
 * falls back to RocksDB's own loader, with a warning.
 *
 * <p>The directory is {@code aion.native-dir} (system property) or {@code AION_NATIVE_DIR}, else
 * {@code <java.io.tmpdir>/aion-native-<user>}.
 */
public final class NativeLibrary {
  private static final Logger LOG = LoggerFactory.getLogger(NativeLibrary.class);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

  private NativeLibrary() {}

  /** Loads RocksDB (idempotent: RocksDB ignores a second load). */
  public static void loadRocksDb() {
    try {
      // the jar holds getJniLibraryFileName("rocksdb"); loadLibrary(paths) looks in each path for the name made from
      // "rocksdbjni" (librocksdbjnijni-linux64.so in 11.8.1): the copy is written under the name it looks for
      Path lib = extract(defaultDir(), Environment.getJniLibraryFileName("rocksdb"),
          Environment.getJniLibraryFileName("rocksdbjni"));
      RocksDB.loadLibrary(List.of(lib.getParent().toString()));
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      LOG.warn("could not load RocksDB from a cached copy ({}); extracting it to the temporary directory instead", e.toString());
      RocksDB.loadLibrary();
    }
  }

  static Path defaultDir() {
    String dir = System.getProperty("aion.native-dir");
    if (dir == null || dir.isBlank()) dir = System.getenv("AION_NATIVE_DIR");
    if (dir == null || dir.isBlank()) {
      dir = Path.of(System.getProperty("java.io.tmpdir"), "aion-native-" + System.getProperty("user.name", "user"))
          .toString();
    }
    return Path.of(dir);
  }

  /**
   * The cached copy of the class-path resource {@code resource} under {@code dir}, written if missing or different.
   *
   * @return the library file, named {@code name} inside a directory named after its content's hash
   */
  static Path extract(Path dir, String resource, String name) throws IOException {
    byte[] content;
    try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) throw new IOException("no " + resource + " on the class path");
      content = in.readAllBytes();
    }
    String hash = sha256(content);
    ownerOnlyDirectory(dir);
    Path versionDir = dir.resolve("rocksdbjni-" + hash.substring(0, 16));
    ownerOnlyDirectory(versionDir);
    Path lib = versionDir.resolve(name);
    if (Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS) && Files.size(lib) == content.length
        && hash.equals(sha256(Files.readAllBytes(lib)))) {
      return lib;
    }
    Path tmp = Files.createTempFile(versionDir, name, ".part");
    try {
      Files.write(tmp, content);
      try {
        Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return lib;
  }

  /** Creates {@code dir} for this user only, or checks that an existing one is a directory nobody else may write. */
  private static void ownerOnlyDirectory(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // created concurrently by another process: checked below
      }
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw new IOException(dir + " is not a directory");
    var owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
    var me = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
    if (!owner.equals(me)) throw new IOException(dir + " belongs to " + owner.getName() + ", not to this user");
    Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
    if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IOException(dir + " may be written by other users (" + PosixFilePermissions.toString(p) + ")");
    }
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
