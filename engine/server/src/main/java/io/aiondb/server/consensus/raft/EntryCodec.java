package io.aiondb.server.consensus.raft;

import io.aiondb.server.ErrorCode;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.CommandCodec;
import io.aiondb.server.state.EntryApplier;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of what a node proposes and of one Raft log entry.
 *
 * <p><b>Proposal</b> (a Raft client request's message): one command ({@link CommandCodec}'s bytes, which start with
 * its format byte 1), or a batch of commands {@code 0x7B | count:i32 | (length:i32 | command)*}.
 *
 * <p><b>Log entry</b>: format 1 {@code 1 | timestampMillis:i64 | command} holds one command; format 2
 * {@code 2 | timestampMillis:i64 | count:i32 | item*} holds a batch, where an item is {@code 0 | length:i32 | command}
 * or, for a command the leader refused before the log, {@code 1 | codeLength:i32 | code | messageLength:i32 | message}
 * (UTF-8). The leader decides the
 * timestamp (and the refusals) when it appends the entry ({@code startTransaction}); every replica applies the same
 * bytes. A single command is always written in format 1, as before batching existed, so a replica of an older
 * version meets format 2 only under concurrent load (it stops applying until it is upgraded: docs/design/replication.md, "Upgrades").
 */
public final class EntryCodec {
  private static final byte FORMAT = 1;
  private static final byte FORMAT_BATCH = 2;
  /** First byte of a batch proposal; a single command's bytes start with {@link CommandCodec}'s format byte (1). */
  static final byte BATCH_PROPOSAL = 0x7B;
  private static final byte ITEM_COMMAND = 0;
  private static final byte ITEM_REJECTED = 1;

  /** A decoded entry: its commit time and its items (one, for format 1). */
  public record Entry(long timestampMillis, List<EntryApplier.Item> items, boolean batch) {
    /** The command of a format-1 entry. */
    public Command command() {
      if (batch) throw new IllegalStateException("a batch entry has " + items.size() + " commands");
      return items.get(0).command();
    }
  }

  private EntryCodec() {}

  public static byte[] encode(long timestampMillis, byte[] commandBytes) {
    return ByteBuffer.allocate(9 + commandBytes.length).put(FORMAT).putLong(timestampMillis).put(commandBytes).array();
  }

  /** A proposal of several commands (each already encoded). */
  public static byte[] encodeProposal(List<byte[]> commands) {
    int size = 5;
    for (byte[] c : commands) size += 4 + c.length;
    ByteBuffer b = ByteBuffer.allocate(size).put(BATCH_PROPOSAL).putInt(commands.size());
    for (byte[] c : commands) b.putInt(c.length).put(c);
    return b.array();
  }

  public static boolean isBatchProposal(byte[] message) {
    return message.length > 0 && message[0] == BATCH_PROPOSAL;
  }

  /** The commands of a batch proposal, still encoded. Throws {@link IllegalArgumentException} when malformed. */
  public static List<byte[]> decodeProposal(byte[] message) {
    ByteBuffer b = ByteBuffer.wrap(message);
    if (b.remaining() < 5 || b.get() != BATCH_PROPOSAL) throw new IllegalArgumentException("not a batch proposal");
    int n = b.getInt();
    if (n < 1 || n > b.remaining() / 4) throw new IllegalArgumentException("batch proposal with " + n + " commands");
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(readBlock(b));
    if (b.hasRemaining()) throw new IllegalArgumentException("trailing bytes after a batch proposal");
    return out;
  }

  /**
   * A format-2 entry: {@code items} are encoded commands ({@code byte[]}) or the leader's refusals
   * ({@link ApplyResult.Rejected}), in proposal order.
   */
  public static byte[] encodeBatch(long timestampMillis, List<Object> items) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 64 * items.size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT_BATCH);
      out.writeLong(timestampMillis);
      out.writeInt(items.size());
      for (Object item : items) {
        switch (item) {
          case byte[] command -> {
            out.writeByte(ITEM_COMMAND);
            out.writeInt(command.length);
            out.write(command);
          }
          case ApplyResult.Rejected r -> {
            out.writeByte(ITEM_REJECTED);
            writeText(out, r.code().name());
            writeText(out, r.message());
          }
          default -> throw new IllegalArgumentException("not a batch item: " + item.getClass());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeText(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  /**
   * The entry in {@code data}. Throws {@link IllegalArgumentException} for an unknown format or a truncated entry, and
   * what {@link CommandCodec#decode} throws for a command.
   */
  public static Entry decode(byte[] data) {
    if (data.length < 9) throw new IllegalArgumentException("truncated log entry: " + data.length + " bytes, the header is 9");
    ByteBuffer b = ByteBuffer.wrap(data);
    byte f = b.get();
    long ts = b.getLong();
    if (f == FORMAT) {
      byte[] cmd = new byte[b.remaining()];
      b.get(cmd);
      return new Entry(ts, List.of(EntryApplier.Item.of(CommandCodec.decode(cmd))), false);
    }
    if (f != FORMAT_BATCH) throw new IllegalArgumentException("unknown log entry format " + f);
    if (b.remaining() < 4) throw new IllegalArgumentException("truncated batch entry");
    int n = b.getInt();
    if (n < 1 || n > b.remaining() / 5) throw new IllegalArgumentException("batch entry with " + n + " items");
    List<EntryApplier.Item> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (!b.hasRemaining()) throw new IllegalArgumentException("truncated batch entry: item " + i + " of " + n);
      byte kind = b.get();
      if (kind == ITEM_COMMAND) {
        items.add(EntryApplier.Item.of(CommandCodec.decode(readBlock(b))));
      } else if (kind == ITEM_REJECTED) {
        ErrorCode code = ErrorCode.valueOf(readUtf(b));
        items.add(new EntryApplier.Item(null, new ApplyResult.Rejected(code, readUtf(b))));
      } else {
        throw new IllegalArgumentException("unknown batch item kind " + kind);
      }
    }
    if (b.hasRemaining()) throw new IllegalArgumentException("trailing bytes after a batch entry");
    return new Entry(ts, items, true);
  }

  private static byte[] readBlock(ByteBuffer b) {
    if (b.remaining() < 4) throw new IllegalArgumentException("truncated item");
    int len = b.getInt();
    if (len < 0 || len > b.remaining()) throw new IllegalArgumentException("item length " + len + " beyond the data");
    byte[] out = new byte[len];
    b.get(out);
    return out;
  }

  private static String readUtf(ByteBuffer b) {
    return new String(readBlock(b), StandardCharsets.UTF_8);
  }
}
