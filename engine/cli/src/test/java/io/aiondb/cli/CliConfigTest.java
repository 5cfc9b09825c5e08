package io.aiondb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The config file and its contexts (docs/cli.md "config"), in-process and offline: nothing here connects. */
class CliConfigTest {
  static final String TOKEN = "v1.secret-token-do-not-print";
  static final String NOWHERE = CommandLineTest.NOWHERE;

  @TempDir Path dir;

  private Path config(String yaml) throws Exception {
    return Files.writeString(dir.resolve("config"), yaml);
  }

  private Map<String, String> env(Path file, String... more) {
    Map<String, String> env = new HashMap<>();
    env.put("AION_CONFIG", file.toString());
    for (int i = 0; i < more.length; i += 2) env.put(more[i], more[i + 1]);
    return env;
  }

  /** The settings {@code aion args...} would use, with {@code env}. */
  private static AionCli parsed(Map<String, String> env, String... args) {
    AionCli cli = new AionCli(env, System.in, System.out);
    new CommandLine(cli).parseArgs(args);
    return cli;
  }

  private static Run aion(Map<String, String> env, String... args) {
    return Run.aion(env, "", args);
  }

  private static void usage(Run r, String... errContains) {
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).as(r.toString()).startsWith("error: ").contains(errContains).doesNotContain("\tat ");
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
    assertThat(r.out()).isEmpty();
  }

  static final String TWO_CONTEXTS = """
      current-context: prod
      contexts:
        - name: prod
          endpoints: prod1:7071, prod2:7071
          http: https://prod1:7070
          cacert: certs/ca.pem
          token: %s
        - name: dev
          endpoints: dev:7071
      """.formatted(TOKEN);

  @Test
  void eachSettingIsTheFlagElseTheVariableElseTheContextElseTheDefault() throws Exception {
    Path file = config(TWO_CONTEXTS);

    AionCli fromContext = parsed(env(file), "ns", "list");
    assertThat(fromContext.endpoints()).isEqualTo("prod1:7071,prod2:7071");
    assertThat(fromContext.httpUrl()).isEqualTo("https://prod1:7070");
    assertThat(fromContext.token()).isEqualTo(TOKEN);
    assertThatThrownBy(fromContext::tls).as("a relative path is relative to the file's directory")
        .hasMessage("cannot read " + dir.resolve("certs/ca.pem"));

    AionCli fromEnv = parsed(env(file, "AION_ENDPOINTS", "env:1", "AION_HTTP", "http://env:2", "AION_TOKEN", "v1.env",
        "AION_CACERT", "/env/ca.pem"), "ns", "list");
    assertThat(fromEnv.endpoints()).isEqualTo("env:1");
    assertThat(fromEnv.httpUrl()).isEqualTo("http://env:2");
    assertThat(fromEnv.token()).isEqualTo("v1.env");
    assertThatThrownBy(fromEnv::tls).hasMessage("cannot read /env/ca.pem");

    AionCli fromFlags = parsed(env(file, "AION_ENDPOINTS", "env:1", "AION_HTTP", "http://env:2", "AION_TOKEN", "v1.env",
        "AION_CACERT", "/env/ca.pem"), "--endpoints=flag:1", "--http=http://flag:2", "--token=v1.flag",
        "--cacert=/flag/ca.pem", "ns", "list");
    assertThat(fromFlags.endpoints()).isEqualTo("flag:1");
    assertThat(fromFlags.httpUrl()).isEqualTo("http://flag:2");
    assertThat(fromFlags.token()).isEqualTo("v1.flag");
    assertThatThrownBy(fromFlags::tls).hasMessage("cannot read /flag/ca.pem");

    assertThat(parsed(env(file), "--token=", "ns", "list").token()).as("--token '' sends none").isNull();

    AionCli blankEnv = parsed(env(file, "AION_ENDPOINTS", " ", "AION_TOKEN", ""), "ns", "list");
    assertThat(blankEnv.endpoints()).as("a blank variable is unset").isEqualTo("prod1:7071,prod2:7071");
    assertThat(blankEnv.token()).isEqualTo(TOKEN);

    AionCli dev = parsed(env(file), "--context", "dev", "ns", "list");
    assertThat(dev.endpoints()).isEqualTo("dev:7071");
    assertThat(dev.httpUrl()).as("what the context does not set is the default").isEqualTo(AionCli.DEFAULT_HTTP);
    assertThat(dev.token()).isNull();
    assertThat(dev.tls()).isNull();
    assertThat(parsed(env(file, "AION_CONTEXT", "dev"), "ns", "list").endpoints()).isEqualTo("dev:7071");
    assertThat(parsed(env(file, "AION_CONTEXT", "dev"), "--context=prod", "ns", "list").endpoints())
        .as("--context before $AION_CONTEXT").isEqualTo("prod1:7071,prod2:7071");

    AionCli noCurrent = parsed(env(config(TWO_CONTEXTS.replace("current-context: prod\n", ""))), "ns", "list");
    assertThat(noCurrent.endpoints()).isEqualTo(AionCli.DEFAULT_ENDPOINTS);
    assertThat(noCurrent.token()).isNull();
  }

  @Test
  void aMissingFileIsNoContexts() {
    Path file = dir.resolve("nope/config");
    AionCli cli = parsed(env(file), "ns", "list");
    assertThat(cli.endpoints()).isEqualTo(AionCli.DEFAULT_ENDPOINTS);
    assertThat(cli.httpUrl()).isEqualTo(AionCli.DEFAULT_HTTP);
    assertThat(cli.token()).isNull();
    Run list = aion(env(file), "config", "get-contexts");
    assertThat(list.exit()).as(list.toString()).isZero();
    assertThat(list.out()).isEqualTo("(no contexts in " + file + ")\n");
    assertThat(aion(env(file), "config", "view").out()).isEqualTo("contexts: []\n");
    assertThat(Files.exists(file)).as("reading creates nothing").isFalse();

    assertThat(parsed(Map.of("HOME", dir.toString()), "ns", "list").configFile())
        .isEqualTo(dir.resolve(".aion/config"));
    assertThat(parsed(Map.of("HOME", dir.toString(), "AION_CONFIG", "/x/c"), "ns", "list").configFile())
        .isEqualTo(Path.of("/x/c"));
  }

  @Test
  void anUnknownContextIsAUsageErrorNamingTheFile() throws Exception {
    Path file = config(TWO_CONTEXTS);
    usage(aion(env(file), NOWHERE, "--context", "staging", "ns", "list"),
        "error: no context 'staging' (named by --context) in " + file + "; its contexts: prod, dev");
    usage(aion(env(file, "AION_CONTEXT", "staging"), NOWHERE, "get", "demo", "k"),
        "no context 'staging' (named by $AION_CONTEXT) in " + file);
    usage(aion(env(config(TWO_CONTEXTS.replace("current-context: prod", "current-context: gone"))), NOWHERE,
        "ns", "list"), "no context 'gone' (the current-context) in " + file);
    usage(aion(env(dir.resolve("missing")), NOWHERE, "--context", "prod", "ns", "list"),
        "no context 'prod' (named by --context) in " + dir.resolve("missing") + ": the file does not exist");
    usage(aion(env(file), "config", "use-context", "staging"), "no context 'staging' in " + file);
    usage(aion(env(file), "config", "delete-context", "staging"), "no context 'staging' in " + file);
    usage(aion(env(file), "--http=http://127.0.0.1:1", "--context", "staging", "cluster", "members"), "no context");
  }

  @Test
  void aMalformedFileIsAUsageErrorThatNamesTheFileAndNeverShowsAToken() throws Exception {
    String[][] cases = {
        {"contexts:\n  - name: prod\n    token: " + TOKEN + "\n   endpoints: [x\n", "not valid YAML: "},
        {"contexts:\n  - name: prod\n    tokn: " + TOKEN + "\n",
            "contexts[0]: unknown field 'tokn' (known: name, endpoints, http, cacert, cert, cert-key, token)"},
        {"current-context: prod\ncontext: []\n", "unknown field 'context' (known: current-context, contexts)"},
        {"- name: prod\n", "the top level must be a mapping (current-context, contexts), not a list"},
        {"contexts:\n  - name: prod\n    token: " + TOKEN + "\n    token: x\n", "not valid YAML: Duplicate field 'token'"},
        {"contexts:\n  - name: a\n  - name: a\n", "two contexts are named 'a'"},
        {"contexts:\n  - endpoints: a:1\n", "contexts[0] has no name"},
        {"contexts:\n  - name: 'no spaces'\n", "contexts[0]: 'no spaces' is not a context name (1-63 of A-Z a-z 0-9 . _ -)"},
        {"contexts:\n  - name: p\n    endpoints: localhost\n", "context 'p': endpoint 'localhost' is not HOST:PORT"},
        {"contexts:\n  - name: p\n    http: ftp://x\n", "context 'p': http 'ftp://x' is not an http:// or https:// URL"},
        {"contexts:\n  - name: p\n    token: [" + TOKEN + "]\n", "context 'p': token must be a string, not a list"},
        {"contexts: {name: p}\n", "contexts must be a list, not a mapping"},
        {"{\"contexts\": [{\"name\": \"p\", \"token\": \"" + TOKEN + "\"}], \"x\": 1}", "unknown field 'x'"},
    };
    for (String[] c : cases) {
      Path file = config(c[0]);
      for (Run r : new Run[] {aion(env(file), NOWHERE, "ns", "list"), aion(env(file), "config", "view"),
          aion(env(file), "config", "set-context", "q", "--endpoints", "q:1")}) {
        usage(r, "error: config file " + file + ": " + c[1]);
        assertThat(r.err()).as(c[0]).doesNotContain(TOKEN);
      }
      assertThat(Files.readString(file)).as("a malformed file is not overwritten").isEqualTo(c[0]);
    }
    Path file = config("contexts:\n  - name: p\n    token: 'bad token " + TOKEN + "'\ncurrent-context: p\n");
    Run badToken = aion(env(file), NOWHERE, "ns", "list");
    usage(badToken, "error: the token of context 'p' in " + file + " is not a token");
    assertThat(badToken.err()).doesNotContain(TOKEN);
    assertThat(aion(env(config("")), "config", "get-contexts").exit()).as("an empty file is no contexts").isZero();
  }

  @Test
  void viewAndGetContextsShowNoToken() throws Exception {
    Path file = config(TWO_CONTEXTS);
    Run view = aion(env(file), "config", "view");
    assertThat(view.exit()).as(view.toString()).isZero();
    assertThat(view.out()).doesNotContain(TOKEN).isEqualTo("""
        current-context: prod
        contexts:
          - name: prod
            endpoints: "prod1:7071,prod2:7071"
            http: https://prod1:7070
            cacert: certs/ca.pem
            token: REDACTED
          - name: dev
            endpoints: dev:7071
        """);
    Run json = aion(env(file), "config", "view", "-o", "json");
    assertThat(json.out()).doesNotContain(TOKEN);
    assertThat(Output.JSON.readTree(json.out()).at("/contexts/0/token").asText()).isEqualTo(CliConfig.REDACTED);

    Run table = aion(env(file), "config", "get-contexts");
    assertThat(table.out()).doesNotContain(TOKEN).isEqualTo("""
        CURRENT  NAME  ENDPOINTS              HTTP                TLS  TOKEN
        *        prod  prod1:7071,prod2:7071  https://prod1:7070  ca   yes
                 dev   dev:7071               -                   -    -
        """);
    JsonNode list = Output.JSON.readTree(aion(env(file), "-o", "json", "config", "get-contexts").out());
    assertThat(list.path("current-context").asText()).isEqualTo("prod");
    assertThat(list.at("/contexts/0/current").asBoolean()).isTrue();
    assertThat(list.at("/contexts/0/token").asText()).isEqualTo(CliConfig.REDACTED);
    assertThat(list.at("/contexts/1/current").asBoolean()).isFalse();
    assertThat(list.toString()).doesNotContain(TOKEN);
    assertThat(aion(env(file), "config", "current-context").out()).isEqualTo("prod\n");
  }

  @Test
  void setContextChangesOnlyTheSettingsGiven() throws Exception {
    Path file = config(TWO_CONTEXTS);
    Path cwdRelative = Path.of("some/ca.pem");
    Run set = aion(env(file), "config", "set-context", "prod", "--http", "http://new:7070", "--cert", cwdRelative.toString(),
        "--cert-key=/abs/k.pem");
    assertThat(set.exit()).as(set.toString()).isZero();
    assertThat(set.out()).isEqualTo("modified context prod in " + file + "\n");
    CliConfig.Context prod = CliConfig.load(file).get("prod");
    assertThat(prod).isEqualTo(new CliConfig.Context("prod", "prod1:7071,prod2:7071", "http://new:7070", "certs/ca.pem",
        cwdRelative.toAbsolutePath().toString(), "/abs/k.pem", TOKEN));
    assertThat(CliConfig.load(file).get("dev")).isEqualTo(new CliConfig.Context("dev", "dev:7071", null, null, null,
        null, null));
    assertThat(CliConfig.load(file).current()).isEqualTo("prod");

    assertThat(aion(env(file), "config", "set-context", "prod", "--cacert=", "--endpoints", "p:1").exit()).isZero();
    assertThat(CliConfig.load(file).get("prod")).as("an empty value removes the setting").isEqualTo(new CliConfig.Context(
        "prod", "p:1", "http://new:7070", null, cwdRelative.toAbsolutePath().toString(), "/abs/k.pem", TOKEN));

    Run created = aion(env(file), "-o", "json", "config", "set-context", "staging", "--endpoints", "s1:7071,s2:7071");
    assertThat(created.out()).isEqualTo("{\"name\":\"staging\",\"created\":true,\"file\":\"" + file + "\"}\n");
    assertThat(CliConfig.load(file).contexts()).extracting(CliConfig.Context::name).containsExactly("prod", "dev", "staging");

    usage(aion(env(file), "config", "set-context", "bad name", "--endpoints", "a:1"), "'bad name' is not a context name");
    usage(aion(env(file), "config", "set-context", "x".repeat(64)), "is not a context name");
    usage(aion(env(file), "config", "set-context", "p", "--endpoints", "a:1,b"), "endpoint 'b' is not HOST:PORT");
    usage(aion(env(file), "config", "set-context", "p", "--endpoints", "a:99999"), "endpoint 'a:99999' is not HOST:PORT");
    usage(aion(env(file), "config", "set-context", "p", "--http", "localhost:7070"), "is not an http:// or https:// URL");
    Run withToken = aion(env(file), "config", "set-context", "p", "--token", TOKEN);
    usage(withToken, "set-context does not store --token");
    assertThat(withToken.err()).doesNotContain(TOKEN);
    assertThat(CliConfig.load(file).get("p")).isNull();
  }

  @Test
  void useAndDeleteContext() throws Exception {
    Path file = config(TWO_CONTEXTS);
    assertThat(aion(env(file), "config", "use-context", "dev").out()).isEqualTo("switched to context dev\n");
    assertThat(CliConfig.load(file).current()).isEqualTo("dev");
    assertThat(parsed(env(file), "ns", "list").endpoints()).isEqualTo("dev:7071");

    Run del = aion(env(file), "config", "delete-context", "dev");
    assertThat(del.exit()).as(del.toString()).isZero();
    assertThat(del.out()).contains("deleted context dev from " + file).contains("none is current now");
    CliConfig after = CliConfig.load(file);
    assertThat(after.current()).isNull();
    assertThat(after.contexts()).extracting(CliConfig.Context::name).containsExactly("prod");
    assertThat(after.get("prod").token()).as("other contexts keep their tokens").isEqualTo(TOKEN);
    Run none = aion(env(file), "config", "current-context");
    assertThat(none.exit()).isEqualTo(ExitCode.NOT_FOUND);
  }

  @Test
  void theFileIsWrittenAtomicallyWithMode0600InADirectoryWithMode0700() throws Exception {
    Path home = dir.resolve("home");
    Files.createDirectories(home);
    Map<String, String> env = Map.of("HOME", home.toString());
    Run set = aion(env, "config", "set-context", "local", "--endpoints", "127.0.0.1:7071");
    assertThat(set.exit()).as(set.toString()).isZero();
    Path file = home.resolve(".aion/config");
    assertThat(set.out()).isEqualTo("created context local in " + file + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    assertThat(Files.readString(file)).isEqualTo("contexts:\n  - name: local\n    endpoints: 127.0.0.1:7071\n");

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(aion(env, "config", "use-context", "local").exit()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .as("a rewrite is a new file, 0600 too").isEqualTo("rw-------");
    try (var files = Files.list(file.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file is left").containsExactly("config");
    }

    Path link = dir.resolve("link");
    Files.createSymbolicLink(link, file);
    assertThat(aion(Map.of("AION_CONFIG", link.toString()), "config", "set-context", "two").exit()).isZero();
    assertThat(Files.isSymbolicLink(link)).as("a link to the file stays a link").isTrue();
    assertThat(CliConfig.load(file).contexts()).hasSize(2);
  }

  @Test
  void aJsonFileStaysJson() throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"contexts\": [{\"name\": \"p\", \"endpoints\": \"p:1\", \"token\": \"" + TOKEN + "\"}]}");
    assertThat(aion(env(file), "config", "use-context", "p").exit()).isZero();
    JsonNode saved = Output.JSON.readTree(Files.readString(file));
    assertThat(saved.path("current-context").asText()).isEqualTo("p");
    assertThat(saved.at("/contexts/0/token").asText()).isEqualTo(TOKEN);
    assertThat(parsed(env(file), "ns", "list").endpoints()).isEqualTo("p:1");
  }

  @Test
  void loginSaveNeedsAContextBeforeItAsksForAPassword() throws Exception {
    Path file = config(TWO_CONTEXTS.replace("current-context: prod\n", ""));
    Run r = Run.aion(env(file), "pw\n", "--http=http://127.0.0.1:1", "login", "--user", "u", "--save");
    usage(r, "error: --save needs a context of " + file);
    usage(Run.aion(env(file), "pw\n", "--http=http://127.0.0.1:1", "--context", "x", "login", "--user", "u", "--save"),
        "no context 'x' (named by --context)");
  }
}
