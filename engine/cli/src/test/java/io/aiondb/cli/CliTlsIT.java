package io.aiondb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.AionServer;
import io.aiondb.server.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/security.md's example: its openssl block makes a CA and a node certificate, a node starts with them, and
 * the CLI's documented TLS flags work against it (and fail clearly without the CA).
 */
class CliTlsIT {
  @TempDir Path dir;

  @Test
  void theDocumentedCertificatesAndFlagsWork() throws Exception {
    String doc = Files.readString(Path.of("../../docs/security.md"));
    Matcher m = Pattern.compile("<!-- tls-example -->\\s*```sh\\n(.*?)```", Pattern.DOTALL).matcher(doc);
    assertThat(m.find()).as("the tls-example block in docs/security.md").isTrue();
    Process p = new ProcessBuilder("bash", "-euo", "pipefail", "-c", m.group(1)).directory(dir.toFile())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();

    AionServer server = AionServer.start(ConfigLoader.load(new String[] {"--http.port=0", "--raft.port=0",
        "--protocol.port=0", "--data.dir=" + dir.resolve("data"), "--storage.sync=false", "--shutdown.grace=2s",
        "--tls.cert-file=" + dir.resolve("node.crt"), "--tls.key-file=" + dir.resolve("node.key"),
        "--tls.ca-file=" + dir.resolve("ca.crt")}, Map.of(), null));
    try {
      List<String> globals = List.of("--endpoints=127.0.0.1:" + server.protocolPort(), "--http=" + server.url(),
          "--timeout=5s");
      assertThat(server.url()).startsWith("https://127.0.0.1:");
      Run created = run(globals, "--cacert", dir.resolve("ca.crt").toString(), "ns", "create", "demo");
      assertThat(created.exit()).as(created.toString()).isZero();
      Run put = run(globals, "--cacert", dir.resolve("ca.crt").toString(), "put", "demo", "greeting", "hello");
      assertThat(put.exit()).as(put.toString()).isZero();
      Run get = Run.aion(Map.of("AION_CACERT", dir.resolve("ca.crt").toString()), "",
          concat(globals, "get", "demo", "greeting"));
      assertThat(get.exit()).as(get.toString()).isZero();
      assertThat(get.out()).contains("hello");
      Run members = run(globals, "--cacert", dir.resolve("ca.crt").toString(), "cluster", "members");
      assertThat(members.exit()).as(members.toString()).isZero();

      Run noCa = run(globals, "get", "demo", "greeting");
      assertThat(noCa.exit()).as(noCa.toString()).isEqualTo(ExitCode.UNAVAILABLE);
      Run missing = run(globals, "--cacert", dir.resolve("nope.crt").toString(), "get", "demo", "greeting");
      assertThat(missing.exit()).as(missing.toString()).isEqualTo(ExitCode.USAGE);
      assertThat(missing.err()).contains("nope.crt");
      Run keyWithoutCa = run(globals, "--cert-key", dir.resolve("node.key").toString(), "get", "demo", "greeting");
      assertThat(keyWithoutCa.exit()).isEqualTo(ExitCode.USAGE);
    } finally {
      server.close();
    }
  }

  private static Run run(List<String> globals, String... args) {
    return Run.aion(Map.of(), "", concat(globals, args));
  }

  private static String[] concat(List<String> globals, String... args) {
    List<String> all = new ArrayList<>(globals);
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }
}
