package io.aiondb.e2e.kubelet;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Container paths → host directories: the pod's volume mounts and the image's own directories ({@code /app}).
 *
 * <p>There is no mount namespace, so the harness rewrites paths where a program finds them: in the command line,
 * in environment values, and in the text of the ConfigMap and Secret files it writes for the pod. A path is
 * rewritten where it starts a word (not preceded by a letter, digit, {@code .}, {@code _}, {@code -} or {@code /})
 * and ends at {@code /} or at a character that cannot be part of a file name; the longest mount wins. So with
 * {@code /var/lib/aion} mounted, {@code data.dir=/var/lib/aion/data} becomes
 * {@code data.dir=<volume dir>/data}, while {@code /var/lib/aionx} and {@code /opt/var/lib/aion} stay as they are.
 */
public final class PathMap {
  private final Map<String, Path> mounts = new LinkedHashMap<>();
  private Pattern pattern;

  public PathMap put(String containerPath, Path hostPath) {
    String p = containerPath.length() > 1 && containerPath.endsWith("/")
        ? containerPath.substring(0, containerPath.length() - 1) : containerPath;
    if (!p.startsWith("/") || p.equals("/")) {
      throw new IllegalArgumentException("mount path must be absolute and not /: " + containerPath);
    }
    mounts.put(p, hostPath.toAbsolutePath().normalize());
    pattern = null;
    return this;
  }

  public Map<String, Path> mounts() {
    return Map.copyOf(mounts);
  }

  /** The host path of a container path, or the path unchanged if no mount covers it. */
  public String hostPath(String containerPath) {
    return translate(containerPath);
  }

  public String translate(String text) {
    if (text == null || mounts.isEmpty()) return text;
    if (pattern == null) {
      StringBuilder alternatives = new StringBuilder();
      mounts.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed()).forEach(m ->
          alternatives.append(alternatives.isEmpty() ? "" : "|").append(Pattern.quote(m)));
      pattern = Pattern.compile("(?<![\\w./-])(" + alternatives + ")(?=/|$|[^\\w.-])");
    }
    Matcher m = pattern.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(mounts.get(m.group(1)).toString()));
    }
    m.appendTail(out);
    return out.toString();
  }
}
