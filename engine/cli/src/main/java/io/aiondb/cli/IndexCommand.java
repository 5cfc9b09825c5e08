package io.aiondb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aion index create|list|drop}: secondary indexes through the HTTP API ({@code /v1/namespaces/{ns}/indexes}).
 * A server without those routes answers 404 NOT_FOUND with its message, which the command prints (exit 3).
 */
@Command(name = "index", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
    description = "Create, list and drop secondary indexes (HTTP API, --http).",
    subcommands = {IndexCommand.Create.class, IndexCommand.ListAll.class, IndexCommand.Drop.class})
final class IndexCommand extends Group {
  static String path(String ns) {
    return "/v1/namespaces/" + Http.seg(ns) + "/indexes";
  }

  @Command(name = "create", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = {"Define an index on a JSON field; the server fills it in the background",
          "(state building, then ready)."})
  static final class Create extends Base {
    @Parameters(index = "0", paramLabel = "NS") String ns;
    @Parameters(index = "1", paramLabel = "NAME") String name;
    @Option(names = "--field", required = true, paramLabel = "PATH", description = "The JSON path, e.g. $.user.age.")
    String field;
    @Option(names = "--type", required = true, paramLabel = "string|number|boolean|timestamp",
        description = "How the field's values compare.", completionCandidates = Types.class, converter = Types.class)
    String type;
    @Option(names = "--unique", description = "Refuse two keys with the same value (409).") boolean unique;

    @Override
    public Integer call() {
      ObjectNode body = Output.JSON.createObjectNode().put("field", field).put("type", type).put("unique", unique);
      JsonNode r = admin().put(path(ns) + "/" + Http.seg(name), body);
      if (json()) printJson(r);
      else out().print(Output.fields(r));
      return ExitCode.OK;
    }
  }

  @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "List a namespace's indexes and their state.")
  static final class ListAll extends Base {
    @Parameters(index = "0", paramLabel = "NS") String ns;

    @Override
    public Integer call() {
      JsonNode r = admin().get(path(ns));
      if (json()) {
        printJson(r);
      } else {
        JsonNode list = r.isArray() ? r : r.path("indexes");
        if (list.isArray() && list.isEmpty()) out().println("(no indexes in " + ns + ")");
        else if (list.isArray()) out().print(Output.objects(list, List.of()));
        else out().print(Output.fields(r));
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "drop", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Drop an index and all its entries (the data stays).")
  static final class Drop extends Base {
    @Parameters(index = "0", paramLabel = "NS") String ns;
    @Parameters(index = "1", paramLabel = "NAME") String name;

    @Override
    public Integer call() {
      JsonNode r = admin().delete(path(ns) + "/" + Http.seg(name));
      if (json()) printJson(r);
      else if (r.isObject() && r.size() > 0) out().print(Output.fields(r));
      else out().println("dropped index " + name);
      return ExitCode.OK;
    }
  }

  /** The index types, as completion candidates and a checked converter. */
  static final class Types implements Iterable<String>, picocli.CommandLine.ITypeConverter<String> {
    static final List<String> ALL = List.of("string", "number", "boolean", "timestamp");

    @Override
    public java.util.Iterator<String> iterator() {
      return ALL.iterator();
    }

    @Override
    public String convert(String s) {
      if (!ALL.contains(s)) {
        throw new picocli.CommandLine.TypeConversionException("expected one of " + ALL + " but was '" + s + "'");
      }
      return s;
    }
  }
}
