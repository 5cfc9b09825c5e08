package io.aiondb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.AionServer;
import io.aiondb.server.backup.S3Server;
import io.aiondb.server.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aion backup …} against a real server backing up to a real S3 API (s3proxy). */
class BackupCliIT {
  @TempDir static Path dir;
  static S3Server s3;
  static AionServer server;
  static List<String> globals;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3Server(dir.resolve("s3"));
    System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY); // the in-process server's S3 credentials
    System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
    List<String> args = new ArrayList<>(List.of("--http.port=0", "--raft.port=0", "--protocol.port=0",
        "--data.dir=" + dir.resolve("data"), "--storage.sync=false", "--shutdown.grace=2s"));
    args.addAll(List.of(s3.flags("cli")));
    Path creds = java.nio.file.Files.createDirectories(dir.resolve("arch-creds"));
    java.nio.file.Files.writeString(creds.resolve("AWS_ACCESS_KEY_ID"), S3Server.ACCESS_KEY);
    java.nio.file.Files.writeString(creds.resolve("AWS_SECRET_ACCESS_KEY"), S3Server.SECRET_KEY);
    Path stores = java.nio.file.Files.writeString(dir.resolve("stores.properties"), "arch.bucket=" + S3Server.BUCKET
        + "\narch.endpoint=" + s3.url() + "\narch.path-style=true\narch.prefix=cli-archive\narch.credentials-dir=" + creds + "\n");
    args.add("--backup.stores-file=" + stores);
    server = AionServer.start(ConfigLoader.load(args.toArray(String[]::new), Map.of(), null));
    globals = List.of("--endpoints=127.0.0.1:" + server.protocolPort(), "--http=" + server.url(), "--timeout=10s");
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) server.close();
    if (s3 != null) s3.close();
  }

  static Run aion(String... args) {
    List<String> all = new ArrayList<>(globals);
    all.addAll(List.of(args));
    return Run.aion(Map.of(), "", all.toArray(String[]::new));
  }

  /** --store: create, list, describe and delete on a named store; the default store does not see it. */
  @Test
  void backupCommandsWorkOnANamedStore() throws Exception {
    // writes nothing: the other test counts the keys its backups hold
    Run created = aion("-o", "json", "backup", "create", "--store", "arch", "--no-progress");
    assertThat(created.exit()).as(created.toString()).isZero();
    JsonNode op = new ObjectMapper().readTree(created.out());
    assertThat(op.path("store").asText()).isEqualTo("arch");
    String id = op.path("backup").asText();
    Run list = aion("backup", "list", "--store", "arch");
    assertThat(list.out()).contains("target: s3://" + S3Server.BUCKET + "/cli-archive").contains(id);
    assertThat(aion("backup", "list").out()).as("the default store").doesNotContain(id);
    assertThat(aion("backup", "describe", id, "--store", "arch").exit()).isZero();
    assertThat(aion("backup", "describe", id).exit()).as("not in the default store").isEqualTo(ExitCode.NOT_FOUND);
    Run unknown = aion("backup", "list", "--store", "nope");
    assertThat(unknown.exit()).isNotZero();
    assertThat(unknown.err()).contains("no backup store 'nope'", "arch");
    Run deleted = aion("backup", "delete", id, "--store", "arch");
    assertThat(deleted.out()).contains("deleted backup " + id + " from store arch");
    assertThat(aion("backup", "list", "--store", "arch").out()).doesNotContain(id);
  }

  @Test
  void createListDescribeVerifyPruneAndDeleteWithExitCodes() throws Exception {
    assertThat(aion("ns", "create", "people").exit()).isZero();
    for (int i = 0; i < 20; i++) assertThat(aion("put", "people", "p" + i, "{\"n\":" + i + "}").exit()).isZero();

    Run created = aion("-o", "json", "backup", "create", "--no-progress");
    assertThat(created.exit()).as(created.toString()).isZero();
    JsonNode op = new ObjectMapper().readTree(created.out());
    assertThat(op.path("state").asText()).isEqualTo("succeeded");
    assertThat(op.path("result").path("keyCount").asLong()).isEqualTo(20);
    String id = op.path("backup").asText();

    Run list = aion("backup", "list");
    assertThat(list.exit()).as(list.toString()).isZero();
    assertThat(list.out()).contains("target: s3://" + S3Server.BUCKET + "/cli").contains(id);
    Run describe = aion("backup", "describe", id);
    assertThat(describe.out()).contains("keyCount").contains("20").contains("revision");
    Run deep = aion("backup", "verify", id, "--deep", "--no-progress");
    assertThat(deep.exit()).as(deep.toString()).isZero();
    assertThat(deep.out()).contains("verify-deep").contains("succeeded");
    Run detached = aion("-o", "json", "backup", "verify", id, "--detach");
    assertThat(detached.exit()).isZero();
    String opId = new ObjectMapper().readTree(detached.out()).path("id").asText();
    org.awaitility.Awaitility.await().until(() -> aion("backup", "status", opId).out().contains("succeeded"));
    assertThat(aion("backup", "status").out()).contains(opId).contains(id);

    // a damaged store fails verification with exit 1 and names the object
    JsonNode files = new ObjectMapper().readTree(aion("-o", "json", "backup", "describe", id).out())
        .path("manifest").path("groups").get(0).path("files");
    String object = files.get(files.size() - 1).path("object").asText();
    s3.client().deleteObject(r -> r.bucket(S3Server.BUCKET).key("cli/" + object));
    Run broken = aion("backup", "verify", id, "--no-progress");
    assertThat(broken.exit()).as(broken.toString()).isEqualTo(ExitCode.ERROR);
    assertThat(broken.err()).contains(object).contains("missing");

    Run noRule = aion("backup", "prune");
    assertThat(noRule.exit()).as(noRule.toString()).isEqualTo(ExitCode.ERROR);
    assertThat(noRule.err()).contains("keepLast");
    Run pruned = aion("backup", "prune", "--keep-last", "5", "--no-progress");
    assertThat(pruned.exit()).as(pruned.toString()).isZero();
    assertThat(pruned.out()).contains("expired");

    assertThat(aion("backup", "delete", id).exit()).isZero();
    Run gone = aion("backup", "describe", id);
    assertThat(gone.exit()).as(gone.toString()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(gone.err()).contains("BACKUP_NOT_FOUND");
    Run bad = aion("backup", "describe", "../etc");
    assertThat(bad.exit()).as(bad.toString()).isIn(ExitCode.ERROR, ExitCode.NOT_FOUND);
  }
}
