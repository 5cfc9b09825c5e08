package io.aiondb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.client.AionClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Argument parsing, help, and the usage errors every command catches before it connects (unit: no I/O). */
class CommandLineTest {
  /** Nothing listens on port 1: a command that connected by mistake would fail with 5, not the expected 2. */
  static final String NOWHERE = "--endpoints=127.0.0.1:1";

  static List<String> commandPaths() {
    List<String> paths = new ArrayList<>();
    walk(new CommandLine(new AionCli(Map.of(), System.in, System.out)), "", paths);
    return paths;
  }

  private static void walk(CommandLine cl, String prefix, List<String> out) {
    out.add(prefix.strip());
    cl.getSubcommands().forEach((name, sub) -> {
      if (sub.getCommandName().equals(name)) walk(sub, prefix + " " + name, out); // skip aliases
    });
  }

  @ParameterizedTest
  @MethodSource("commandPaths")
  void everyCommandHasHelp(String path) {
    List<String> args = new ArrayList<>(path.isEmpty() ? List.of() : List.of(path.split(" ")));
    args.add("--help");
    Run r = Run.aion(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Usage: aion" + (path.isEmpty() ? "" : " " + path)).contains("-h, --help");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void theCommandsAreThoseOfTheIssue() {
    assertThat(commandPaths()).contains("put", "get", "del", "history", "query", "txn", "import", "watch", "ns create",
        "ns drop", "ns list", "index create", "index list", "index drop", "cluster members", "cluster health",
        "cluster transfer-leader");
  }

  @Test
  void versionAndExitCodesInTheHelp() {
    Run v = Run.aion("--version");
    assertThat(v.exit()).isZero();
    assertThat(v.out()).startsWith("aion ");
    Run h = Run.aion("--help");
    assertThat(h.out()).contains("Exit codes:").contains("3   not found").contains("5   unavailable");
    assertThat(Run.aion("get", "--help").out()).contains("Exit codes: 0 ok, 1 server error, 2 usage");
  }

  @Test
  void noSubcommandIsAUsageError() {
    Run r = Run.aion();
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("Usage: aion");
    Run ns = Run.aion("ns");
    assertThat(ns.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(ns.err()).startsWith("error: missing a subcommand of 'aion ns'");
  }

  @Test
  void badArgumentsGiveOneLineAndExitTwo() {
    assertUsage(Run.aion(NOWHERE, "get", "demo"), "error: Missing required parameter: 'KEY' (see 'aion get --help')");
    assertUsage(Run.aion(NOWHERE, "-o", "xml", "ns", "list"), "error: Invalid value for option '--output'");
    assertUsage(Run.aion(NOWHERE, "frobnicate"), "error: Unmatched argument at index 1: 'frobnicate'");
    assertUsage(Run.aion(NOWHERE, "put", "demo", "k", "v", "--file", "x"), "error: give the value as an argument or with --file, not both");
    assertUsage(Run.aion(NOWHERE, "put", "demo", "k", "v", "--type", "xml"), "error: Invalid value for option '--type'");
    assertUsage(Run.aion(NOWHERE, "put", "demo", "k", "v", "--if-revision", "-1"), "error: --if-revision must be >= 0, not -1");
    assertUsage(Run.aion(NOWHERE, "del", "demo", "k", "--if-revision", "0"), "error: --if-revision of a delete must be >= 1");
    assertUsage(Run.aion(NOWHERE, "history", "demo", "k", "--limit", "0"), "error: --limit must be between 1 and 1000, not 0");
    assertUsage(Run.aion(NOWHERE, "get", "demo", "k", "--revision", "x"), "error: Invalid value for option '--revision'");
    assertUsage(Run.aion(NOWHERE, "query", "demo", "{\"prefix\":"), "error: the query is not valid JSON: ");
    assertUsage(Run.aion(NOWHERE, "query", "demo", "[1]"), "error: the query must be a JSON object, not ARRAY");
    assertUsage(Run.aion(NOWHERE, "txn"), "error: Missing required option: '--file=FILE|-'");
    assertUsage(Run.aion(NOWHERE, "import"), "error: Missing required parameter: 'NS'");
    assertUsage(Run.aion(NOWHERE, "import", "ns", "--batch-size", "0"), "error: --batch-size must be 1..10000, not 0");
    assertUsage(Run.aion(Map.of(), "{\"nope\": 1}", NOWHERE, "txn", "-f", "-"), "error: invalid transaction: unknown transaction field 'nope'");
    assertUsage(Run.aion(NOWHERE, "txn", "-f", "/no/such/file.json"), "error: no such file: /no/such/file.json");
    assertUsage(Run.aion(NOWHERE, "watch", "demo"), "error: Missing required argument (specify one of these): (--key=KEY | --prefix=PREFIX)");
    assertUsage(Run.aion(NOWHERE, "watch", "demo", "--key", "a", "--prefix", "b"), "error: --key=KEY, --prefix=PREFIX are mutually exclusive");
    assertUsage(Run.aion(NOWHERE, "ns", "drop", "demo"), "error: dropping namespace 'demo' deletes all its keys and their history; repeat with --yes");
    assertUsage(Run.aion(NOWHERE, "index", "create", "demo", "age", "--field", "$.age", "--type", "int"),
        "error: Invalid value for option '--type': expected one of [string, number, boolean, timestamp] but was 'int'");
    assertUsage(Run.aion(NOWHERE, "--timeout", "soon", "ns", "list"), "error: Invalid value for option '--timeout'");
  }

  private static void assertUsage(Run r, String errStart) {
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).as(r.toString()).startsWith(errStart).doesNotContain("\tat ");
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void globalOptionsGoBeforeOrAfterTheCommandAndDefaultFromTheEnvironment() {
    AionCli cli = new AionCli(Map.of("AION_ENDPOINTS", "a:1,b:2", "AION_HTTP", "http://h:9"), System.in, System.out);
    new CommandLine(cli).parseArgs("get", "ns", "k", "-o", "json", "--timeout", "2s");
    assertThat(cli.endpoints()).isEqualTo("a:1,b:2");
    assertThat(cli.httpUrl()).isEqualTo("http://h:9");
    assertThat(cli.format()).isEqualTo(Output.Format.json);
    assertThat(cli.timeout()).isEqualTo(Duration.ofSeconds(2));

    AionCli flags = new AionCli(Map.of("AION_ENDPOINTS", "a:1"), System.in, System.out);
    new CommandLine(flags).setCaseInsensitiveEnumValuesAllowed(true)
        .parseArgs("--endpoints", "x:7071", "--http=http://x:7070", "-o", "JSON", "ns", "list");
    assertThat(flags.endpoints()).isEqualTo("x:7071");
    assertThat(flags.httpUrl()).isEqualTo("http://x:7070");
    assertThat(flags.format()).isEqualTo(Output.Format.json);

    AionCli none = new AionCli(Map.of(), System.in, System.out);
    new CommandLine(none).parseArgs("ns", "list");
    assertThat(none.endpoints()).isEqualTo("127.0.0.1:7071");
    assertThat(none.httpUrl()).isEqualTo("http://127.0.0.1:7070");
    assertThat(none.format()).isEqualTo(Output.Format.table);
    assertThat(none.timeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void durations() {
    AionCli.Durations d = new AionCli.Durations();
    assertThat(d.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(d.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(d.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(d.convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(d.convert("3")).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> d.convert("0s")).isInstanceOf(CommandLine.TypeConversionException.class);
    assertThatThrownBy(() -> d.convert("soon")).hasMessageContaining("is not a duration");
  }

  @Test
  void serverErrorsMapToDocumentedExitCodesAndOneLine() {
    assertThat(AionCli.exitCode(new AionClientException(404, "KEY_NOT_FOUND", "x"))).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(AionCli.exitCode(new AionClientException(409, "REVISION_MISMATCH", "x"))).isEqualTo(ExitCode.CONFLICT);
    assertThat(AionCli.exitCode(new AionClientException(503, "UNAVAILABLE", "x"))).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(AionCli.exitCode(new AionClientException(504, "TIMEOUT", "x"))).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(AionCli.exitCode(new AionClientException(0, "UNREACHABLE", "x"))).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(AionCli.exitCode(new AionClientException(400, "INVALID_KEY", "x"))).isEqualTo(ExitCode.ERROR);
    assertThat(AionCli.exitCode(new AionClientException(410, "HISTORY_COMPACTED", "x"))).isEqualTo(ExitCode.ERROR);
    assertThat(AionCli.exitCode(new AionClientException(500, "INTERNAL", "x"))).isEqualTo(ExitCode.ERROR);
    assertThat(AionCli.exitCode(new IllegalStateException("bug"))).isEqualTo(ExitCode.ERROR);
    assertThat(AionCli.exitCode(CliException.usage("x"))).isEqualTo(ExitCode.USAGE);

    assertThat(AionCli.describe(new AionClientException(409, "REVISION_MISMATCH", "expected mod revision 4 but the key is at 5")))
        .isEqualTo("expected mod revision 4 but the key is at 5 (REVISION_MISMATCH)");
    assertThat(AionCli.describe(new IllegalStateException("bug"))).isEqualTo("java.lang.IllegalStateException: bug"
        + " (run with --verbose for the stack trace)");
  }
}
