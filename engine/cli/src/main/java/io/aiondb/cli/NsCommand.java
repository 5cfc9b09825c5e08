package io.aiondb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aion ns create|drop|list} (native client). */
@Command(name = "ns", aliases = "namespace", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
    description = "Create, drop and list namespaces.",
    subcommands = {NsCommand.Create.class, NsCommand.Drop.class, NsCommand.ListAll.class})
final class NsCommand extends Group {
  @Command(name = "create", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Create a namespace (nothing happens if it exists).")
  static final class Create extends Base {
    @Parameters(paramLabel = "NAME", description = "1-63 of a-z 0-9 _ . -, starting and ending with a letter or digit.")
    String name;

    @Override
    public Integer call() {
      boolean created = write(() -> db().createNamespace(name));
      if (json()) printJson(Output.JSON.createObjectNode().put("name", name).put("created", created));
      else out().println(created ? "created namespace " + name : "namespace " + name + " already exists");
      return ExitCode.OK;
    }
  }

  @Command(name = "drop", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Drop a namespace: deletes all its keys and their history. Needs --yes.")
  static final class Drop extends Base {
    @Parameters(paramLabel = "NAME") String name;
    @Option(names = "--yes", description = "Yes, delete every key of the namespace and its history.") boolean yes;

    @Override
    public Integer call() {
      if (!yes) {
        throw CliException.usage("dropping namespace '" + name + "' deletes all its keys and their history;"
            + " repeat with --yes");
      }
      boolean dropped = write(() -> db().dropNamespace(name));
      if (json()) printJson(Output.JSON.createObjectNode().put("name", name).put("dropped", dropped));
      else out().println(dropped ? "dropped namespace " + name : "namespace " + name + " did not exist");
      return ExitCode.OK;
    }
  }

  @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "List the namespaces.")
  static final class ListAll extends Base {
    @Override
    public Integer call() {
      List<String> names = read(() -> db().namespaces());
      if (json()) {
        ObjectNode n = Output.JSON.createObjectNode();
        ArrayNode arr = n.putArray("namespaces");
        names.forEach(arr::add);
        printJson(n);
      } else if (names.isEmpty()) {
        out().println("(no namespaces)");
      } else {
        out().print(Output.table(List.of("name"), names.stream().map(List::of).toList()));
      }
      return ExitCode.OK;
    }
  }
}
