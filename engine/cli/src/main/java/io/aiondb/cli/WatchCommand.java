package io.aiondb.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.client.AionException;
import io.aiondb.client.Watch;
import io.aiondb.client.WatchEvent;
import io.aiondb.client.WatchListener;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aion watch}: one line per change until Ctrl-C (or {@code --max-events}). The client's watch resumes on
 * another member after a failure without missing or repeating a revision; the command ends only when the watch
 * ends for good (start revision compacted, namespace dropped: its exit code) or it is interrupted (exit 0).
 */
@Command(name = "watch", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
    description = {"Print the changes of a key or of every key with a prefix, one line per event, until Ctrl-C:",
        "REVISION  put|delete  KEY  VALUE. With -o json: one JSON object per line."})
final class WatchCommand extends Base {
  @Parameters(index = "0", paramLabel = "NS") String ns;

  static final class Target {
    @Option(names = "--key", required = true, paramLabel = "KEY", description = "Watch this key.") String key;
    @Option(names = "--prefix", required = true, paramLabel = "PREFIX",
        description = "Watch every key starting with PREFIX ('' for the whole namespace).") String prefix;
  }

  @ArgGroup(exclusive = true, multiplicity = "1") Target target;

  @Option(names = "--from-revision", paramLabel = "R",
      description = "Start at revision R (inclusive), replaying earlier changes; default: changes from now on.")
  Long fromRevision;

  @Option(names = "--max-events", paramLabel = "N", description = "Stop after N events (for scripts).")
  Long maxEvents;

  @Override
  public Integer call() throws Exception {
    nonNegative(fromRevision, "--from-revision");
    if (maxEvents != null && maxEvents < 1) throw CliException.usage("--max-events must be >= 1");
    boolean prefix = target.prefix != null;
    byte[] k = utf8(prefix ? target.prefix : target.key);
    PrintWriter out = out();
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<AionException> failure = new AtomicReference<>();
    AtomicLong printed = new AtomicLong();
    WatchListener listener = new WatchListener() {
      @Override
      public void onEvents(long revision, List<WatchEvent> events) {
        for (WatchEvent e : events) {
          if (done.getCount() == 0) return;
          out.println(json() ? Output.compact(json(e)) : line(e));
          out.flush();
          if (maxEvents != null && printed.incrementAndGet() >= maxEvents) done.countDown();
        }
      }

      @Override
      public void onClose(AionException error) {
        failure.set(error);
        done.countDown();
      }
    };
    Watch w = read(() -> db().watch(ns, k, prefix, fromRevision == null ? 0 : fromRevision, listener));
    Thread hook = new Thread(() -> { // Ctrl-C: stop the watch, keep what was printed
      w.close();
      out.flush();
    });
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stopped by the caller: a normal end
    } finally {
      w.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
    if (failure.get() != null) throw failure.get();
    return ExitCode.OK;
  }

  /** {@code REVISION  put  KEY  VALUE} or {@code REVISION  delete  KEY}; the whole value, on one line. */
  static String line(WatchEvent e) {
    if (e.deleted()) return e.revision() + "  delete  " + e.keyText();
    String v = Output.valueText(e.value().value(), e.value().contentType()).replace("\r", "\\r").replace("\n", "\\n");
    return e.revision() + "  put  " + e.keyText() + "  " + v;
  }

  static ObjectNode json(WatchEvent e) {
    ObjectNode n = Output.JSON.createObjectNode();
    n.put("revision", e.revision());
    n.put("type", e.deleted() ? "delete" : "put");
    n.put("key", e.keyText());
    if (!e.deleted()) {
      n.put("createRevision", e.value().createRevision());
      n.put("version", e.value().version());
      n.put("timestamp", e.value().timestamp());
      n.put("contentType", e.value().contentType());
      Output.putValue(n, e.value().value(), e.value().contentType());
    }
    return n;
  }
}
