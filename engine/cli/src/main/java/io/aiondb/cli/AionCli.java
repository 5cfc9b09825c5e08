package io.aiondb.cli;

import io.aiondb.client.Aion;
import io.aiondb.client.AionClientException;
import io.aiondb.client.AionException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code aion} command: its global options (which every subcommand also accepts), the connections they
 * describe, and the mapping of failures to one stderr line and an {@link ExitCode}. {@link #run} is the whole
 * program, with its streams and environment passed in so tests can run it in-process.
 */
@Command(name = "aion", mixinStandardHelpOptions = true, versionProvider = AionCli.Version.class,
    description = "The Aion DB command line: keys, history, queries, transactions, imports, watches, namespaces, indexes"
        + " and the cluster. Data commands use the binary protocol (--endpoints); index, cluster and backup use"
        + " the HTTP API (--http). Settings come from the options, else $AION_* variables, else a context of the"
        + " config file ($AION_CONFIG, else ~/.aion/config; 'aion config').",
    subcommands = {KeyCommands.Put.class, KeyCommands.Get.class, KeyCommands.Del.class, KeyCommands.History.class, QueryCommand.class,
        TxnCommand.class, ImportCommand.class, WatchCommand.class, NsCommand.class, IndexCommand.class, ClusterCommand.class,
        BackupCommand.class, AuditCommand.class, LoginCommand.class, EncryptionCommand.class, ConfigCommand.class,
        AccessCommands.Users.class, AccessCommands.Roles.class, AccessCommands.Groups.class, AccessCommands.Services.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:ok",
        "1:the server refused the request or failed (invalid name, key, query or value; history compacted)",
        "2:usage: bad options or arguments, an input file that cannot be read or is not JSON, a bad config file or"
            + " an unknown context",
        "3:not found: namespace, key, member or API route",
        "4:conflict: --if-revision or a transaction compare failed; namespace exists; unsafe change",
        "5:unavailable: no node reachable, no leader, timeout, or a write's outcome is unknown"})
public final class AionCli implements Callable<Integer>, AutoCloseable {
  static final String DEFAULT_ENDPOINTS = "127.0.0.1:7071";
  static final String DEFAULT_HTTP = "http://127.0.0.1:7070";

  @Option(names = "--endpoints", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT[,...]",
      description = "Protocol addresses of one or more members (default: $AION_ENDPOINTS, else the context's, else "
          + DEFAULT_ENDPOINTS + ").")
  String endpoints;

  @Option(names = "--http", scope = ScopeType.INHERIT, paramLabel = "URL",
      description = "HTTP address of a member, for index and cluster commands (default: $AION_HTTP, else the context's,"
          + " else " + DEFAULT_HTTP + ").")
  String http;

  @Option(names = "--cacert", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "PEM CA certificate of a cluster with TLS on: turns TLS on for --endpoints and checks the members' "
          + "certificates (default: $AION_CACERT, else the context's). Use an https:// --http URL with it.")
  java.nio.file.Path cacert;

  @Option(names = "--cert", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "PEM client certificate, for servers with tls.client-auth (default: $AION_CERT, else the context's).")
  java.nio.file.Path cert;

  @Option(names = "--cert-key", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "PEM private key of --cert (default: $AION_CERT_KEY, else the context's).")
  java.nio.file.Path key;

  @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
      description = "Bearer token for a cluster with auth.enabled, from 'aion login' (default: $AION_TOKEN, else the"
          + " context's).")
  String token;

  @Option(names = "--context", scope = ScopeType.INHERIT, paramLabel = "NAME",
      description = "The context of the config file ($AION_CONFIG, else ~/.aion/config) that gives the settings no option"
          + " or variable gives (default: $AION_CONTEXT, else the file's current-context).")
  String context;

  @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "table|json",
      description = "table (readable, the default) or json (one JSON document per result, for scripts).")
  Output.Format output;

  @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "DURATION", converter = Durations.class,
      description = "How long one call may take, retries included: 500ms, 10s, 2m (default 30s).")
  Duration timeout;

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
      description = "Print the stack trace of an error.")
  boolean verbose;

  @Spec CommandLine.Model.CommandSpec spec;

  private final Map<String, String> env;
  final InputStream in;
  final PrintStream rawOut;
  private Aion db;
  private Http admin;
  private CliConfig config;
  private CliConfig.Context chosen;
  private boolean chosenKnown;

  AionCli(Map<String, String> env, InputStream in, PrintStream rawOut) {
    this.env = env;
    this.in = in;
    this.rawOut = rawOut;
  }

  /** Runs {@code aion args...}; returns the exit code. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
    AionCli cli = new AionCli(env, in, out);
    PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    CommandLine cl = new CommandLine(cli)
        .setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true))
        .setErr(errWriter)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setParameterExceptionHandler((ex, a) -> {
          String cmd = ex.getCommandLine().getCommandSpec().qualifiedName();
          String m = String.valueOf(ex.getMessage()).replaceFirst("^Error: ", "");
          errWriter.println("error: " + m + " (see '" + cmd + " --help')");
          return ExitCode.USAGE;
        })
        .setExecutionExceptionHandler((ex, c, parsed) -> {
          errWriter.println("error: " + describe(ex));
          if (cli.verbose) ex.printStackTrace(errWriter);
          errWriter.flush();
          return exitCode(ex);
        });
    try {
      return cl.execute(args);
    } finally {
      cl.getOut().flush();
      errWriter.flush();
      cli.close();
    }
  }

  /** With no subcommand: the usage, and the usage exit code. */
  @Override
  public Integer call() {
    return Group.usage(spec);
  }

  // ------------------------------------------------------------------ settings and connections

  // Each setting: its option, else its $AION_* variable (blank counts as unset), else the chosen context, else the default.

  String endpoints() {
    if (endpoints != null) return endpoints;
    String e = envValue("AION_ENDPOINTS");
    if (e != null) return e;
    CliConfig.Context c = context();
    return c != null && c.endpoints() != null ? c.endpoints() : DEFAULT_ENDPOINTS;
  }

  String httpUrl() {
    if (http != null) return http;
    String e = envValue("AION_HTTP");
    if (e != null) return e;
    CliConfig.Context c = context();
    return c != null && c.http() != null ? c.http() : DEFAULT_HTTP;
  }

  /**
   * The TLS context from --cacert/--cert/--cert-key (each else AION_CACERT/AION_CERT/AION_CERT_KEY, else the context's),
   * or null without a CA.
   */
  javax.net.ssl.SSLContext tls() {
    java.nio.file.Path ca = path(cacert, "AION_CACERT", CliConfig.Context::cacert);
    java.nio.file.Path c = path(cert, "AION_CERT", CliConfig.Context::cert);
    java.nio.file.Path k = path(key, "AION_CERT_KEY", CliConfig.Context::certKey);
    if (ca == null) {
      if (c != null || k != null) throw CliException.usage("--cert and --cert-key need --cacert (the cluster's CA)");
      return null;
    }
    for (java.nio.file.Path p : new java.nio.file.Path[] {ca, c, k}) {
      if (p != null && !java.nio.file.Files.isReadable(p)) throw CliException.usage("cannot read " + p);
    }
    try {
      return io.aiondb.client.ClientTls.fromPem(ca, c, k);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(e.getMessage());
    }
  }

  /** A file setting: the option, else the variable, else the context's (relative to the config file's directory). */
  private java.nio.file.Path path(java.nio.file.Path option, String envName,
      java.util.function.Function<CliConfig.Context, String> field) {
    if (option != null) return option;
    String v = envValue(envName);
    if (v != null) return java.nio.file.Path.of(v);
    CliConfig.Context c = context();
    String p = c == null ? null : field.apply(c);
    return p == null ? null : config().resolve(p);
  }

  /** The variable {@code name}, or null when it is unset or blank. */
  private String envValue(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v;
  }

  /** --token, else $AION_TOKEN, else the context's, else none. Never in a message. */
  String token() {
    String t;
    String from;
    if (token != null) {
      t = token;
      from = "--token";
    } else if (envValue("AION_TOKEN") != null) {
      t = env.get("AION_TOKEN");
      from = "$AION_TOKEN";
    } else {
      CliConfig.Context c = context();
      t = c == null ? null : c.token();
      from = c == null ? "" : "the token of context '" + c.name() + "' in " + config().describe();
    }
    if (t == null || t.isBlank()) return null;
    t = t.strip();
    if (t.length() > 4096 || t.chars().anyMatch(ch -> ch < 0x21 || ch > 0x7e)) {
      throw CliException.usage(from + " is not a token (printable characters, at most 4096)");
    }
    return t;
  }

  // ------------------------------------------------------------------ the config file

  /** The config file ($AION_CONFIG, else $HOME/.aion/config), read on first use; a malformed one is a usage error. */
  synchronized CliConfig config() {
    if (config == null) config = CliConfig.load(configFile());
    return config;
  }

  /** Where the config file is (it may not exist), or null when neither $AION_CONFIG nor $HOME is set. */
  java.nio.file.Path configFile() {
    return CliConfig.locate(env);
  }

  /**
   * The context the settings come from: --context, else $AION_CONTEXT, else the file's current-context; null when none
   * is chosen. A name the file does not have is a usage error.
   */
  synchronized CliConfig.Context context() {
    if (!chosenKnown) {
      String name;
      String from;
      if (context != null) {
        name = context;
        from = "named by --context";
      } else if (envValue("AION_CONTEXT") != null) {
        name = env.get("AION_CONTEXT").strip();
        from = "named by $AION_CONTEXT";
      } else {
        name = config().current();
        from = "the current-context";
      }
      if (name != null) {
        chosen = config().get(name);
        if (chosen == null) throw CliException.usage(config().unknown(name, from));
      }
      chosenKnown = true;
    }
    return chosen;
  }

  Output.Format format() {
    return output != null ? output : Output.Format.table;
  }

  Duration timeout() {
    return timeout != null ? timeout : Duration.ofSeconds(30);
  }

  /** The native client, connected on first use. */
  synchronized Aion db() {
    if (db == null) {
      Duration t = timeout();
      db = Aion.builder().seeds(endpoints()).requestTimeout(t)
          .connectTimeout(t.compareTo(Duration.ofSeconds(2)) < 0 ? t : Duration.ofSeconds(2))
          .clientName("aion-cli").tls(tls()).token(token()).connect();
    }
    return db;
  }

  /** The HTTP API, for index and cluster commands. */
  synchronized Http admin() {
    if (admin == null) admin = new Http(httpUrl(), timeout(), tls(), token());
    return admin;
  }

  @Override
  public synchronized void close() {
    if (db != null) db.close();
    if (admin != null) admin.close();
  }

  // ------------------------------------------------------------------ errors

  /** The one line an error prints (after "error: "). */
  static String describe(Throwable e) {
    if (e instanceof CliException c) return c.getMessage();
    if (e instanceof AionClientException a) {
      String m = a.getMessage();
      String prefix = a.code() + " (" + a.status() + "): ";
      if (m != null && m.startsWith(prefix)) m = m.substring(prefix.length());
      String line = m + " (" + a.code() + ")";
      if (e instanceof AionException.Unavailable && "UNREACHABLE".equals(a.code())) {
        line += "; --endpoints or AION_ENDPOINTS names the members' protocol addresses";
      }
      if ("UNAUTHENTICATED".equals(a.code())) {
        line += "; get a token with 'aion login --user NAME' and pass it with --token or AION_TOKEN, or keep it in a"
            + " context with 'aion login --user NAME --save'";
      }
      if (e instanceof AionException.UnknownOutcome) {
        line += "; the write may or may not have been applied: read the key before retrying";
      }
      return line;
    }
    return e + " (run with --verbose for the stack trace)";
  }

  static int exitCode(Throwable e) {
    if (e instanceof CliException c) return c.exitCode;
    if (e instanceof AionClientException a) return ExitCode.of(a);
    return ExitCode.ERROR;
  }

  // ------------------------------------------------------------------ picocli plumbing

  /** {@code aion --version}: the version this CLI was built as. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties p = new Properties();
      try (InputStream in = AionCli.class.getResourceAsStream("/aion-cli-version.properties")) {
        if (in != null) p.load(in);
      } catch (java.io.IOException e) {
        // unknown
      }
      return new String[] {"aion " + p.getProperty("version", "unknown") + " (Java " + Runtime.version() + ")"};
    }
  }

  /** 500ms, 10s, 2m, 1h, or a bare number of seconds. */
  static final class Durations implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String s) {
      String v = s.strip().toLowerCase(java.util.Locale.ROOT);
      try {
        Duration d;
        if (v.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        else if (v.endsWith("s")) d = Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
        else if (v.endsWith("m")) d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
        else if (v.endsWith("h")) d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
        else d = Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        if (d.isNegative() || d.isZero()) throw new CommandLine.TypeConversionException("a duration must be positive: " + s);
        return d;
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException("'" + s + "' is not a duration (500ms, 10s, 2m, 1h)");
      }
    }
  }

}
