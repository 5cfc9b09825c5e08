package io.aiondb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.client.AionClientException;
import io.aiondb.client.BatchResult;
import io.aiondb.client.PutBatch;
import io.aiondb.client.ValueType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aion import}: loads JSON lines into a namespace in batches (the client's {@link PutBatch}, one log entry
 * each). Up to {@code --in-flight} batches (default 1) are sent without waiting for the ones before; each is written
 * wholly or not at all, and batches in flight may commit in any order. A key that comes again within the batch being
 * filled closes that batch first, and a batch holding a key of a batch still in flight waits for it: the later line
 * wins, as if the lines were put one by one. After an error nothing more is sent; the message says which lines were
 * written: every batch before the failed one, and any sent after it that had been sent before the error was known.
 */
@Command(name = "import", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
    description = {"Load keys from JSON lines (a file or stdin) in batches, each written atomically as one log entry.",
        "A line is {\"key\": K, \"value\": JSON} or with \"text\": S or \"valueBase64\": B (\"keyBase64\" for binary",
        "keys); blank lines are skipped. Prints the keys written, the batches and the last revision."})
final class ImportCommand extends Base {
  @Parameters(index = "0", paramLabel = "NS", description = "Namespace (must exist).") String ns;
  @Parameters(index = "1", arity = "0..1", paramLabel = "FILE", description = "JSON lines to load ('-' or none: stdin).")
  String file;
  @Option(names = "--batch-size", defaultValue = "1000", paramLabel = "N",
      description = "Keys per batch, 1.." + PutBatch.MAX_ITEMS + " (default ${DEFAULT-VALUE}); a batch also ends "
          + "before it passes 4 MiB of keys and values.")
  int batchSize;
  @Option(names = "--progress", description = "After each batch, print the keys written so far and the rate on stderr.")
  boolean progress;
  @Option(names = "--in-flight", defaultValue = "1", paramLabel = "N",
      description = "Batches sent without waiting for the ones before, 1..64 (default ${DEFAULT-VALUE}: one after the"
          + " other, committed in line order). More may commit out of line order, except that a key's lines always"
          + " commit in line order.")
  int inFlight;

  /**
   * Reads decimals exactly, so a value is sent as written: a double would turn 1e999 into the string "Infinity"
   * (valid JSON, silently another value) instead of letting the server refuse it.
   */
  private static final com.fasterxml.jackson.databind.ObjectMapper LINES = new com.fasterxml.jackson.databind.ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static final Pattern ITEM = Pattern.compile("^item (\\d+)( \\(key '.*?'\\))?: ");

  private long written;
  private int batches;
  private long lastRevision;
  private long firstLine = 1; // the first line of the batch being filled
  private long started;
  /** Batches sent and not yet known written, oldest first. */
  private final java.util.ArrayDeque<Pending> pending = new java.util.ArrayDeque<>();
  /** The first batch that failed, once one did: nothing more is sent. */
  private Failure failure;
  /** Batches written after the failed one (sent before its failure was known). */
  private final List<Pending> writtenAfter = new ArrayList<>();

  /** A batch sent: its lines and keys, and the answer to come. */
  private record Pending(long firstLine, List<Long> lines, Set<ByteBuffer> keys,
      java.util.concurrent.CompletableFuture<BatchResult> result) {
    long lastLine() {
      return lines.getLast();
    }
  }

  private record Failure(Pending batch, RuntimeException error) {}

  @Override
  public Integer call() {
    if (batchSize < 1 || batchSize > PutBatch.MAX_ITEMS) {
      throw CliException.usage("--batch-size must be 1.." + PutBatch.MAX_ITEMS + ", not " + batchSize);
    }
    if (inFlight < 1 || inFlight > 64) throw CliException.usage("--in-flight must be 1..64, not " + inFlight);
    started = System.nanoTime();
    try (BufferedReader in = new BufferedReader(open(), 1 << 16)) {
      PutBatch batch = db().putBatch(ns);
      List<Long> lines = new ArrayList<>(); // the line of each item of the batch
      Set<ByteBuffer> keys = new HashSet<>();
      long lineNo = 0;
      for (String line = in.readLine(); line != null && failure == null; line = in.readLine()) {
        lineNo++;
        if (line.isBlank()) continue;
        Item item;
        try {
          item = parse(line, lineNo);
        } catch (CliException e) {
          drain(); // what was sent is written or not before the message says which
          throw failure != null ? failed() : new CliException(e.exitCode, e.getMessage().replace(doneMarker(), done(firstLine)));
        }
        boolean repeat = keys.contains(ByteBuffer.wrap(item.key));
        boolean full = batch.size() >= batchSize
            || batch.bytes() + item.key.length + item.value.length > PutBatch.MAX_BYTES;
        if (batch.size() > 0 && (repeat || full)) {
          send(batch, lines, keys);
          batch = db().putBatch(ns);
          lines = new ArrayList<>();
          keys = new HashSet<>();
        }
        if (batch.size() == 0) firstLine = lineNo;
        batch.put(item.key, item.value, item.type);
        lines.add(lineNo);
        keys.add(ByteBuffer.wrap(item.key));
      }
      if (batch.size() > 0 && failure == null) send(batch, lines, keys);
      drain();
    } catch (IOException e) {
      drain();
      throw CliException.usage("cannot read " + source() + ": " + e.getMessage() + done(firstLine));
    }
    if (failure != null) throw failed();
    double seconds = (System.nanoTime() - started) / 1e9;
    if (json()) {
      ObjectNode n = Output.JSON.createObjectNode();
      n.put("keys", written);
      n.put("batches", batches);
      n.put("revision", lastRevision);
      n.put("seconds", Math.round(seconds * 1000) / 1000.0);
      printJson(n);
    } else {
      out().print(Output.table(List.of("keys", "batches", "revision", "seconds"), List.of(List.of(
          Long.toString(written), Integer.toString(batches), Long.toString(lastRevision),
          String.format(java.util.Locale.ROOT, "%.2f", seconds)))));
    }
    return ExitCode.OK;
  }

  private Reader open() throws IOException {
    if (file == null || "-".equals(file)) return new InputStreamReader(cli().in, StandardCharsets.UTF_8);
    try {
      return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw CliException.usage("no such file: " + file);
    }
  }

  private String source() {
    return file == null || "-".equals(file) ? "stdin" : file;
  }

  /** Stands for {@link #done(long)} in a parse error, which is known only once the batches in flight are answered. */
  private static String doneMarker() {
    return "\u0000done\u0000";
  }

  /**
   * What was written before an error, for its message: the batches before line {@code before} (every batch before
   * the failed one, or before the one being filled), and those written after it.
   */
  private String done(long before) {
    String upTo = written == 0 ? "; nothing was written"
        : "; " + written + " keys before line " + before + " were written (" + batches + " batches)";
    if (writtenAfter.isEmpty()) return written == 0 ? upTo : upTo + ", none after";
    long keysAfter = writtenAfter.stream().mapToLong(p -> p.lines().size()).sum();
    return upTo + "; after it, " + keysAfter + " keys of lines " + String.join(", ", writtenAfter.stream()
        .map(p -> p.firstLine() + "-" + p.lastLine()).toList()) + " were also written (" + writtenAfter.size()
        + " batches sent before the error was known)";
  }

  /** Sends the batch once fewer than --in-flight are, and none in flight holds one of its keys. */
  private void send(PutBatch batch, List<Long> lines, Set<ByteBuffer> keys) {
    while (!pending.isEmpty() && (pending.size() >= inFlight
        || pending.stream().anyMatch(p -> !java.util.Collections.disjoint(p.keys(), keys)))) {
      settleOldest();
      if (failure != null) return;
    }
    // batches in flight may commit in any order (disjoint keys: the loop above waited for any that shares a key)
    var result = batch.commitAsync().orTimeout(callLimit().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    pending.add(new Pending(firstLine, lines, keys, result));
  }

  /** Waits for every batch in flight. */
  private void drain() {
    while (!pending.isEmpty()) settleOldest();
  }

  /** Waits for the oldest batch in flight and counts it, or records the first failure. */
  private void settleOldest() {
    Pending p = pending.removeFirst();
    BatchResult r;
    try {
      r = p.result().join();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable c = e.getCause();
      while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) c = c.getCause();
      RuntimeException error = c instanceof java.util.concurrent.TimeoutException ? noAnswer(true)
          : c instanceof RuntimeException re ? re : new IllegalStateException(c);
      if (failure == null) failure = new Failure(p, error);
      return;
    }
    if (failure != null) {
      writtenAfter.add(p);
      return;
    }
    written += r.count();
    batches++;
    lastRevision = Math.max(lastRevision, r.revision());
    if (progress) {
      double seconds = (System.nanoTime() - started) / 1e9;
      err().printf(java.util.Locale.ROOT, "imported %d keys (%d batches, up to line %d), %.0f keys/s%n", written,
          batches, p.lastLine(), written / Math.max(seconds, 1e-9));
      err().flush();
    }
  }

  /** The error of the first failed batch, naming its lines and what was written. */
  private CliException failed() {
    Pending p = failure.batch();
    String where = "batch of lines " + p.firstLine() + "-" + p.lastLine() + ": ";
    if (failure.error() instanceof AionClientException e) {
      return new CliException(ExitCode.of(e), where + itemToLine(AionCli.describe(e), p.lines()) + done(p.firstLine()));
    }
    if (failure.error() instanceof CliException e) {
      return new CliException(e.exitCode, where + e.getMessage() + done(p.firstLine()));
    }
    throw failure.error();
  }

  /** The server names a batch's item by its index; the user knows it by its line. */
  static String itemToLine(String message, List<Long> lines) {
    Matcher m = ITEM.matcher(message);
    if (!m.find()) return message;
    int i = Integer.parseInt(m.group(1));
    if (i >= lines.size()) return message;
    return "line " + lines.get(i) + (m.group(2) == null ? "" : m.group(2)) + ": " + message.substring(m.end());
  }

  record Item(byte[] key, byte[] value, ValueType type) {}

  /** One line: the item form of the HTTP API's batch write (docs/api.md "Batch writes"). */
  private Item parse(String line, long lineNo) {
    String where = "line " + lineNo;
    JsonNode n;
    try {
      n = parseJson(LINES, line.getBytes(StandardCharsets.UTF_8), where);
    } catch (CliException e) {
      throw new CliException(e.exitCode, e.getMessage() + doneMarker());
    }
    try {
      if (!n.isObject()) throw bad("is not a JSON object");
      for (var it = n.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!List.of("key", "keyBase64", "value", "text", "valueBase64").contains(f)) {
          throw bad("has an unknown field '" + f + "' (key or keyBase64, and value, text or valueBase64)");
        }
      }
      if (n.has("key") == n.has("keyBase64")) throw bad("needs exactly one of 'key' and 'keyBase64'");
      byte[] key = n.has("key") ? utf8(string(n, "key")) : base64(n, "keyBase64");
      int given = (n.has("value") ? 1 : 0) + (n.has("text") ? 1 : 0) + (n.has("valueBase64") ? 1 : 0);
      if (given != 1) throw bad("needs exactly one of 'value' (JSON), 'text' or 'valueBase64'");
      if (n.has("text")) return new Item(key, utf8(string(n, "text")), ValueType.TEXT);
      if (n.has("valueBase64")) return new Item(key, base64(n, "valueBase64"), ValueType.BINARY);
      return new Item(key, utf8(n.get("value").toString()), ValueType.JSON);
    } catch (CliException e) {
      throw CliException.usage(where + " " + e.getMessage() + doneMarker());
    }
  }

  private static String string(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (!v.isTextual()) throw bad("has '" + field + "' that is not a string");
    return v.asText();
  }

  private static byte[] base64(JsonNode n, String field) {
    try {
      return Base64.getDecoder().decode(string(n, field));
    } catch (IllegalArgumentException e) {
      throw bad("has '" + field + "' that is not valid base64");
    }
  }

  private static CliException bad(String message) {
    return CliException.usage(message);
  }
}
