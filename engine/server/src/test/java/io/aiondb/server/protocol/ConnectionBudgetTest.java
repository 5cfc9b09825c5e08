package io.aiondb.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The connection's byte budget: when a read may reserve its answer's room without waiting. */
class ConnectionBudgetTest {

  @Test
  void anAnswerAlwaysFitsWhenNoOtherAnswerIsHeld() {
    Connection.Budget b = new Connection.Budget(100);
    b.addRequest(90);
    assertThat(b.tryReserve(1_000)).as("nothing else drains first: waiting would never end").isTrue();
    assertThat(b.used()).isEqualTo(1_090);
  }

  @Test
  void aReservationThatWouldPassTheMaximumWaitsWhileAnswersAreHeld() {
    Connection.Budget b = new Connection.Budget(100);
    assertThat(b.tryReserve(60)).isTrue();
    assertThat(b.tryReserve(30)).isTrue();
    assertThat(b.tryReserve(20)).as("60 + 30 + 20 > 100").isFalse();
    assertThat(b.used()).isEqualTo(90);
    b.releaseAnswer(60);
    assertThat(b.tryReserve(20)).isTrue();
    assertThat(b.used()).isEqualTo(50);
  }

  @Test
  void aClosedConnectionReservesNothing() {
    Connection.Budget b = new Connection.Budget(100);
    b.close();
    assertThat(b.tryReserve(1)).isFalse();
    assertThat(b.used()).isZero();
  }
}
