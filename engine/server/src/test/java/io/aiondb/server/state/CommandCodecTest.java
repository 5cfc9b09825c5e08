package io.aiondb.server.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.ContentType;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandCodecTest {
  @Test
  void everyCommandRoundTrips() {
    List<Command> commands = List.of(
        new Command.CreateNamespace("orders"),
        new Command.DropNamespace("orders"),
        new Command.Put("orders", new byte[] {0, 1, (byte) 0xFF}, "v".getBytes(), ContentType.TEXT, 0),
        new Command.Put("orders", "k".getBytes(), new byte[0], ContentType.OCTET_STREAM, Command.ANY_REVISION),
        new Command.Delete("orders", "k".getBytes(), 12),
        new Command.Compact("orders", new byte[0], 100, 3, Long.MIN_VALUE));
    for (Command c : commands) {
      Command back = CommandCodec.decode(CommandCodec.encode(c));
      assertThat(CommandCodec.encode(back)).isEqualTo(CommandCodec.encode(c));
      assertThat(back.getClass()).isEqualTo(c.getClass());
    }
  }

  @Test
  void decodingRevalidates() {
    byte[] ok = CommandCodec.encode(new Command.CreateNamespace("ok"));
    byte[] bad = ok.clone();
    bad[bad.length - 1] = 'A'; // upper case is not a valid namespace name
    assertThatThrownBy(() -> CommandCodec.decode(bad)).isInstanceOf(AionException.class);
    assertThatThrownBy(() -> CommandCodec.decode(new byte[] {1})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CommandCodec.decode(new byte[] {9, 1})).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructorsRejectBadInput() {
    assertThatThrownBy(() -> new Command.Put("ns", new byte[0], new byte[0], ContentType.TEXT, -1))
        .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_KEY));
    assertThatThrownBy(() -> new Command.Put("ns", new byte[257], new byte[0], ContentType.TEXT, -1))
        .hasMessageContaining("257 bytes");
    assertThatThrownBy(() -> new Command.Put("ns", "k".getBytes(), new byte[4 * 1024 * 1024 + 1], ContentType.TEXT, -1))
        .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VALUE_TOO_LARGE));
    assertThatThrownBy(() -> new Command.CreateNamespace("Bad Name"))
        .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_NAMESPACE));
    new Command.Put("ns", new byte[256], new byte[4 * 1024 * 1024], ContentType.OCTET_STREAM, -1); // limits inclusive
  }
}
