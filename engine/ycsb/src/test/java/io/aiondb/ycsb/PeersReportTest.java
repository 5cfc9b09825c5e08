package io.aiondb.ycsb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PeersReportTest {
  private static PeersReport.Line line(String system, String workload, double opsPerSec, String op, double p50us, long errors) {
    return PeersReport.Line.parse(String.join("\t", system, "1k", workload, "16", "6.00", "1000", Double.toString(opsPerSec), op,
        "500", Double.toString(p50us), "2000.00", "12345.00", Long.toString(errors)));
  }

  @Test
  void throughputWithRatiosAndLatencyPerOperation() {
    String md = PeersReport.render(List.of(
        line("redis-always", "A", 4000, "READ", 250, 0),
        line("aion", "A", 1000, "READ", 1500, 0),
        line("aion", "A", 1000, "UPDATE", 3000, 0),
        line("etcd", "A", 2000, "READ", 1000, 0)));
    // known systems in a fixed order, whatever order the lines came in
    assertThat(md).contains("| record | workload | threads | Aion | etcd | Redis always | Aion/etcd | Aion/Redis always |");
    assertThat(md).contains("| 1 KB (10×100 B) | A | 16 | 1,000 | 2,000 | 4,000 | 0.50 | 0.25 |");
    assertThat(md).contains("| 1 KB (10×100 B) | A | 16 | read | 1.50 / 2.00 / 12.3 | 1.00 / 2.00 / 12.3 | 0.25 / 2.00 / 12.3 |");
    assertThat(md).contains("| 1 KB (10×100 B) | A | 16 | update | 3.00 / 2.00 / 12.3 | – | – |");
    assertThat(md).contains("Errors: none");
  }

  @Test
  void errorsAreNamed() {
    String md = PeersReport.render(List.of(line("aion", "A", 10, "READ", 1, 3), line("etcd", "A", 10, "READ", 1, 0)));
    assertThat(md).contains("**Errors**").contains("Aion 1 KB (10×100 B) A 16 threads: 3");
  }
}
