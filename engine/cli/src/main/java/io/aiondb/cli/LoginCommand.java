package io.aiondb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aion login --user NAME [--password-file FILE]}: exchanges a password for a bearer token (POST /v1/auth/login
 * on --http) and prints it, for {@code export AION_TOKEN=$(aion login ...)} (docs/security.md).
 */
@Command(name = "login", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
    description = "Log in to a cluster with auth.enabled: prints a bearer token for --token or $AION_TOKEN. The password"
        + " comes from --password-file, else from the first line of standard input.")
final class LoginCommand extends Base {
  @Option(names = "--user", required = true, paramLabel = "NAME", description = "The user name.") String user;

  @Option(names = "--password-file", paramLabel = "FILE",
      description = "A file whose first line is the password ('-': standard input, the default).")
  String passwordFile;

  @Override
  public Integer call() {
    String text = new String(readFile(passwordFile == null ? "-" : passwordFile), StandardCharsets.UTF_8);
    String password = text.lines().findFirst().orElse("");
    if (password.isEmpty()) throw CliException.usage("the password is empty");
    ObjectNode body = Output.JSON.createObjectNode().put("user", user).put("password", password);
    JsonNode answer;
    try (Http http = new Http(cli().httpUrl(), cli().timeout(), cli().tls())) {
      answer = http.post("/v1/auth/login", body);
    }
    if (json()) {
      printJson(answer);
    } else {
      out().println(answer.path("token").asText());
    }
    return ExitCode.OK;
  }
}
