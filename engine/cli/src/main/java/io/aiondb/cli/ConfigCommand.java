package io.aiondb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code aion config view|get-contexts|current-context|use-context|set-context|delete-context}: the contexts of the
 * config file ({@link CliConfig}), like {@code kubectl config}. Offline: nothing here connects. Tokens never print.
 */
@Command(name = "config", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
    description = "The config file ($AION_CONFIG, else ~/.aion/config): named contexts of connection settings, used when"
        + " no option or $AION_* variable gives a setting (--context or $AION_CONTEXT picks one, else current-context).",
    subcommands = {ConfigCommand.View.class, ConfigCommand.GetContexts.class, ConfigCommand.CurrentContext.class,
        ConfigCommand.UseContext.class, ConfigCommand.SetContext.class, ConfigCommand.DeleteContext.class})
final class ConfigCommand extends Group {

  @Command(name = "view", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Print the config file (YAML; -o json: JSON), with every token shown as " + CliConfig.REDACTED + ".")
  static final class View extends Base {
    @Override
    public Integer call() {
      ObjectNode tree = cli().config().tree(true);
      if (json()) printJson(tree);
      else out().print(CliConfig.yaml(tree));
      return ExitCode.OK;
    }
  }

  @Command(name = "get-contexts", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "List the contexts; * marks the current one.")
  static final class GetContexts extends Base {
    @Override
    public Integer call() {
      CliConfig config = cli().config();
      List<CliConfig.Context> contexts = config.contexts();
      if (json()) {
        ObjectNode n = Output.JSON.createObjectNode();
        if (config.current() == null) n.putNull("current-context");
        else n.put("current-context", config.current());
        ArrayNode arr = n.putArray("contexts");
        for (CliConfig.Context c : contexts) {
          ObjectNode o = CliConfig.tree(c, true);
          o.put("current", c.name().equals(config.current()));
          arr.add(o);
        }
        printJson(n);
      } else if (contexts.isEmpty()) {
        out().println("(no contexts in " + config.describe() + ")");
      } else {
        List<List<String>> rows = new ArrayList<>();
        for (CliConfig.Context c : contexts) {
          String tls = c.cacert() == null ? "-" : c.cert() == null ? "ca" : "ca+cert";
          rows.add(List.of(c.name().equals(config.current()) ? "*" : "", c.name(), dash(c.endpoints()), dash(c.http()),
              tls, c.token() == null ? "-" : "yes"));
        }
        out().print(Output.table(List.of("current", "name", "endpoints", "http", "tls", "token"), rows));
      }
      return ExitCode.OK;
    }

    private static String dash(String s) {
      return s == null ? "-" : s;
    }
  }

  @Command(name = "current-context", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Print the file's current-context (exit 3 when none is set).")
  static final class CurrentContext extends Base {
    @Override
    public Integer call() {
      CliConfig config = cli().config();
      if (config.current() == null) {
        throw new CliException(ExitCode.NOT_FOUND, "no current-context in " + config.describe());
      }
      if (json()) printJson(Output.JSON.createObjectNode().put("current-context", config.current()));
      else out().println(config.current());
      return ExitCode.OK;
    }
  }

  @Command(name = "use-context", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Make a context the current one.")
  static final class UseContext extends Base {
    @Parameters(paramLabel = "NAME", description = "A context of the file.") String name;

    @Override
    public Integer call() {
      CliConfig config = cli().config();
      if (config.get(name) == null) throw CliException.usage(config.unknown(name, null));
      config.setCurrent(name);
      config.save();
      if (json()) printJson(Output.JSON.createObjectNode().put("current-context", name));
      else out().println("switched to context " + name);
      return ExitCode.OK;
    }
  }

  @Command(name = "set-context", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = {"Create a context, or change one: only the settings given (--endpoints, --http, --cacert, --cert,"
          + " --cert-key) change; an empty one ('') removes it. File paths are stored absolute.",
          "The token comes from 'aion login --save'; set-context does not take --token, which would stay in the shell's"
              + " history."})
  static final class SetContext extends Base {
    @Parameters(paramLabel = "NAME", description = "1-63 of A-Z a-z 0-9 . _ -") String name;

    @Override
    public Integer call() {
      if (!CliConfig.NAME.matcher(name).matches()) {
        throw CliException.usage("'" + name + "' is not a context name (" + CliConfig.nameRule() + ")");
      }
      AionCli g = cli();
      if (g.token != null) {
        throw CliException.usage("set-context does not store --token: log in with 'aion login --user NAME --save"
            + " --context " + name + "'");
      }
      String endpoints = text(g.endpoints);
      String http = text(g.http);
      try {
        if (endpoints != null && !endpoints.isEmpty()) endpoints = CliConfig.checkEndpoints(endpoints);
        if (http != null && !http.isEmpty()) CliConfig.checkHttp(http);
      } catch (IllegalArgumentException e) {
        throw CliException.usage(e.getMessage());
      }
      CliConfig config = g.config();
      CliConfig.Context old = config.get(name);
      if (old == null) old = new CliConfig.Context(name, null, null, null, null, null, null);
      CliConfig.Context c = new CliConfig.Context(name, change(old.endpoints(), endpoints), change(old.http(), http),
          change(old.cacert(), file(g.cacert)), change(old.cert(), file(g.cert)), change(old.certKey(), file(g.key)),
          old.token());
      boolean created = config.put(c);
      config.save();
      if (json()) {
        printJson(Output.JSON.createObjectNode().put("name", name).put("created", created)
            .put("file", config.file().toString()));
      } else {
        out().println((created ? "created context " : "modified context ") + name + " in " + config.file());
      }
      return ExitCode.OK;
    }

    private static String text(String option) {
      return option == null ? null : option.strip();
    }

    /** A file option as stored: absolute (it was relative to the working directory); "" removes the setting. */
    private static String file(Path option) {
      if (option == null) return null;
      if (option.toString().isBlank()) return "";
      return option.toAbsolutePath().normalize().toString();
    }

    /** The new value of a setting: unchanged when not given (null), removed when given empty. */
    private static String change(String old, String given) {
      if (given == null) return old;
      return given.isEmpty() ? null : given;
    }
  }

  @Command(name = "delete-context", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Delete a context (and its token). Deleting the current one leaves none current.")
  static final class DeleteContext extends Base {
    @Parameters(paramLabel = "NAME", description = "A context of the file.") String name;

    @Override
    public Integer call() {
      CliConfig config = cli().config();
      if (!config.remove(name)) throw CliException.usage(config.unknown(name, null));
      boolean wasCurrent = name.equals(config.current());
      if (wasCurrent) config.setCurrent(null);
      config.save();
      if (json()) {
        printJson(Output.JSON.createObjectNode().put("name", name).put("deleted", true).put("wasCurrent", wasCurrent));
      } else {
        out().println("deleted context " + name + " from " + config.file()
            + (wasCurrent ? "; it was the current context: none is current now ('aion config use-context NAME')" : ""));
      }
      return ExitCode.OK;
    }
  }
}
