package io.aiondb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aion login --user NAME [--password-file FILE] [--save]}: exchanges a password for a bearer token (POST
 * /v1/auth/login on --http) and prints it, for {@code export AION_TOKEN=$(aion login ...)} (docs/security.md); with
 * {@code --save}, stores it in the chosen context of the config file instead ({@link CliConfig}).
 */
@Command(name = "login", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
    description = "Log in to a cluster with auth.enabled: prints a bearer token for --token or $AION_TOKEN (with --save:"
        + " stores it in a context of the config file). The password comes from --password-file, else from the first"
        + " line of standard input.")
final class LoginCommand extends Base {
  @Option(names = "--user", required = true, paramLabel = "NAME", description = "The user name.") String user;

  @Option(names = "--password-file", paramLabel = "FILE",
      description = "A file whose first line is the password ('-': standard input, the default).")
  String passwordFile;

  @Option(names = "--save",
      description = "Store the token in the context of the config file that --context, $AION_CONTEXT or its"
          + " current-context names (which commands then use) instead of printing it.")
  boolean save;

  @Override
  public Integer call() {
    CliConfig.Context target = save ? saveTarget() : null;
    String text = new String(readFile(passwordFile == null ? "-" : passwordFile), StandardCharsets.UTF_8);
    String password = text.lines().findFirst().orElse("");
    if (password.isEmpty()) throw CliException.usage("the password is empty");
    ObjectNode body = Output.JSON.createObjectNode().put("user", user).put("password", password);
    JsonNode answer;
    try (Http http = new Http(cli().httpUrl(), cli().timeout(), cli().tls())) {
      answer = http.post("/v1/auth/login", body);
    }
    if (target != null) return saved(target, answer);
    if (json()) {
      printJson(answer);
    } else {
      out().println(answer.path("token").asText());
    }
    return ExitCode.OK;
  }

  /** The context --save writes to, known before the password is sent. */
  private CliConfig.Context saveTarget() {
    CliConfig.Context c = cli().context();
    if (c == null) {
      throw CliException.usage("--save needs a context of " + cli().config().describe() + " to store the token in:"
          + " give --context NAME, or make one current with 'aion config use-context NAME' (create one with"
          + " 'aion config set-context NAME')");
    }
    return c;
  }

  /** Stores the token of {@code answer} in the context {@code target} (of the file as it is now) and says so. */
  private int saved(CliConfig.Context target, JsonNode answer) {
    String token = answer.path("token").asText("");
    if (token.isEmpty()) throw new CliException(ExitCode.ERROR, "the server's answer has no token");
    CliConfig config = CliConfig.load(cli().config().file()); // again: it may have changed while we waited
    CliConfig.Context now = config.get(target.name());
    if (now == null) throw CliException.usage(config.unknown(target.name(), "deleted while logging in"));
    config.put(now.withToken(token));
    config.save();
    if (json()) {
      ObjectNode n = answer.deepCopy();
      n.remove("token");
      n.put("context", target.name()).put("file", String.valueOf(config.file()));
      printJson(n);
    } else {
      String until = answer.hasNonNull("expiresAt") ? " (valid until " + answer.path("expiresAt").asText() + ")" : "";
      out().println("logged in as " + user + "; the token is in context " + target.name() + " of " + config.file()
          + until);
    }
    return ExitCode.OK;
  }
}
