package io.aiondb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void doublesFromInitialUpToMax() {
    Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60));
    Duration failingFor = Duration.ZERO;
    StringBuilder delays = new StringBuilder();
    for (int i = 0; i < 7; i++) {
      Duration delay = backoff.next(failingFor);
      delays.append(delay.toSeconds()).append(' ');
      failingFor = failingFor.plus(delay);
    }
    assertThat(delays.toString().trim()).isEqualTo("2 4 8 16 32 60 60");
  }

  @Test
  void clockSkewGivesInitialDelay() {
    assertThat(new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60)).next(Duration.ofSeconds(-5)))
        .isEqualTo(Duration.ofSeconds(2));
  }
}
