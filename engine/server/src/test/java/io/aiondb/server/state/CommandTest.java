package io.aiondb.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CommandTest {
  /** The hand-written name check accepts exactly what the documented pattern accepts. */
  @Test
  void nameCheckAgreesWithThePattern() {
    String alphabet = "az09_.-A/ é";
    SplittableRandom r = new SplittableRandom(7);
    int accepted = 0;
    for (int i = 0; i < 200_000; i++) {
      int len = r.nextInt(70);
      StringBuilder b = new StringBuilder(len);
      for (int j = 0; j < len; j++) {
        // mostly valid characters, so long valid names are common too
        b.append(r.nextInt(10) < 8 ? "abz09".charAt(r.nextInt(5)) : alphabet.charAt(r.nextInt(alphabet.length())));
      }
      String s = b.toString();
      boolean expected = Command.NAMESPACE.matcher(s).matches();
      assertThat(Command.validName(s)).as("'%s'", s).isEqualTo(expected);
      if (expected) accepted++;
    }
    for (String s : new String[] {"a", "0", "a-b", "a.b_c", "a".repeat(63), "a".repeat(64), "-a", "a-", "_", "A", ""}) {
      assertThat(Command.validName(s)).as("'%s'", s).isEqualTo(Command.NAMESPACE.matcher(s).matches());
    }
    assertThat(accepted).as("valid names generated").isGreaterThan(10_000);
  }
}
