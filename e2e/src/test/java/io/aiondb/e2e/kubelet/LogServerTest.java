package io.aiondb.e2e.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogServerTest {
  @TempDir Path dir;

  @Test
  void aContainersLogIsItsLastStartOrTheOneBeforeWithoutTheKubeletsLines() throws Exception {
    Path log = dir.resolve("pod.log");
    Files.writeString(log, String.join("\n",
        LogServer.MARKER + "restore: java -jar restore.jar in /x",
        "restored: b-1",
        LogServer.MARKER + "aion: java -jar aion-server.jar in /y",
        "first 1",
        "first 2",
        LogServer.MARKER + "aion: java -jar aion-server.jar in /y",
        "second 1",
        "second 2",
        "half a li"));
    var current = LogServer.section(log, "aion", false);
    assertThat(current.lines()).containsExactly("second 1", "second 2");
    assertThat(current.end()).as("up to the last whole line: follow sends the rest")
        .isEqualTo(Files.size(log) - "half a li".length());
    assertThat(LogServer.section(log, "aion", true).lines()).containsExactly("first 1", "first 2");
    assertThat(LogServer.section(log, "restore", false).lines()).containsExactly("restored: b-1");
    assertThat(LogServer.section(log, "restore", true)).isNull();
    assertThat(LogServer.section(log, "sidecar", false)).isNull();
  }
}
