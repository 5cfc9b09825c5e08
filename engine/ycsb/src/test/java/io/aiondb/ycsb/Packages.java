package io.aiondb.ycsb;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds the peer servers' binaries (Debian's {@code etcd-server} and {@code redis-server}); when one is missing and the
 * tests run as root with apt-get (as in CI), installs the package, else fails saying what to install.
 */
final class Packages {
  private Packages() {}

  /** The path of {@code binary}, installing Debian package {@code pkg} first if needed. */
  static synchronized String require(String binary, String pkg) throws Exception {
    String found = which(binary);
    if (found != null) return found;
    boolean root = "0".equals(run(List.of("id", "-u"), 10).trim());
    if (!root || which("apt-get") == null) {
      throw new IllegalStateException("'" + binary + "' is not installed and this test cannot install it (needs root and "
          + "apt-get). Install it with: apt-get install " + pkg);
    }
    System.err.println("installing " + pkg + " with apt-get (needed for the " + binary + " peer)");
    run(List.of("apt-get", "update", "-qq"), 600);
    run(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", pkg), 600);
    found = which(binary);
    if (found == null) throw new IllegalStateException("apt-get install " + pkg + " did not provide '" + binary + "'");
    return found;
  }

  private static String which(String binary) {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin"));
    for (String d : dirs) {
      File f = new File(d, binary);
      if (!d.isEmpty() && f.canExecute()) return f.getPath();
    }
    return null;
  }

  private static String run(List<String> cmd, int timeoutSeconds) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "):\n" + text);
    return text;
  }
}
