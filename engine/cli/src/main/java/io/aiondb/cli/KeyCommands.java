package io.aiondb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.client.KeyValue;
import io.aiondb.client.Read;
import io.aiondb.client.ValueType;
import io.aiondb.client.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The key commands: put, get, del, history (native client). */
final class KeyCommands {
  private KeyCommands() {}

  /** {@code --type}: how a value is stored. */
  enum Type {
    text(ValueType.TEXT), json(ValueType.JSON), binary(ValueType.BINARY);

    final ValueType valueType;

    Type(ValueType t) {
      this.valueType = t;
    }
  }

  @Command(name = "put", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Write a value (from the argument, --file, or stdin); prints its new revision.")
  static final class Put extends Base {
    @Parameters(index = "0", paramLabel = "NS", description = "Namespace.") String ns;
    @Parameters(index = "1", paramLabel = "KEY", description = "Key (UTF-8).") String key;
    @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE",
        description = "The value; without it and without --file, stdin is read.") String value;
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the value from FILE ('-': stdin).")
    String file;
    @Option(names = {"-t", "--type"}, defaultValue = "text", paramLabel = "text|json|binary",
        description = "How the value is stored: text (UTF-8, the default), json (must be valid JSON) or binary.")
    Type type;
    @Option(names = "--if-revision", paramLabel = "N",
        description = "Write only if the key's revision is N (0: only if the key does not exist).")
    Long ifRevision;

    @Override
    public Integer call() {
      if (value != null && file != null) throw CliException.usage("give the value as an argument or with --file, not both");
      nonNegative(ifRevision, "--if-revision");
      byte[] bytes = value != null ? utf8(value) : readFile(file != null ? file : "-");
      check(bytes, type);
      WriteResult w = write(() -> db().put(ns, utf8(key), bytes, type.valueType, ifRevision == null ? -1 : ifRevision));
      if (json()) {
        ObjectNode n = Output.JSON.createObjectNode();
        n.put("revision", w.revision());
        n.put("createRevision", w.createRevision());
        n.put("version", w.version());
        n.put("timestamp", w.timestamp());
        printJson(n);
      } else {
        out().print(Output.table(List.of("revision", "version", "create_revision", "timestamp"), List.of(List.of(
            Long.toString(w.revision()), Long.toString(w.version()), Long.toString(w.createRevision()), w.timestamp()))));
      }
      return ExitCode.OK;
    }
  }

  /**
   * The checks the HTTP API makes and the binary protocol does not (it stores the bytes as given): a json value is
   * valid JSON, a text value valid UTF-8.
   */
  static void check(byte[] value, Type type) {
    if (type == Type.json) Base.parseJson(value, "the value (--type json)");
    if (type == Type.text) {
      try {
        java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(value));
      } catch (java.nio.charset.CharacterCodingException e) {
        throw CliException.usage("the value is not UTF-8 text: store it with --type binary");
      }
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = {"Print a key's value (exactly as stored; text and JSON end with a newline).",
          "With -o json: the value and its metadata."})
  static final class Get extends Base {
    @Parameters(index = "0", paramLabel = "NS") String ns;
    @Parameters(index = "1", paramLabel = "KEY") String key;
    @Option(names = "--revision", paramLabel = "R", description = "The value as it was at revision R.") Long revision;
    @Option(names = "--stale", description = "Answer from the node at once (possibly behind the leader).")
    boolean stale;

    @Override
    public Integer call() {
      nonNegative(revision, "--revision");
      Read how = (stale ? Read.stale() : Read.linearizable()).atRevision(revision == null ? 0 : revision);
      Optional<KeyValue> v = read(() -> db().get(ns, utf8(key), how));
      if (v.isEmpty()) {
        throw new CliException(ExitCode.NOT_FOUND, "key '" + key + "' does not exist in namespace '" + ns + "'"
            + (revision != null && revision > 0 ? " at revision " + revision : "") + " (KEY_NOT_FOUND)");
      }
      KeyValue kv = v.get();
      if (json()) {
        ObjectNode n = Output.JSON.createObjectNode();
        n.put("namespace", ns);
        n.put("key", key);
        n.setAll(Output.version(kv));
        n.put("readRevision", kv.readRevision());
        printJson(n);
      } else if (Output.isJson(kv.contentType()) || Output.isText(kv.contentType())) {
        String text = kv.text();
        out().print(text.endsWith("\n") ? text : text + "\n");
      } else {
        out().flush();
        cli().rawOut.write(kv.value(), 0, kv.value().length);
        cli().rawOut.flush();
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "del", aliases = "delete", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Delete a key (a tombstone version stays in its history). Deleting an absent key is not an error:"
          + " it prints deleted false.")
  static final class Del extends Base {
    @Parameters(index = "0", paramLabel = "NS") String ns;
    @Parameters(index = "1", paramLabel = "KEY") String key;
    @Option(names = "--if-revision", paramLabel = "N", description = "Delete only if the key's revision is N.")
    Long ifRevision;

    @Override
    public Integer call() {
      if (ifRevision != null && ifRevision < 1) throw CliException.usage("--if-revision of a delete must be >= 1");
      WriteResult w = write(() -> db().delete(ns, utf8(key), ifRevision == null ? -1 : ifRevision));
      if (json()) {
        printJson(Output.JSON.createObjectNode().put("deleted", w.applied()).put("revision", w.revision()));
      } else {
        out().print(Output.table(List.of("deleted", "revision"),
            List.of(List.of(Boolean.toString(w.applied()), w.applied() ? Long.toString(w.revision()) : "-"))));
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "history", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "A key's retained versions, newest first (deletes included).")
  static final class History extends Base {
    @Parameters(index = "0", paramLabel = "NS") String ns;
    @Parameters(index = "1", paramLabel = "KEY") String key;
    @Option(names = "--limit", defaultValue = "100", paramLabel = "N", description = "At most N versions (1-1000, default 100).")
    int limit;
    @Option(names = "--before", paramLabel = "R", description = "Only versions older than revision R (the next page).")
    Long before;

    @Override
    public Integer call() {
      if (limit < 1 || limit > 1000) throw CliException.usage("--limit must be between 1 and 1000, not " + limit);
      nonNegative(before, "--before");
      List<KeyValue> versions = read(() -> db().history(ns, utf8(key), limit, before == null ? 0 : before));
      Long next = versions.size() == limit ? versions.get(versions.size() - 1).revision() : null;
      if (json()) {
        ObjectNode n = Output.JSON.createObjectNode();
        n.put("namespace", ns);
        n.put("key", key);
        ArrayNode arr = n.putArray("versions");
        for (KeyValue kv : versions) arr.add(Output.version(kv));
        if (next == null) n.putNull("nextBefore");
        else n.put("nextBefore", next);
        printJson(n);
        return ExitCode.OK;
      }
      if (versions.isEmpty()) {
        out().println("(no versions of " + key + (before != null ? " before revision " + before : "") + ")");
        return ExitCode.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (KeyValue kv : versions) {
        rows.add(List.of(Long.toString(kv.revision()), Long.toString(kv.version()), kv.timestamp(),
            Output.isTombstone(kv) ? "(deleted)" : Output.valueText(kv.value(), kv.contentType())));
      }
      out().print(Output.table(List.of("revision", "version", "timestamp", "value"), rows));
      if (next != null) out().println("(more: --before " + next + ")");
      return ExitCode.OK;
    }
  }
}
