package io.aiondb.server.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.service.Caller;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log (docs/security.md "Audit log"): one JSON line per privileged operation, whatever its outcome, to a
 * file with size-based rotation and/or standard output. Records are hash-chained: each carries {@code prev}, the
 * {@code hash} of the record before it (64 zeros for the first one ever written to the file set), and its own
 * {@code hash}, the SHA-256 of its line up to and without {@code ,"hash":"…"} (closed with {@code }}), so that editing,
 * inserting, deleting or reordering records breaks the chain ({@link AuditChain#verify}). A restarted node continues
 * the chain from the last record of its file.
 *
 * <p>Requests never wait for the disk: records go through a bounded queue to one writer thread; a full queue drops the
 * record and counts it ({@link #dropped()}, {@code aion_audit_dropped_total}).
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final ObjectMapper JSON = new ObjectMapper().configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
  public static final String GENESIS = "0".repeat(64);

  /** No audit log configured: records go nowhere. */
  public static final AuditLog OFF = new AuditLog();

  /** What happened to the operation. */
  public enum Outcome { success, failure }

  /** One record before it is chained: who, from where, over what, did what to what, and how it ended. */
  record Entry(long time, String node, Caller caller, String operation, String target, Outcome outcome, String detail) {}

  private final Path file;
  private final PrintStream stdout;
  private final long maxBytes;
  private final int maxFiles;
  private final String node;
  private final Clock clock;
  private final BlockingQueue<Entry> queue;
  private final Thread writer;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  /** audit.data-namespaces: names or globs whose data accesses are recorded too. */
  private final java.util.List<String> dataNamespaces;
  private volatile boolean closing;
  private OutputStream out;
  private long size;
  private long seq;
  private String prev = GENESIS;

  private AuditLog() {
    this.file = null;
    this.stdout = null;
    this.maxBytes = 0;
    this.maxFiles = 0;
    this.node = "";
    this.clock = Clock.systemUTC();
    this.queue = null;
    this.writer = null;
    this.dataNamespaces = java.util.List.of();
  }

  /**
   * @param file     the current file ({@code audit.file}; rotated to {@code file.1} … {@code file.<maxFiles>}), or null
   * @param stdout   also (or only) to this stream, e.g. System.out for {@code kubectl logs}; null: not
   * @param maxBytes rotate when the current file would grow past this
   * @param maxFiles rotated files kept besides the current one
   */
  public AuditLog(Path file, PrintStream stdout, long maxBytes, int maxFiles, String node, Clock clock) throws IOException {
    this(file, stdout, maxBytes, maxFiles, node, clock, java.util.List.of());
  }

  /** @param dataNamespaces names or globs ({@code *}) of namespaces whose data accesses are recorded too ({@link #auditsData}) */
  public AuditLog(Path file, PrintStream stdout, long maxBytes, int maxFiles, String node, Clock clock,
      java.util.List<String> dataNamespaces) throws IOException {
    this.dataNamespaces = java.util.List.copyOf(dataNamespaces);
    this.file = file;
    this.stdout = stdout;
    this.maxBytes = maxBytes;
    this.maxFiles = maxFiles;
    this.node = node;
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(10_000);
    if (file != null) open();
    this.writer = Thread.ofPlatform().daemon().name("aion-audit").start(this::drain);
  }

  /** Whether records are kept anywhere. */
  public boolean enabled() {
    return queue != null;
  }

  /** Whether audit.data-namespaces lists anything (and records go somewhere). */
  public boolean auditsAnyData() {
    return queue != null && !dataNamespaces.isEmpty();
  }

  /** Whether data accesses to {@code namespace} are recorded (audit.data-namespaces). */
  public boolean auditsData(String namespace) {
    if (queue == null || namespace == null || dataNamespaces.isEmpty()) return false;
    for (String glob : dataNamespaces) {
      if (io.aiondb.server.auth.Glob.matches(glob, namespace)) return true;
    }
    return false;
  }

  /** Records one operation; never blocks (a full queue drops the record and counts it). */
  public void record(Caller caller, String operation, String target, Outcome outcome, String detail) {
    if (queue == null || closing) return;
    if (!queue.offer(new Entry(clock.millis(), node, caller, operation, target, outcome, detail))) {
      dropped.incrementAndGet();
    }
  }

  /** An error as a record's detail: the engine's code and message, else the exception's class and message. */
  public static String describe(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof io.aiondb.server.AionException a) return a.code() + ": " + a.getMessage();
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  public long written() {
    return written.get();
  }

  public long dropped() {
    return dropped.get();
  }

  /** Continues the chain of the file set: the last complete record's hash and sequence number. */
  private void open() throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    String last = lastLine(file);
    for (int i = 1; last == null && i <= maxFiles; i++) last = lastLine(rotated(i));
    if (last != null) {
      try {
        var node = JSON.readTree(last);
        if (node.path("hash").isTextual() && node.path("seq").canConvertToLong()) {
          prev = node.path("hash").asText();
          seq = node.path("seq").asLong();
        }
      } catch (IOException e) {
        LOG.warn("the last line of the audit log {} is not a record ({}): its chain starts again here", file,
            e.getMessage());
      }
    }
    boolean partial = Files.exists(file) && Files.size(file) > 0 && !endsWithNewline(file);
    out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    size = Files.size(file);
    if (partial) write("\n".getBytes(StandardCharsets.UTF_8)); // a line cut by a crash stays visible to verification
  }

  private Path rotated(int i) {
    return file.resolveSibling(file.getFileName() + "." + i);
  }

  private static boolean endsWithNewline(Path f) throws IOException {
    try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "r")) {
      r.seek(r.length() - 1);
      return r.read() == '\n';
    }
  }

  /** The last complete line of {@code f}, or null. */
  static String lastLine(Path f) throws IOException {
    if (!Files.exists(f) || Files.size(f) == 0) return null;
    try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "r")) {
      long end = r.length();
      if (end > 0) {
        r.seek(end - 1);
        if (r.read() != '\n') { // a partial last line: the complete one before it
          while (end > 0) {
            r.seek(--end);
            if (r.read() == '\n') break;
          }
        } else {
          end--;
        }
      }
      long start = end;
      while (start > 0) {
        r.seek(start - 1);
        if (r.read() == '\n') break;
        start--;
      }
      if (end <= start) return null;
      byte[] b = new byte[(int) (end - start)];
      r.seek(start);
      r.readFully(b);
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  private void drain() {
    while (true) {
      Entry e;
      try {
        e = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException ie) {
        e = null;
        closing = true;
      }
      if (e == null) {
        if (closing && queue.isEmpty()) return;
        continue;
      }
      try {
        byte[] line = line(e);
        if (out != null) {
          if (size > 0 && size + line.length > maxBytes) rotate();
          write(line);
        }
        if (stdout != null) {
          stdout.write(line);
          stdout.flush();
        }
        written.incrementAndGet();
      } catch (IOException ex) {
        dropped.incrementAndGet();
        LOG.error("cannot write the audit log {}: {}", file, ex.getMessage());
      }
    }
  }

  private void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    size += bytes.length;
  }

  /** file.N-1 → file.N …, file → file.1; the oldest beyond maxFiles is deleted. The chain goes on in the new file. */
  private void rotate() throws IOException {
    out.close();
    Files.deleteIfExists(rotated(maxFiles));
    for (int i = maxFiles - 1; i >= 1; i--) {
      if (Files.exists(rotated(i))) Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
    }
    if (maxFiles >= 1) {
      Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
    } else {
      Files.delete(file);
    }
    out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    size = 0;
  }

  /** The record's line, chained to the one before. */
  private byte[] line(Entry e) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.getFactory().createGenerator(body)) {
      g.writeStartObject();
      g.writeNumberField("seq", ++seq);
      g.writeStringField("time", java.time.Instant.ofEpochMilli(e.time()).toString());
      g.writeStringField("node", e.node());
      g.writeStringField("principal", e.caller().principal());
      g.writeStringField("source", e.caller().remoteHost());
      g.writeStringField("transport", e.caller().transport());
      g.writeStringField("operation", e.operation());
      g.writeStringField("target", e.target());
      g.writeStringField("outcome", e.outcome().name());
      if (e.detail() != null) g.writeStringField("detail", e.detail());
      var span = io.opentelemetry.api.trace.Span.fromContext(e.caller().trace()).getSpanContext();
      if (span.isValid()) { // a traced request: its trace and server span (docs/tracing.md)
        g.writeStringField("traceId", span.getTraceId());
        g.writeStringField("spanId", span.getSpanId());
      }
      g.writeStringField("prev", prev);
      g.writeEndObject();
    }
    byte[] unsigned = body.toByteArray();
    String hash = sha256(unsigned);
    prev = hash;
    String line = new String(unsigned, 0, unsigned.length - 1, StandardCharsets.UTF_8) + ",\"hash\":\"" + hash + "\"}\n";
    return line.getBytes(StandardCharsets.UTF_8);
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() {
    if (queue == null) return;
    closing = true;
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      if (out != null) out.close();
    } catch (IOException e) {
      LOG.warn("closing the audit log: {}", e.getMessage());
    }
  }
}
