package io.aiondb.e2e.scenarios;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;

/**
 * Engine build directories for upgrade scenarios, made in a second from the one build of this work tree (the layout
 * of {@code engine/server/target}: {@code aion-server.jar} with {@code lib/} beside it, what the process kubelet's
 * {@code Images} maps an image tag to).
 *
 * <p>{@link #withVersion} is a real engine build that reports another version: the same classes, with the one
 * resource {@code io.aiondb.server.Version} reads ({@code aion-version.properties}, which Maven filters from
 * {@code ${project.version}}) holding another value, exactly what building the engine with another project version
 * would change. Its {@code lib/} is a link to the original's. {@link #broken} is an image that cannot start: its
 * jar is not a jar, so {@code java -jar} exits at once.
 */
final class EngineBuilds {
  static final String VERSION_RESOURCE = "aion-version.properties";

  private EngineBuilds() {}

  /** A copy of {@code build} at {@code dir} whose engine reports {@code version} (in {@code /v1/status}). */
  static Path withVersion(Path build, Path dir, String version) throws IOException {
    Path jar = build.resolve("aion-server.jar");
    if (!Files.isRegularFile(jar)) throw new IOException(jar + " is missing: build the engine first");
    Files.createDirectories(dir);
    boolean replaced = false;
    try (JarFile in = new JarFile(jar.toFile());
        JarOutputStream out = new JarOutputStream(Files.newOutputStream(dir.resolve("aion-server.jar")),
            in.getManifest())) {
      for (var entries = in.entries(); entries.hasMoreElements(); ) {
        JarEntry e = entries.nextElement();
        if (e.getName().equals(JarFile.MANIFEST_NAME) || e.getName().equals("META-INF/")) continue;
        out.putNextEntry(new ZipEntry(e.getName()));
        if (e.getName().equals(VERSION_RESOURCE)) {
          out.write(("version=" + version + "\n").getBytes(StandardCharsets.ISO_8859_1));
          replaced = true;
        } else {
          try (InputStream data = in.getInputStream(e)) {
            data.transferTo(out);
          }
        }
        out.closeEntry();
      }
    }
    if (!replaced) throw new IOException(jar + " has no " + VERSION_RESOURCE + ": not an engine build");
    Path lib = dir.resolve("lib");
    if (!Files.exists(lib, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(lib, build.resolve("lib").toAbsolutePath());
    }
    return dir;
  }

  /** A build directory whose {@code aion-server.jar} is not a jar: the container exits at once. */
  static Path broken(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (OutputStream out = Files.newOutputStream(dir.resolve("aion-server.jar"))) {
      out.write("not a jar: an image that fails to start (e2e)\n".getBytes(StandardCharsets.UTF_8));
    }
    return dir;
  }

  /** The version a build's jar reports. */
  static String version(Path build) throws IOException {
    try (JarFile jar = new JarFile(build.resolve("aion-server.jar").toFile())) {
      ZipEntry e = jar.getEntry(VERSION_RESOURCE);
      if (e == null) throw new IOException(build + " has no " + VERSION_RESOURCE);
      var p = new java.util.Properties();
      try (InputStream in = jar.getInputStream(e)) {
        p.load(in);
      }
      return p.getProperty("version");
    }
  }
}
