package io.aiondb.server.state;

import io.aiondb.server.storage.ContentType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Binary form of a {@link Command}, as stored in the log. Layout: {@code format:u8 | type:u8 | fields}, strings as
 * modified UTF-8 ({@link DataOutputStream#writeUTF}), byte arrays as {@code length:u32 | bytes}. Decoding re-runs
 * the command constructors' validation.
 */
public final class CommandCodec {
  private static final byte FORMAT = 1;
  private static final byte CREATE_NS = 1;
  private static final byte DROP_NS = 2;
  private static final byte PUT = 3;
  private static final byte DELETE = 4;
  private static final byte COMPACT = 5;

  private CommandCodec() {}

  public static byte[] encode(Command command) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      switch (command) {
        case Command.CreateNamespace c -> {
          out.writeByte(CREATE_NS);
          out.writeUTF(c.name());
        }
        case Command.DropNamespace c -> {
          out.writeByte(DROP_NS);
          out.writeUTF(c.name());
        }
        case Command.Put c -> {
          out.writeByte(PUT);
          out.writeUTF(c.namespace());
          writeBytes(out, c.key());
          out.writeByte(c.contentType().code());
          out.writeLong(c.expectedRevision());
          writeBytes(out, c.value());
        }
        case Command.Delete c -> {
          out.writeByte(DELETE);
          out.writeUTF(c.namespace());
          writeBytes(out, c.key());
          out.writeLong(c.expectedRevision());
        }
        case Command.Compact c -> {
          out.writeByte(COMPACT);
          out.writeUTF(c.namespace());
          writeBytes(out, c.fromKey());
          out.writeInt(c.maxKeys());
          out.writeInt(c.keepVersions());
          out.writeLong(c.cutoffMillis());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static Command decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      byte format = in.readByte();
      if (format != FORMAT) throw new IllegalArgumentException("unknown command format " + format);
      byte type = in.readByte();
      return switch (type) {
        case CREATE_NS -> new Command.CreateNamespace(in.readUTF());
        case DROP_NS -> new Command.DropNamespace(in.readUTF());
        case PUT -> {
          String ns = in.readUTF();
          byte[] key = readBytes(in);
          ContentType ct = ContentType.of(in.readByte());
          long expected = in.readLong();
          yield new Command.Put(ns, key, readBytes(in), ct, expected);
        }
        case DELETE -> new Command.Delete(in.readUTF(), readBytes(in), in.readLong());
        case COMPACT -> new Command.Compact(in.readUTF(), readBytes(in), in.readInt(), in.readInt(), in.readLong());
        default -> throw new IllegalArgumentException("unknown command type " + type);
      };
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated command", e);
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 8 * 1024 * 1024) throw new IOException("bad length " + n);
    return in.readNBytes(n);
  }
}
