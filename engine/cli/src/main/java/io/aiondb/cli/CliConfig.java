package io.aiondb.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The CLI's config file, like kubectl's kubeconfig (docs/cli.md "config"): named contexts, each a set of connection
 * settings, and which one is current. It is {@code $AION_CONFIG}, else {@code $HOME/.aion/config}; a file that does not
 * exist is an empty config. YAML (JSON is YAML too; a JSON file is written back as JSON):
 *
 * <pre>
 * current-context: prod
 * contexts:
 * - name: prod
 *   endpoints: db1:7071,db2:7071
 *   http: https://db1:7070
 *   cacert: certs/ca.pem      # relative paths are relative to the file's directory
 *   cert: certs/alice.pem
 *   cert-key: certs/alice.key
 *   token: v1....             # from 'aion login --save'
 * </pre>
 *
 * <p>Read strictly: a file that is not YAML, an unknown field, a bad context name or endpoint, or a context named twice
 * is a usage error naming the file and the problem (never a field's value, which may be a token). Written whole,
 * atomically (a temporary file in the same directory, then a move) with mode 0600 in a directory created 0700, because it
 * holds tokens.
 */
final class CliConfig {
  /** What {@code config view} and {@code get-contexts -o json} show instead of a token. */
  static final String REDACTED = "REDACTED";
  /** A context name: 1-63 of A-Z a-z 0-9 . _ - */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,63}");
  private static final List<String> TOP_FIELDS = List.of("current-context", "contexts");
  private static final List<String> CONTEXT_FIELDS =
      List.of("name", "endpoints", "http", "cacert", "cert", "cert-key", "token");
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .build();

  /**
   * One context: the settings it gives (null: not set). Paths are as written: {@link CliConfig#resolve} makes a
   * relative one relative to the file's directory.
   */
  record Context(String name, String endpoints, String http, String cacert, String cert, String certKey, String token) {
    Context withToken(String t) {
      return new Context(name, endpoints, http, cacert, cert, certKey, t);
    }

    @Override
    public String toString() { // never the token
      return "Context[" + name + "]";
    }
  }

  private final Path file;
  private final boolean exists;
  private final boolean json;
  private String current;
  private final Map<String, Context> contexts = new LinkedHashMap<>();

  private CliConfig(Path file, boolean exists, boolean json) {
    this.file = file;
    this.exists = exists;
    this.json = json;
  }

  /** {@code $AION_CONFIG}, else {@code $HOME/.aion/config} (Windows: {@code %USERPROFILE%}), else null (no file). */
  static Path locate(Map<String, String> env) {
    String f = nonBlank(env.get("AION_CONFIG"));
    if (f != null) return Path.of(f).toAbsolutePath().normalize();
    String home = nonBlank(env.get("HOME"));
    if (home == null) home = nonBlank(env.get("USERPROFILE"));
    return home == null ? null : Path.of(home, ".aion", "config").toAbsolutePath().normalize();
  }

  /** The config in {@code file}: empty when {@code file} is null or does not exist; a usage error when malformed. */
  static CliConfig load(Path file) {
    if (file == null || !Files.exists(file)) return new CliConfig(file, false, false);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw bad(file, "cannot be read: " + e.getMessage());
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    CliConfig c = new CliConfig(file, true, text.stripLeading().startsWith("{"));
    c.read(parse(file, bytes));
    return c;
  }

  private static JsonNode parse(Path file, byte[] bytes) {
    try (JsonParser p = YAML.createParser(bytes)) {
      JsonNode root = YAML.readTree(p);
      if (root != null && !root.isMissingNode() && p.nextToken() != null) {
        throw bad(file, "not valid YAML: more than one document");
      }
      return root;
    } catch (JsonProcessingException e) {
      // only the first line: the YAML parser's next lines quote the file, which may hold a token
      String m = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("").strip();
      var at = e.getLocation();
      String where = at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw bad(file, "not valid YAML: " + m + where);
    } catch (IOException e) {
      throw bad(file, "cannot be read: " + e.getMessage());
    }
  }

  private void read(JsonNode root) {
    if (root == null || root.isMissingNode() || root.isNull()) return; // an empty file
    if (!root.isObject()) throw bad(file, "the top level must be a mapping (current-context, contexts), not " + kind(root));
    checkFields(root, TOP_FIELDS, "");
    current = text(root, "current-context", "");
    if (current != null && !NAME.matcher(current).matches()) {
      throw bad(file, "current-context '" + current + "' is not a context name (" + nameRule() + ")");
    }
    JsonNode list = root.get("contexts");
    if (list == null || list.isNull()) return;
    if (!list.isArray()) throw bad(file, "contexts must be a list, not " + kind(list));
    for (int i = 0; i < list.size(); i++) {
      JsonNode n = list.get(i);
      String at = "contexts[" + i + "]";
      if (!n.isObject()) throw bad(file, at + " must be a mapping, not " + kind(n));
      checkFields(n, CONTEXT_FIELDS, at + ": ");
      String name = text(n, "name", at + ".");
      if (name == null) throw bad(file, at + " has no name");
      if (!NAME.matcher(name).matches()) throw bad(file, at + ": '" + name + "' is not a context name (" + nameRule() + ")");
      at = "context '" + name + "'";
      if (contexts.containsKey(name)) throw bad(file, "two contexts are named '" + name + "'");
      String endpoints = text(n, "endpoints", at + ": ");
      String http = text(n, "http", at + ": ");
      try {
        if (endpoints != null) endpoints = checkEndpoints(endpoints);
        if (http != null) checkHttp(http);
      } catch (IllegalArgumentException e) {
        throw bad(file, at + ": " + e.getMessage());
      }
      contexts.put(name, new Context(name, endpoints, http, path(n, "cacert", at), path(n, "cert", at),
          path(n, "cert-key", at), text(n, "token", at + ": ")));
    }
  }

  private void checkFields(JsonNode object, List<String> known, String at) {
    for (String f : (Iterable<String>) object::fieldNames) {
      if (!known.contains(f)) throw bad(file, at + "unknown field '" + f + "' (known: " + String.join(", ", known) + ")");
    }
  }

  /** A scalar field as text (numbers too: {@code name: 123}), null when absent or null; anything else is an error. */
  private String text(JsonNode object, String field, String at) {
    JsonNode v = object.get(field);
    if (v == null || v.isNull()) return null;
    if (!v.isTextual() && !v.isNumber()) throw bad(file, at + field + " must be a string, not " + kind(v));
    return v.asText();
  }

  private String path(JsonNode object, String field, String at) {
    String p = text(object, field, at + ": ");
    if (p != null && p.isBlank()) throw bad(file, at + ": " + field + " is empty");
    return p;
  }

  private static String kind(JsonNode n) {
    if (n.isObject()) return "a mapping";
    if (n.isArray()) return "a list";
    return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  static String nameRule() {
    return "1-63 of A-Z a-z 0-9 . _ -";
  }

  /**
   * {@code endpoints} as {@code --endpoints} takes them (HOST:PORT, comma-separated, blanks around commas ignored),
   * normalized; not that is an {@link IllegalArgumentException} saying why.
   */
  static String checkEndpoints(String endpoints) {
    List<String> out = new ArrayList<>();
    for (String s : endpoints.split(",")) {
      String a = s.strip();
      if (a.isEmpty()) continue;
      int colon = a.lastIndexOf(':');
      int port = -1;
      if (colon > 0) {
        try {
          port = Integer.parseInt(a.substring(colon + 1));
        } catch (NumberFormatException e) {
          // below
        }
      }
      if (port < 1 || port > 65535) throw new IllegalArgumentException("endpoint '" + a + "' is not HOST:PORT");
      out.add(a);
    }
    if (out.isEmpty()) throw new IllegalArgumentException("endpoints names no HOST:PORT");
    return String.join(",", out);
  }

  /** An http:// or https:// URL with a host, as {@code --http} takes; not that is an {@link IllegalArgumentException}. */
  static void checkHttp(String url) {
    try {
      URI u = new URI(url);
      if (("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())) && u.getHost() != null) {
        return;
      }
    } catch (java.net.URISyntaxException e) {
      // below
    }
    throw new IllegalArgumentException("http '" + url + "' is not an http:// or https:// URL");
  }

  // ------------------------------------------------------------------ reading it

  /** The file (absolute), or null when there is none ($AION_CONFIG and $HOME unset). */
  Path file() {
    return file;
  }

  boolean exists() {
    return exists;
  }

  /** current-context, or null. */
  String current() {
    return current;
  }

  /** The context named {@code name}, or null. */
  Context get(String name) {
    return contexts.get(name);
  }

  List<Context> contexts() {
    return List.copyOf(contexts.values());
  }

  /** A path of the file: absolute as it is, relative to the file's directory. */
  Path resolve(String path) {
    Path p = Path.of(path);
    return p.isAbsolute() || file == null ? p : file.getParent().resolve(p).normalize();
  }

  /** The file, or where it would be, for messages. */
  String describe() {
    return file == null ? "(no config file: $AION_CONFIG and $HOME are not set)" : file.toString();
  }

  /** Why {@code name} ({@code source}: where it came from, or null) names no context, for an error message. */
  String unknown(String name, String source) {
    String why = "no context '" + name + "'" + (source == null ? "" : " (" + source + ")") + " in " + describe();
    if (file != null && !exists) return why + ": the file does not exist";
    List<String> names = List.copyOf(contexts.keySet());
    return why + (names.isEmpty() ? ": it has no contexts" : "; its contexts: " + String.join(", ", names));
  }

  // ------------------------------------------------------------------ changing it

  void setCurrent(String name) {
    current = name;
  }

  /** Adds {@code c}, or replaces the context of its name in place; true when it is new. */
  boolean put(Context c) {
    return contexts.put(c.name(), c) == null;
  }

  /** Removes the context {@code name}; true when there was one. */
  boolean remove(String name) {
    return contexts.remove(name) != null;
  }

  /**
   * Writes the config to its file: a temporary file (mode 0600) in the file's directory (created 0700 if missing),
   * flushed to disk, then moved over the file (through a symbolic link to its target), so a reader sees the old file or
   * the new one, never part of one.
   */
  void save() {
    if (file == null) throw CliException.usage("no config file to write: set $AION_CONFIG or $HOME");
    Path target = file;
    Path tmp = null;
    try {
      for (int i = 0; i < 40 && Files.isSymbolicLink(target); i++) {
        target = target.resolveSibling(Files.readSymbolicLink(target)).normalize();
      }
      Path dir = target.toAbsolutePath().getParent();
      boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
      if (!Files.isDirectory(dir)) {
        if (posix) {
          Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } else {
          Files.createDirectories(dir);
        }
      }
      FileAttribute<?>[] attrs = posix
          ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
          : new FileAttribute<?>[0];
      tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", attrs);
      if (posix) Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(render(false).getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) ch.write(b);
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (FileAlreadyExistsException e) {
      throw CliException.usage("cannot write " + file + ": " + e.getFile() + " exists and is not a directory");
    } catch (IOException e) {
      throw CliException.usage("cannot write " + file + ": " + e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort
        }
      }
    }
  }

  // ------------------------------------------------------------------ showing it

  /** The config as a tree, in the file's layout; tokens as {@link #REDACTED} when {@code redact}. */
  ObjectNode tree(boolean redact) {
    ObjectNode root = Output.JSON.createObjectNode();
    if (current != null) root.put("current-context", current);
    ArrayNode list = root.putArray("contexts");
    for (Context c : contexts.values()) list.add(tree(c, redact));
    return root;
  }

  /** One context in the file's layout; its token as {@link #REDACTED} when {@code redact}. */
  static ObjectNode tree(Context c, boolean redact) {
    ObjectNode o = Output.JSON.createObjectNode().put("name", c.name());
    if (c.endpoints() != null) o.put("endpoints", c.endpoints());
    if (c.http() != null) o.put("http", c.http());
    if (c.cacert() != null) o.put("cacert", c.cacert());
    if (c.cert() != null) o.put("cert", c.cert());
    if (c.certKey() != null) o.put("cert-key", c.certKey());
    if (c.token() != null) o.put("token", redact ? REDACTED : c.token());
    return o;
  }

  /** The file's text: YAML, or indented JSON when the file was JSON. */
  String render(boolean redact) {
    return json ? Output.pretty(tree(redact)) + "\n" : yaml(tree(redact));
  }

  static String yaml(JsonNode n) {
    try {
      return YAML.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static CliException bad(Path file, String what) {
    return CliException.usage("config file " + file + ": " + what);
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
