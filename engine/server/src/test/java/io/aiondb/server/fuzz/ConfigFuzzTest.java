package io.aiondb.server.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.aiondb.server.config.ConfigException;
import io.aiondb.server.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Configuration from flags, the environment and a properties file. Input: text in up to three sections separated by
 * a line {@code ---}: flags (one argument a line), environment ({@code NAME=value} lines), properties file content.
 * {@link ConfigLoader#load} returns a configuration or throws {@link ConfigException}, whose message names the
 * setting: anything else would stop the server at start with a stack trace instead of a message. Inputs that name
 * another config file ({@code --config}, {@code AION_CONFIG}) are skipped: the fuzzer must not read arbitrary files.
 */
class ConfigFuzzTest {
  private static final Path FILE;

  static {
    try {
      FILE = Files.createTempFile("aion-config-fuzz", ".properties");
      FILE.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest
  // libFuzzer dictionary syntax: \xNN escapes a byte, \\ a backslash.
  @DictionaryEntries({"\\x0A---\\x0A", "--", "=", "AION_", "MiB", "GiB", "TiB", "ms", "d", "true", "off", "grpc",
      "netty", "aion-0=h:7072:7070", "\\\\u", "99999999999999999999", "\\x00", "--backup.s3.bucket=b-1",
      "backup.s3.endpoint=", "backup.s3.prefix=", "backup.encryption-key-file=", "backup.encryption-old-key-files=",
      "raft.snapshot-log-size="})
  void load(byte[] input) throws IOException {
    String[] sections = new String(input, StandardCharsets.UTF_8).split("\n---\n", 3);
    List<String> args = sections[0].isEmpty() ? List.of() : List.of(sections[0].split("\n", -1));
    Map<String, String> env = new HashMap<>();
    if (sections.length > 1) {
      for (String line : sections[1].split("\n")) {
        int eq = line.indexOf('=');
        if (eq > 0) env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    if (env.containsKey("AION_CONFIG")) return;
    for (String a : args) if (a.equals("--config") || a.startsWith("--config=")) return;
    Path file = null;
    if (sections.length > 2) {
      Files.writeString(FILE, sections[2], StandardCharsets.UTF_8);
      file = FILE;
    }
    try {
      ConfigLoader.load(args.toArray(new String[0]), env, file);
    } catch (ConfigException expected) {
      if (expected.getMessage() == null || expected.getMessage().isBlank()) throw new AssertionError("no message");
    }
  }
}
