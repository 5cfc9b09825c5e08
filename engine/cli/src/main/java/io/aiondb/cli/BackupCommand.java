package io.aiondb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aion backup create|list|describe|verify|delete|prune|status} through the HTTP API (docs/backup.md). Creating,
 * verifying and pruning wait for their operation by default, with a progress line on stderr; {@code --detach} answers
 * with the operation at once.
 */
@Command(name = "backup", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
    description = "Backups in the node's object store (HTTP API, --http; docs/backup.md).",
    subcommands = {BackupCommand.Create.class, BackupCommand.ListBackups.class, BackupCommand.Describe.class,
        BackupCommand.Verify.class, BackupCommand.Delete.class, BackupCommand.Prune.class, BackupCommand.Status.class})
final class BackupCommand extends Group {
  static final List<String> COLUMNS = List.of("id", "createdAt", "revision", "keyCount", "bytes", "files", "encrypted", "node");

  /** {@code --store NAME}: one of the node's named stores (backup.stores-file) instead of its default store. */
  static final class StoreOption {
    @Option(names = "--store", paramLabel = "NAME", description = "A named store of the node (backup.stores-file;"
        + " docs/backup.md \"Named stores\") instead of its default store.")
    String store;

    /** The path with {@code ?store=NAME} when one is given. */
    String on(String path) {
      return store == null ? path : path + "?store=" + java.net.URLEncoder.encode(store, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** Waits for an operation, printing progress to stderr; prints its outcome; exit 1 when it failed. */
  abstract static class Waiting extends Base {
    @Option(names = "--detach", description = "Do not wait: print the operation and exit (poll it with backup status).")
    boolean detach;

    @Option(names = "--no-progress", description = "No progress line on stderr while waiting.")
    boolean noProgress;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "24h", converter = AionCli.Durations.class,
        description = "Give up waiting after this long (the operation goes on; default ${DEFAULT-VALUE}).")
    Duration waitTimeout;

    int follow(JsonNode started) {
      if (detach) {
        print(started);
        return ExitCode.OK;
      }
      String id = started.path("id").asText();
      long deadline = System.nanoTime() + waitTimeout.toNanos();
      JsonNode op = started;
      boolean tty = System.console() != null;
      long lastLine = System.nanoTime(); // not a terminal: a line every 5 s, the first after 5 s
      while (op.path("state").asText().equals("running")) {
        if (System.nanoTime() > deadline) {
          throw new CliException(ExitCode.UNAVAILABLE, "operation " + id + " still running after " + waitTimeout
              + "; follow it with: aion backup status " + id);
        }
        if (!noProgress && (tty || System.nanoTime() - lastLine > 5_000_000_000L)) {
          err().print((tty ? "\r" : "") + progressLine(op) + (tty ? "   " : "\n"));
          err().flush();
          lastLine = System.nanoTime();
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CliException(ExitCode.UNAVAILABLE, "interrupted; the operation goes on: aion backup status " + id);
        }
        op = admin().get("/v1/backups/operations/" + Http.seg(id));
      }
      if (!noProgress && tty) err().println("\r" + progressLine(op) + "   ");
      print(op);
      if (op.path("state").asText().equals("failed")) {
        throw new CliException(ExitCode.ERROR, op.path("kind").asText() + " " + id + " failed: " + op.path("error").asText());
      }
      return ExitCode.OK;
    }

    void print(JsonNode op) {
      if (json()) {
        printJson(op);
        return;
      }
      out().println(op.path("kind").asText() + " " + op.path("id").asText() + ": " + op.path("state").asText());
      if (op.has("result")) out().print(Output.fields(op.path("result")));
    }
  }

  /** {@code [#####.....]  45%  12.3 of 27.0 MiB  40.1 MiB/s  3/10 files (2 reused)} */
  static String progressLine(JsonNode op) {
    JsonNode p = op.path("progress");
    long total = p.path("bytesTotal").asLong();
    long done = p.path("bytesDone").asLong();
    int pct = total <= 0 ? 0 : (int) Math.min(100, done * 100 / total);
    int filled = pct / 5;
    return String.format("[%s%s] %3d%%  %.1f of %.1f MiB  %.1f MiB/s  %d/%d files (%d reused)", "#".repeat(filled),
        ".".repeat(20 - filled), pct, done / 1048576.0, total / 1048576.0, p.path("bytesPerSecond").asLong() / 1048576.0,
        p.path("filesDone").asLong(), p.path("filesTotal").asLong(), p.path("filesReused").asLong());
  }

  @Command(name = "create", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Back up the node --http names (POST /v1/backups) and wait for it; a follower is the better choice.")
  static final class Create extends Waiting {
    @Mixin StoreOption store;
    @Option(names = "--id", paramLabel = "ID", description = "Give the backup this id (like 20261206T151300Z-7f3a09c2):"
        + " asking again with the same id answers the same backup instead of starting another.") String id;

    @Override
    public Integer call() {
      ObjectNode body = Output.JSON.createObjectNode();
      if (id != null) body.put("id", id);
      return follow(admin().post(store.on("/v1/backups"), body));
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Every complete backup, oldest first (GET /v1/backups).")
  static final class ListBackups extends Base {
    @Mixin StoreOption store;
    @Override
    public Integer call() {
      JsonNode r = admin().get(store.on("/v1/backups"));
      if (json()) {
        printJson(r);
      } else {
        out().println("target: " + r.path("target").asText());
        out().print(Output.objects(r.path("backups"), COLUMNS));
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "describe", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "One backup: its summary, and per Raft group the index, revision, keys and files (GET /v1/backups/ID).")
  static final class Describe extends Base {
    @Mixin StoreOption store;
    @Parameters(paramLabel = "ID", description = "The backup id, as in backup list.") String id;

    @Override
    public Integer call() {
      JsonNode r = admin().get(store.on("/v1/backups/" + Http.seg(id)));
      if (json()) {
        printJson(r);
        return ExitCode.OK;
      }
      ObjectNode summary = ((ObjectNode) r.deepCopy());
      summary.remove("manifest");
      out().print(Output.fields(summary));
      JsonNode m = r.path("manifest");
      if (m.has("encryption")) out().println("keyId: " + m.path("encryption").path("keyId").asText());
      out().print(Output.objects(m.path("groups"), List.of("groupId", "index", "term", "revision", "keyCount", "digest")));
      return ExitCode.OK;
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Check a backup: every object present with its size, or with --deep download, hash, open and"
          + " compare with the manifest (POST /v1/backups/ID/verify). Exit 1 when it fails, naming what is wrong.")
  static final class Verify extends Waiting {
    @Mixin StoreOption store;
    @Parameters(paramLabel = "ID", description = "The backup id.") String id;

    @Option(names = "--deep", description = "Restore into a scratch directory and check everything.") boolean deep;

    @Override
    public Integer call() {
      return follow(admin().post(store.on("/v1/backups/" + Http.seg(id) + "/verify"),
          Output.JSON.createObjectNode().put("level", deep ? "deep" : "light")));
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Delete a backup's manifest (DELETE /v1/backups/ID); its objects go at the next prune.")
  static final class Delete extends Base {
    @Mixin StoreOption store;
    @Parameters(paramLabel = "ID", description = "The backup id.") String id;

    @Override
    public Integer call() {
      JsonNode r = admin().delete(store.on("/v1/backups/" + Http.seg(id)));
      if (json()) printJson(r);
      else out().println("deleted backup " + id + (store.store == null ? "" : " from store " + store.store));
      return ExitCode.OK;
    }
  }

  @Command(name = "prune", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Delete backups beyond --keep-last or older than --max-age (keeping the newest --min-keep), then"
          + " objects no backup names that are older than --grace (POST /v1/backups/prune).")
  static final class Prune extends Waiting {
    @Mixin StoreOption store;
    @Option(names = "--keep-last", paramLabel = "N", description = "Backups to keep (0: no count limit).") Integer keepLast;
    @Option(names = "--max-age", paramLabel = "DURATION", description = "Backups older than this expire, e.g. 30d.") String maxAge;
    @Option(names = "--min-keep", paramLabel = "N", description = "Newest backups always kept (server default 1).") Integer minKeep;
    @Option(names = "--grace", paramLabel = "DURATION", description = "Unreferenced objects younger than this stay (server default 24h).") String grace;
    @Option(names = "--sweep-only", description = "Expire no backup; delete only objects no backup names.") boolean sweepOnly;

    @Override
    public Integer call() {
      ObjectNode b = Output.JSON.createObjectNode();
      if (keepLast != null) b.put("keepLast", keepLast);
      if (maxAge != null) b.put("maxAge", maxAge);
      if (minKeep != null) b.put("minKeep", minKeep);
      if (grace != null) b.put("grace", grace);
      if (sweepOnly) b.put("sweepOnly", true);
      return follow(admin().post(store.on("/v1/backups/prune"), b));
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "A backup operation (GET /v1/backups/operations/OP), or every one this node ran since it started.")
  static final class Status extends Base {
    @Parameters(paramLabel = "OP", arity = "0..1", description = "The operation id; none: all of them.") String op;

    @Override
    public Integer call() {
      if (op == null) {
        JsonNode r = admin().get("/v1/backups/operations");
        if (json()) printJson(r);
        else out().print(Output.objects(r.path("operations"), List.of("id", "kind", "backup", "state", "startedAt", "finishedAt", "error")));
        return ExitCode.OK;
      }
      JsonNode r = admin().get("/v1/backups/operations/" + Http.seg(op));
      if (json()) {
        printJson(r);
      } else {
        out().println(r.path("kind").asText() + " " + r.path("id").asText() + ": " + r.path("state").asText()
            + (r.has("error") ? " (" + r.path("error").asText() + ")" : ""));
        out().println(progressLine(r));
      }
      return ExitCode.OK;
    }
  }
}
