package io.aiondb.server.consensus.raft;

import io.aiondb.server.state.Command;
import io.aiondb.server.state.CommandCodec;
import java.nio.ByteBuffer;

/**
 * The bytes of one Raft log entry: {@code format:u8 | timestampMillis:i64 | command}. The leader decides the
 * timestamp when it appends the entry ({@code startTransaction}); every replica applies the same bytes.
 */
public final class EntryCodec {
  private static final byte FORMAT = 1;

  public record Entry(long timestampMillis, Command command) {}

  private EntryCodec() {}

  public static byte[] encode(long timestampMillis, byte[] commandBytes) {
    return ByteBuffer.allocate(9 + commandBytes.length).put(FORMAT).putLong(timestampMillis).put(commandBytes).array();
  }

  /**
   * The entry in {@code data}. Throws {@link IllegalArgumentException} for an unknown format or fewer than the 9
   * header bytes, and what {@link CommandCodec#decode} throws for the command.
   */
  public static Entry decode(byte[] data) {
    if (data.length < 9) throw new IllegalArgumentException("truncated log entry: " + data.length + " bytes, the header is 9");
    ByteBuffer b = ByteBuffer.wrap(data);
    byte f = b.get();
    if (f != FORMAT) throw new IllegalArgumentException("unknown log entry format " + f);
    long ts = b.getLong();
    byte[] cmd = new byte[b.remaining()];
    b.get(cmd);
    return new Entry(ts, CommandCodec.decode(cmd));
  }
}
