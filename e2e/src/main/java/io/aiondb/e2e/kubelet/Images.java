package io.aiondb.e2e.kubelet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which local build a container image runs as. There is no container runtime: an image is an entry point plus the
 * host directories that stand for its files.
 *
 * <p>The engine image ({@code images/pom.xml}, profile engine-image) has the entry point
 * {@code java --enable-native-access=ALL-UNNAMED -jar /app/aion-server.jar --config /etc/aion/aion.properties},
 * working directory {@code /var/lib/aion}, and {@code /app} holds {@code aion-server.jar} and {@code lib/}: exactly
 * the layout of {@code engine/server/target}. So a rule maps an image to such a directory, and {@code /app} in the
 * command line becomes that directory ({@link PathMap}). By default every tag of
 * {@code ghcr.io/aiondb/aion-server} runs the engine built in this work tree, whatever version the tag names (the
 * engine then reports its own build version, e.g. {@code 0.1.0-SNAPSHOT}); more rules map particular tags to other
 * builds ({@code --image ghcr.io/aiondb/aion-server:0.2.0=/path/to/engine/server/target}).
 */
public final class Images {
  /** The engine image's repository (the operator's default engine-image-repository). */
  public static final String ENGINE_REPOSITORY = "ghcr.io/aiondb/aion-server";

  /** The engine image's entry point, as images/pom.xml builds it (a test keeps the two equal). */
  public static final List<String> ENGINE_ENTRYPOINT = List.of(
      "java", "--enable-native-access=ALL-UNNAMED", "-jar", "/app/aion-server.jar",
      "--config", "/etc/aion/aion.properties");
  public static final String ENGINE_WORKDIR = "/var/lib/aion";
  /**
   * In a pod, {@code 0.0.0.0} means the pod's own network namespace. Here all pods share the host's, so the engine's
   * listen addresses are set to the pod IP with these variables (the engine ranks the environment above its file).
   */
  public static final List<String> ENGINE_LISTEN_ENV = List.of("AION_HTTP_HOST", "AION_RAFT_HOST");

  /** What an image runs as: its entry point, working directory, image paths and listen-address variables. */
  public record Image(String reference, List<String> entrypoint, String workingDir, Map<String, Path> files,
      List<String> listenEnv) {
    /** The JVM runs in place of {@code java}: the harness adds its JVM options right after it. */
    public boolean isJava() {
      return !entrypoint.isEmpty() && entrypoint.get(0).equals("java");
    }
  }

  private record Rule(String repository, String tag, Path engineDir) {
    boolean matches(String repo, String t) {
      return repository.equals(repo) && (tag.equals("*") || tag.equals(t));
    }
  }

  private final List<Rule> rules = new ArrayList<>();

  /** The default: every tag of the engine image runs {@code engineDir} (e.g. engine/server/target). */
  public static Images engine(Path engineDir) {
    Images images = new Images();
    images.add(ENGINE_REPOSITORY + ":*", engineDir);
    return images;
  }

  /** Adds {@code repository:tag} (tag {@code *}: any) → an engine build directory. Later rules win. */
  public Images add(String image, Path engineDir) {
    String[] rt = split(image);
    rules.add(0, new Rule(rt[0], rt[1] == null ? "*" : rt[1], engineDir.toAbsolutePath().normalize()));
    return this;
  }

  /** Parses {@code IMAGE=DIR}, as given to {@code --image}. */
  public Images add(String rule) {
    int eq = rule.lastIndexOf('=');
    if (eq <= 0) throw new IllegalArgumentException("expected IMAGE=ENGINE_TARGET_DIR, not " + rule);
    return add(rule.substring(0, eq), Path.of(rule.substring(eq + 1)));
  }

  public Optional<Image> resolve(String reference) {
    String[] rt = split(reference);
    String tag = rt[1] == null ? "latest" : rt[1];
    for (Rule r : rules) {
      if (r.matches(rt[0], tag)) {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("/app", r.engineDir());
        return Optional.of(new Image(reference, ENGINE_ENTRYPOINT, ENGINE_WORKDIR, files, ENGINE_LISTEN_ENV));
      }
    }
    return Optional.empty();
  }

  public String describe() {
    StringBuilder s = new StringBuilder();
    for (Rule r : rules) {
      s.append(s.isEmpty() ? "" : ", ").append(r.repository()).append(':').append(r.tag()).append(" -> ")
          .append(r.engineDir());
    }
    return s.toString();
  }

  /** {@code [repository, tag or null]}; a port in the registry host is not a tag. */
  static String[] split(String image) {
    int at = image.indexOf('@');
    String s = at >= 0 ? image.substring(0, at) : image;
    int colon = s.lastIndexOf(':');
    if (colon > s.lastIndexOf('/')) {
      return new String[] {s.substring(0, colon), s.substring(colon + 1)};
    }
    return new String[] {s, null};
  }
}
