package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every ```sh block of docs/api.md, in order, against a fresh server, and checks the ```json or ```text block
 * that follows it. JSON is compared field by field; an expected RFC 3339 time matches any time, an expected
 * cursor string matches any cursor string.
 */
public class DocsIT {
  private static final Pattern BLOCK = Pattern.compile("```(sh|json|text)\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
  private static final ObjectMapper M = new ObjectMapper();

  public record Example(String command, String kind, String expected) {}

  public static List<Example> examples(String markdown) {
    List<Example> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(markdown);
    List<String[]> blocks = new ArrayList<>();
    while (m.find()) blocks.add(new String[] {m.group(1), m.group(2)});
    for (int i = 0; i < blocks.size(); i++) {
      if (!blocks.get(i)[0].equals("sh")) continue;
      String kind = null;
      String expected = null;
      if (i + 1 < blocks.size() && !blocks.get(i + 1)[0].equals("sh")) {
        kind = blocks.get(i + 1)[0];
        expected = blocks.get(i + 1)[1];
      }
      out.add(new Example(blocks.get(i)[1].trim(), kind, expected));
    }
    return out;
  }

  @Test
  void everyCurlExampleWorks(@TempDir Path dir) throws Exception {
    String md = Files.readString(Path.of("../../docs/api.md"));
    List<Example> examples = examples(md);
    assertThat(examples).hasSizeGreaterThan(15);
    try (TestServer s = new TestServer(dir.resolve("data"))) {
      for (Example ex : examples) {
        String cmd = ex.command().replace("http://localhost:7070", s.url);
        Process p = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + cmd).directory(dir.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit code of:\n%s\n%s", ex.command(), err).isZero();
        if ("json".equals(ex.kind())) {
          JsonNode actual = M.readTree(out);
          JsonNode expected = M.readTree(ex.expected());
          List<String> problems = new ArrayList<>();
          compare("$", expected, actual, problems);
          assertThat(problems).as("%s\nprinted:\n%s", ex.command(), out).isEmpty();
        } else if ("text".equals(ex.kind())) {
          assertThat(out.strip()).as(ex.command()).isEqualTo(ex.expected().strip());
        }
      }
    }
  }

  private static void compare(String path, JsonNode expected, JsonNode actual, List<String> problems) {
    if (actual == null || actual.isMissingNode()) {
      problems.add(path + ": missing");
      return;
    }
    if (expected.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
        var e = it.next();
        if (e.getKey().equals("cursor") && e.getValue().isTextual() && actual.path("cursor").isTextual()) continue;
        compare(path + "." + e.getKey(), e.getValue(), actual.get(e.getKey()), problems);
      }
    } else if (expected.isArray()) {
      if (!actual.isArray() || actual.size() != expected.size()) {
        problems.add(path + ": expected " + expected.size() + " elements, got " + actual);
        return;
      }
      for (int i = 0; i < expected.size(); i++) compare(path + "[" + i + "]", expected.get(i), actual.get(i), problems);
    } else if (expected.isTextual() && TIME.matcher(expected.textValue()).matches()) {
      if (!actual.isTextual() || !TIME.matcher(actual.textValue()).matches()) problems.add(path + ": expected a time, got " + actual);
    } else if (!expected.equals(actual)) {
      problems.add(path + ": expected " + expected + ", got " + actual);
    }
  }
}
