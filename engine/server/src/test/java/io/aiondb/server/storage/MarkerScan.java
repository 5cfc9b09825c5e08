package io.aiondb.server.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Encryption tests: which files under a directory hold a marker's bytes (a value written in clear). */
public final class MarkerScan {
  private MarkerScan() {}

  /** Files under {@code dir}, relative to it, whose bytes contain {@code marker}. */
  public static List<Path> filesContaining(Path dir, String marker) throws IOException {
    byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        byte[] b = Files.readAllBytes(p);
        outer:
        for (int i = 0; i + m.length <= b.length; i++) {
          for (int j = 0; j < m.length; j++) if (b[i + j] != m[j]) continue outer;
          out.add(dir.relativize(p));
          break;
        }
      }
    }
    return out;
  }
}
