package io.aiondb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.audit.AuditLog;
import io.aiondb.server.service.Caller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aion audit verify} on files the server's audit log wrote, then on a tampered copy. */
class AuditCliIT {
  @TempDir Path dir;

  @Test
  void verifyAcceptsTheServersChainAndNamesTheFirstTamperedRecord() throws Exception {
    Path file = dir.resolve("audit.log");
    try (AuditLog log = new AuditLog(file, null, 1 << 20, 2, "n1", Clock.systemUTC())) {
      for (int i = 0; i < 4; i++) {
        log.record(Caller.http("10.1.2.3"), "namespace.drop", "namespace/t" + i, AuditLog.Outcome.success, null);
      }
      Awaitility.await().until(() -> log.written() == 4);
    }
    Run ok = Run.aion("audit", "verify", file.toString());
    assertThat(ok.exit()).as(ok.toString()).isZero();
    assertThat(ok.out()).contains("4 records, chain intact", "starts at the first record of the log");

    List<String> lines = Files.readAllLines(file);
    Files.write(file, List.of(lines.get(0), lines.get(2), lines.get(3)));
    Run broken = Run.aion("audit", "verify", file.toString());
    assertThat(broken.exit()).as(broken.toString()).isEqualTo(ExitCode.ERROR);
    assertThat(broken.err()).contains(file + ":2: record 3 does not follow record 1");

    Run missing = Run.aion("audit", "verify", dir.resolve("nope").toString());
    assertThat(missing.exit()).isEqualTo(ExitCode.USAGE);
  }
}
