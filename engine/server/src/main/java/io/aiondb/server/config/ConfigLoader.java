package io.aiondb.server.config;

import io.aiondb.server.config.Settings.Setting;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds an {@link AionConfig}: defaults, then the properties file, then the environment, then flags. */
public final class ConfigLoader {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB|K|M|G|T)?",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

  private ConfigLoader() {}

  /**
   * @param args flags ({@code --name=value}, {@code --name value}, {@code --config FILE})
   * @param env  the environment (only {@code AION_*} names are read)
   * @param file a properties file, or null (a {@code --config} flag overrides it)
   */
  public static AionConfig load(String[] args, Map<String, String> env, Path file) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Setting s : Settings.ALL) values.put(s.name(), s.defaultValue());
    Map<String, String> flags = parseFlags(args);
    String configFlag = flags.remove("config");
    Path configFile = configFlag != null ? toPath("--config", configFlag) : file;
    if (env.containsKey("AION_CONFIG") && configFlag == null) configFile = toPath("AION_CONFIG", env.get("AION_CONFIG"));
    if (configFile != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(configFile)) {
        p.load(r);
      } catch (IOException e) {
        throw new ConfigException("cannot read config file " + configFile + ": " + e.getMessage());
      } catch (IllegalArgumentException e) { // Properties.load: a malformed \\uXXXX escape
        throw new ConfigException("config file " + configFile + " is not a valid properties file: " + e.getMessage());
      }
      for (String name : p.stringPropertyNames()) put(values, name, p.getProperty(name).trim(), "config file " + configFile);
    }
    for (Setting s : Settings.ALL) {
      String v = env.get(s.envName());
      if (v != null) values.put(s.name(), v.trim());
    }
    for (Map.Entry<String, String> f : flags.entrySet()) put(values, f.getKey(), f.getValue(), "flag --" + f.getKey());
    return build(values);
  }

  private static void put(Map<String, String> values, String name, String value, String source) {
    if (Settings.byName(name) == null) {
      throw new ConfigException("unknown setting '" + name + "' (" + source + "); see docs/configuration.md");
    }
    values.put(name, value);
  }

  static Map<String, String> parseFlags(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || a.length() == 2) throw new ConfigException("unexpected argument '" + a + "'; flags look like --name=value");
      String body = a.substring(2);
      int eq = body.indexOf('=');
      if (eq >= 0) {
        flags.put(body.substring(0, eq), body.substring(eq + 1));
      } else {
        if (i + 1 >= args.length) throw new ConfigException("flag --" + body + " needs a value");
        flags.put(body, args[++i]);
      }
    }
    return flags;
  }

  private static io.aiondb.server.backup.BackupTarget backupTarget(Map<String, String> v) {
    String bucket = str(v, "backup.s3.bucket").trim();
    String endpoint = str(v, "backup.s3.endpoint").trim();
    String prefix = str(v, "backup.s3.prefix").trim();
    if (bucket.isEmpty()) {
      if (!endpoint.isEmpty() || !prefix.isEmpty()) {
        throw new ConfigException("backup.s3.endpoint and backup.s3.prefix need backup.s3.bucket");
      }
      return null;
    }
    return backupTarget("backup.s3.", bucket, endpoint, prefix, str(v, "backup.s3.region").trim(),
        bool(v, "backup.s3.path-style"), str(v, "cluster.name"));
  }

  /** @param k what names the settings in messages ({@code backup.s3.} or a named store's {@code file: name.}) */
  private static io.aiondb.server.backup.BackupTarget backupTarget(String k, String bucket, String endpoint,
      String prefix, String region, boolean pathStyle, String clusterName) {
    // S3's bucket naming rules (3-63 of a-z 0-9 . -, starting and ending with a letter or digit)
    if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      throw new ConfigException(k + "bucket '" + bucket + "' is not a valid bucket name (3-63 of a-z 0-9 . -)");
    }
    if (!endpoint.isEmpty()) {
      try {
        java.net.URI u = new java.net.URI(endpoint);
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null
            || u.getUserInfo() != null) {
          throw new java.net.URISyntaxException(endpoint, "want http(s)://host[:port] without user information");
        }
      } catch (java.net.URISyntaxException e) {
        throw new ConfigException(k + "endpoint is not an http(s) URL: " + e.getReason());
      }
    }
    if (prefix.isEmpty()) prefix = clusterName;
    if (!prefix.matches("[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*") || prefix.length() > 512) {
      throw new ConfigException(k + "prefix '" + prefix + "' must be path segments of A-Z a-z 0-9 ! _ . * ' ( ) -"
          + " joined by single slashes, without a slash at either end");
    }
    if (!region.matches("[a-z0-9-]{1,64}")) throw new ConfigException(k + "region '" + region + "' is not a region name");
    return new io.aiondb.server.backup.BackupTarget(endpoint, bucket, prefix, region, pathStyle);
  }

  private static final java.util.List<String> STORE_FIELDS = java.util.List.of("bucket", "endpoint", "prefix", "region",
      "path-style", "credentials-dir", "encryption-key-file", "encryption-old-key-files");

  /**
   * backup.stores-file: a properties file of named stores, {@code <name>.<setting>} (docs/backup.md "Named stores").
   * Every store is checked as the default one is; an unknown setting, a bad name or value stops the start.
   */
  private static java.util.Map<String, io.aiondb.server.backup.NamedStore> backupStores(Map<String, String> v) {
    Path file = optionalPath(v, "backup.stores-file");
    if (file == null) return java.util.Map.of();
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new ConfigException("cannot read backup.stores-file " + file + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("backup.stores-file " + file + " is not a valid properties file: " + e.getMessage());
    }
    java.util.Map<String, java.util.Map<String, String>> fields = new java.util.TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      int dot = key.indexOf('.');
      String name = dot < 0 ? key : key.substring(0, dot);
      String field = dot < 0 ? "" : key.substring(dot + 1);
      if (!io.aiondb.server.backup.NamedStore.NAME.matcher(name).matches() || !STORE_FIELDS.contains(field)) {
        throw new ConfigException("backup.stores-file " + file + ": '" + key + "' is not <store>.<setting> with a store"
            + " name of 1-63 a-z 0-9 - and one of the settings " + String.join(", ", STORE_FIELDS));
      }
      fields.computeIfAbsent(name, n -> new java.util.HashMap<>()).put(field, p.getProperty(key).trim());
    }
    java.util.Map<String, io.aiondb.server.backup.NamedStore> out = new java.util.LinkedHashMap<>();
    for (var e : fields.entrySet()) {
      String k = "backup.stores-file " + file + ": " + e.getKey() + ".";
      java.util.Map<String, String> f = e.getValue();
      String bucket = f.getOrDefault("bucket", "");
      if (bucket.isEmpty()) throw new ConfigException(k + "bucket is required");
      String pathStyle = f.getOrDefault("path-style", "false");
      if (!pathStyle.equals("true") && !pathStyle.equals("false")) {
        throw new ConfigException(k + "path-style must be true or false, not '" + pathStyle + "'");
      }
      var target = backupTarget(k, bucket, f.getOrDefault("endpoint", ""), f.getOrDefault("prefix", ""),
          f.getOrDefault("region", "us-east-1"), Boolean.parseBoolean(pathStyle), str(v, "cluster.name"));
      String creds = f.getOrDefault("credentials-dir", "");
      java.util.List<Path> old = new java.util.ArrayList<>();
      for (String o : f.getOrDefault("encryption-old-key-files", "").split(",")) {
        if (!o.isBlank()) old.add(toPath(k + "encryption-old-key-files", o.trim()));
      }
      String key = f.getOrDefault("encryption-key-file", "");
      if (key.isEmpty() && !old.isEmpty()) throw new ConfigException(k + "encryption-old-key-files needs " + k + "encryption-key-file");
      out.put(e.getKey(), new io.aiondb.server.backup.NamedStore(e.getKey(), target,
          creds.isEmpty() ? null : toPath(k + "credentials-dir", creds),
          key.isEmpty() ? null : new io.aiondb.server.backup.BackupKeys(toPath(k + "encryption-key-file", key), old)));
    }
    if (!out.isEmpty() && str(v, "backup.s3.bucket").isBlank()) {
      throw new ConfigException("backup.stores-file needs backup.s3.bucket: named stores are for single backups beside"
          + " the default store");
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  /** tracing.*: an http(s) URL (or empty), a ratio between 0 and 1, a service name. */
  private static AionConfig.Tracing tracing(Map<String, String> v) {
    String endpoint = str(v, "tracing.otlp-endpoint").trim();
    if (!endpoint.isEmpty()) {
      java.net.URI uri;
      try {
        uri = new java.net.URI(endpoint);
      } catch (java.net.URISyntaxException e) {
        throw new ConfigException("tracing.otlp-endpoint: '" + endpoint + "' is not a URL: " + e.getReason());
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new ConfigException("tracing.otlp-endpoint: '" + endpoint + "' is not an http or https URL with a host "
            + "(e.g. http://otel-collector:4318/v1/traces)");
      }
    }
    String ratioText = str(v, "tracing.sample-ratio").trim();
    double ratio;
    try {
      ratio = Double.parseDouble(ratioText);
    } catch (NumberFormatException e) {
      throw new ConfigException("tracing.sample-ratio: '" + ratioText + "' is not a number between 0 and 1");
    }
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new ConfigException("tracing.sample-ratio: '" + ratioText + "' is not a number between 0 and 1");
    }
    String service = str(v, "tracing.service-name").trim();
    if (service.isEmpty() || service.length() > 100) {
      throw new ConfigException("tracing.service-name must be 1-100 characters");
    }
    return new AionConfig.Tracing(endpoint.isEmpty() ? null : endpoint, ratio, service);
  }

  private static AionConfig.Encryption encryption(Map<String, String> v) {
    Path key = optionalPath(v, "encryption.key-file");
    java.util.List<Path> old = new java.util.ArrayList<>();
    for (String p : str(v, "encryption.old-key-files").split(",")) {
      if (!p.isBlank()) old.add(toPath("encryption.old-key-files", p.trim()));
    }
    Duration period = duration(v, "encryption.data-key-rotation-period");
    if (!period.isZero() && period.toMinutes() < 1) {
      throw new ConfigException("encryption.data-key-rotation-period must be 0 or at least 1m");
    }
    return new AionConfig.Encryption(key, old, period);
  }

  private static io.aiondb.server.backup.BackupKeys backupKeys(Map<String, String> v) {
    Path key = optionalPath(v, "backup.encryption-key-file");
    java.util.List<Path> old = new java.util.ArrayList<>();
    for (String p : str(v, "backup.encryption-old-key-files").split(",")) {
      if (!p.isBlank()) old.add(toPath("backup.encryption-old-key-files", p.trim()));
    }
    if (key == null) {
      if (!old.isEmpty()) throw new ConfigException("backup.encryption-old-key-files needs backup.encryption-key-file");
      return null;
    }
    if (str(v, "backup.s3.bucket").isBlank()) throw new ConfigException("backup.encryption-key-file needs backup.s3.bucket");
    return new io.aiondb.server.backup.BackupKeys(key, old);
  }

  private static AionConfig build(Map<String, String> v) {
    AionConfig c = new AionConfig(
        str(v, "node.id"),
        path(v, "data.dir"),
        optionalPath(v, "data.cold-dir"),
        size(v, "data.hot-target-size"),
        size(v, "data.cold-target-size"),
        str(v, "http.host"),
        intRange(v, "http.port", 0, 65535),
        optionalPath(v, "http.port-file"),
        intRange(v, "protocol.port", -1, 65535),
        new ConnectionLimits(intRange(v, "protocol.max-connections", 1, 1_000_000), duration(v, "protocol.idle-timeout"),
            size(v, "protocol.max-connection-memory"), intRange(v, "http.max-connections", 1, 1_000_000),
            duration(v, "http.idle-timeout"), duration(v, "http.read-timeout")),
        str(v, "cluster.name"),
        str(v, "cluster.peers"),
        bool(v, "cluster.bootstrap"),
        idList(v, "cluster.initial-members"),
        intRange(v, "cluster.caught-up-lag", 0, Integer.MAX_VALUE),
        str(v, "raft.host"),
        intRange(v, "raft.port", 0, 65535),
        oneOf(v, "raft.transport", "netty", "grpc"),
        duration(v, "raft.election-timeout"),
        intRange(v, "raft.snapshot-interval", 100, Integer.MAX_VALUE),
        size(v, "raft.snapshot-log-size"),
        size(v, "raft.segment-size"),
        bool(v, "raft.leader-lease"),
        bool(v, "storage.sync"),
        size(v, "storage.block-cache-size"),
        size(v, "storage.write-buffer-size"),
        size(v, "cache.size"),
        intRange(v, "history.keep-versions", 0, Integer.MAX_VALUE),
        duration(v, "history.keep-duration"),
        duration(v, "history.compaction-interval"),
        intRange(v, "history.compaction-chunk", 1, 1_000_000),
        duration(v, "request.timeout"),
        intRange(v, "admission.max-pending-writes", 1, 1_000_000),
        size(v, "admission.max-pending-bytes"),
        new AionConfig.Batching(intRange(v, "raft.batch.max-commands", 1, 100_000), size(v, "raft.batch.max-bytes"),
            intRange(v, "raft.batch.max-in-flight", 1, 1024)),
        queryLimits(v),
        new io.aiondb.server.watch.WatchLimits(intRange(v, "watch.max", 1, 1_000_000),
            intRange(v, "watch.max-per-client", 1, 1_000_000), intRange(v, "watch.max-per-connection", 1, 1_000_000),
            duration(v, "watch.send-timeout")),
        duration(v, "shutdown.grace"),
        oneOf(v, "log.level", "error", "warn", "info", "debug", "trace"),
        optionalPath(v, "tls.cert-file"),
        optionalPath(v, "tls.key-file"),
        optionalPath(v, "tls.ca-file"),
        oneOf(v, "tls.client-auth", "none", "request", "require"),
        duration(v, "tls.reload-interval"),
        oneOf(v, "tls.peer-identity", "any", "uri"),
        backupTarget(v),
        backupKeys(v),
        intRange(v, "backup.transfers", 1, 32),
        backupStores(v),
        new AionConfig.Audit(optionalPath(v, "audit.file"), bool(v, "audit.stdout"), size(v, "audit.max-file-size"),
            intRange(v, "audit.max-files", 0, 1000), dataNamespaces(str(v, "audit.data-namespaces"))),
        new AionConfig.Auth(bool(v, "auth.enabled"), optionalPath(v, "auth.root-password-file"),
            optionalPath(v, "auth.operator-key-file"), duration(v, "auth.token-ttl")),
        encryption(v),
        tracing(v),
        bool(v, "metrics.enabled"));
    if (c.nodeId().isBlank()) throw new ConfigException("node.id must not be empty");
    if (c.auth().tokenTtl().toSeconds() < 1 || c.auth().tokenTtl().compareTo(Duration.ofDays(30)) > 0) {
      throw new ConfigException("auth.token-ttl must be between 1s and 30d");
    }
    if (c.writeBufferBytes() < (1 << 20)) throw new ConfigException("storage.write-buffer-size must be at least 1MiB");
    if (c.audit().maxFileBytes() < (64 << 10)) throw new ConfigException("audit.max-file-size must be at least 64KiB");
    if (!c.audit().dataNamespaces().isEmpty() && !c.audit().enabled()) {
      throw new ConfigException("audit.data-namespaces needs audit.file or audit.stdout: the records would go nowhere");
    }
    c.connections().validate();
    if (c.requestTimeout().isZero()) throw new ConfigException("request.timeout must be positive");
    if (c.watch().sendTimeout().toMillis() < 100) throw new ConfigException("watch.send-timeout must be at least 100ms");
    if (c.batching().maxBytes() < (64 << 10) || c.batching().maxBytes() > (4L << 20)) {
      throw new ConfigException("raft.batch.max-bytes must be between 64KiB and 4MiB (a Raft entry holds at most 8MB)");
    }
    if (c.admissionMaxPendingBytes() < (4 << 20)) throw new ConfigException("admission.max-pending-bytes must be at least 4MiB");
    if (!c.clusterName().matches("[a-zA-Z0-9_.-]{1,63}")) throw new ConfigException("cluster.name must be 1-63 of a-z A-Z 0-9 _ . -");
    if (c.segmentBytes() < (64 << 10)) throw new ConfigException("raft.segment-size must be at least 64KiB");
    if (c.snapshotLogBytes() < (1 << 20)) throw new ConfigException("raft.snapshot-log-size must be at least 1MiB");
    if (c.electionTimeout().toMillis() < 50) throw new ConfigException("raft.election-timeout must be at least 50ms");
    boolean anyTls = c.tlsCertFile() != null || c.tlsKeyFile() != null || c.tlsCaFile() != null;
    if (anyTls && (c.tlsCertFile() == null || c.tlsKeyFile() == null || c.tlsCaFile() == null)) {
      throw new ConfigException("TLS needs all of tls.cert-file, tls.key-file and tls.ca-file; missing: "
          + String.join(", ", java.util.stream.Stream.of(
              c.tlsCertFile() == null ? "tls.cert-file" : null, c.tlsKeyFile() == null ? "tls.key-file" : null,
              c.tlsCaFile() == null ? "tls.ca-file" : null).filter(java.util.Objects::nonNull).toList()));
    }
    if (c.tls() && c.raftTransport().equals("netty")) {
      throw new ConfigException("raft.transport=netty has no TLS in Ratis 3.3.0; use raft.transport=grpc with TLS");
    }
    if (c.tlsReloadInterval().toMillis() < 100) throw new ConfigException("tls.reload-interval must be at least 100ms");
    if (!c.tls() && c.tlsPeerIdentity().equals("uri")) {
      throw new ConfigException("tls.peer-identity=uri needs TLS (tls.cert-file, tls.key-file, tls.ca-file)");
    }
    var peers = io.aiondb.server.consensus.raft.Peers.parse(c.clusterPeers(), c.nodeId(), c.raftHost(), c.raftPort(),
        c.httpPort());
    for (String id : c.initialMembers()) {
      if (peers.stream().noneMatch(p -> p.id().equals(id))) {
        throw new ConfigException("cluster.initial-members names " + id + ", which is not in cluster.peers ("
            + peers.stream().map(io.aiondb.server.consensus.raft.Peers.Peer::id).toList() + ")");
      }
    }
    return c;
  }

  private static io.aiondb.server.query.QueryLimits queryLimits(Map<String, String> v) {
    Duration timeout = duration(v, "query.timeout");
    if (timeout.toMillis() < 1) throw new ConfigException("query.timeout must be at least 1ms");
    long maxRead = size(v, "query.max-read");
    if (maxRead < 1) throw new ConfigException("query.max-read must be positive");
    return new io.aiondb.server.query.QueryLimits(intRange(v, "query.max-examined", 1, Integer.MAX_VALUE), maxRead,
        intRange(v, "query.max-evaluations", 1, Integer.MAX_VALUE), timeout,
        intRange(v, "query.max-concurrent", 1, 10_000));
  }

  /** A comma-separated list of distinct node ids; empty when the setting is empty. */
  private static java.util.List<String> idList(Map<String, String> v, String n) {
    String raw = str(v, n).trim();
    if (raw.isEmpty()) return java.util.List.of();
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (String part : raw.split(",")) {
      String id = part.trim();
      if (!id.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}")) {
        throw new ConfigException(n + " must be comma-separated node ids (1-63 of a-z A-Z 0-9 _ . -), got '" + part + "'");
      }
      if (ids.contains(id)) throw new ConfigException(n + " names " + id + " twice");
      ids.add(id);
    }
    return java.util.List.copyOf(ids);
  }

  private static String str(Map<String, String> v, String n) {
    return v.get(n);
  }

  private static String oneOf(Map<String, String> v, String n, String... allowed) {
    String s = v.get(n).toLowerCase(Locale.ROOT);
    for (String a : allowed) if (a.equals(s)) return s;
    throw new ConfigException(n + " must be one of " + String.join(", ", allowed) + ", not '" + v.get(n) + "'");
  }

  private static Path path(Map<String, String> v, String n) {
    String s = v.get(n);
    if (s.isBlank()) throw new ConfigException(n + " must not be empty");
    return toPath(n, s);
  }

  private static Path optionalPath(Map<String, String> v, String n) {
    String s = v.get(n);
    return s.isBlank() ? null : toPath(n, s);
  }

  private static Path toPath(String n, String s) {
    try {
      return Path.of(s);
    } catch (java.nio.file.InvalidPathException e) {
      throw new ConfigException(n + " is not a valid path: " + e.getMessage());
    }
  }

  private static boolean bool(Map<String, String> v, String n) {
    String s = v.get(n).toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new ConfigException(n + " must be true or false, not '" + v.get(n) + "'");
    };
  }

  private static int intRange(Map<String, String> v, String n, int min, int max) {
    try {
      int i = Integer.parseInt(v.get(n));
      if (i < min || i > max) throw new ConfigException(n + " must be between " + min + " and " + max + ", not " + i);
      return i;
    } catch (NumberFormatException e) {
      throw new ConfigException(n + " must be an integer, not '" + v.get(n) + "'");
    }
  }

  public static long parseSize(String n, String s) {
    Matcher m = SIZE.matcher(s.trim());
    if (!m.matches()) throw new ConfigException(n + " must be a size like 512MiB or 1073741824, not '" + s + "'");
    long base;
    try {
      base = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new ConfigException(n + " is too large: '" + s + "'");
    }
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    int shift = switch (unit.charAt(0)) {
      case 'K' -> 10;
      case 'M' -> 20;
      case 'G' -> 30;
      case 'T' -> 40;
      default -> 0;
    };
    if (base > (Long.MAX_VALUE >> shift)) throw new ConfigException(n + " is too large: '" + s + "'");
    return base << shift;
  }

  private static long size(Map<String, String> v, String n) {
    return parseSize(n, v.get(n));
  }

  public static Duration parseDuration(String n, String s) {
    Matcher m = DURATION.matcher(s.trim());
    if (!m.matches()) throw new ConfigException(n + " must be a duration like 500ms, 30s, 5m, 24h or 7d, not '" + s + "'");
    long x;
    try {
      x = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new ConfigException(n + " is too large: '" + s + "'");
    }
    String u = m.group(2) == null ? (x == 0 ? "s" : "") : m.group(2);
    Duration d;
    try {
      d = switch (u) {
        case "ms" -> Duration.ofMillis(x);
        case "s" -> Duration.ofSeconds(x);
        case "m" -> Duration.ofMinutes(x);
        case "h" -> Duration.ofHours(x);
        case "d" -> Duration.ofDays(x);
        default -> throw new ConfigException(n + " needs a unit (ms, s, m, h or d): '" + s + "'");
      };
    } catch (ArithmeticException e) {
      throw new ConfigException(n + " is too large: '" + s + "'");
    }
    // every duration is used in milliseconds or nanoseconds somewhere: 100 years keeps both far from overflow
    if (d.compareTo(MAX_DURATION) > 0) throw new ConfigException(n + " is too large: '" + s + "' (at most 36500d)");
    return d;
  }

  private static final Duration MAX_DURATION = Duration.ofDays(36_500);

  private static Duration duration(Map<String, String> v, String n) {
    return parseDuration(n, v.get(n));
  }

  /** audit.data-namespaces: comma-separated namespace names or globs ({@code *}) of namespace-name characters. */
  static java.util.List<String> dataNamespaces(String raw) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String part : raw.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) continue;
      if (!p.matches("[a-z0-9_.*-]{1,63}")) {
        throw new ConfigException("audit.data-namespaces: '" + p + "' is not a namespace name or glob (1-63 of a-z 0-9 _ . - and *)");
      }
      out.add(p);
    }
    if (out.size() > 100) throw new ConfigException("audit.data-namespaces: at most 100 names or globs");
    return out;
  }
}
