package io.aiondb.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CursorTest {
  @Test
  void roundTrips() {
    Cursor c = new Cursor(42, -7L, new byte[] {0, 'a', (byte) 0xFF});
    Cursor back = Cursor.decode(c.encode());
    assertThat(back.revision()).isEqualTo(42);
    assertThat(back.queryHash()).isEqualTo(-7L);
    assertThat(back.lastKey()).isEqualTo(c.lastKey());
    assertThat(c.encode()).matches("[A-Za-z0-9_-]+");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "!!!", "AQ", "not-a-cursor", "AgAAAAAAAAAqAAAAAAAAAAEAAWE"})
  void malformedCursorsAreInvalid(String text) {
    assertThatThrownBy(() -> Cursor.decode(text))
        .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CURSOR));
  }

  @Test
  void truncatedOrPaddedCursorsAreInvalid() {
    String ok = new Cursor(1, 2, new byte[] {'k'}).encode();
    assertThatThrownBy(() -> Cursor.decode(ok.substring(0, ok.length() - 2))).isInstanceOf(AionException.class);
    assertThatThrownBy(() -> Cursor.decode(ok + "AA")).isInstanceOf(AionException.class);
  }
}
