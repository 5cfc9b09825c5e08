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
  private static final byte TXN = 6;
  private static final byte CREATE_INDEX = 7;
  private static final byte DROP_INDEX = 8;
  private static final byte BACKFILL_INDEX = 9;
  private static final byte PUT_ALL = 10;
  private static final byte AUTH_WRITE = 11;

  private CommandCodec() {}

  public static byte[] encode(Command command) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(command instanceof Command.PutAll p ? sizeOf(p) : 64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      switch (command) {
        case Command.AuthWrite c -> {
          out.writeByte(AUTH_WRITE);
          out.writeUTF(c.key());
          out.writeBoolean(c.ifAbsent());
          out.writeBoolean(c.value() != null);
          if (c.value() != null) writeBytes(out, c.value());
        }
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
        case Command.Txn c -> {
          out.writeByte(TXN);
          out.writeShort(c.compares().size());
          for (Compare cmp : c.compares()) {
            out.writeUTF(cmp.namespace());
            writeBytes(out, cmp.key());
            out.writeByte(cmp.target().ordinal());
            out.writeByte(cmp.op().ordinal());
            out.writeLong(cmp.number());
            out.writeBoolean(cmp.value() != null);
            if (cmp.value() != null) writeBytes(out, cmp.value());
          }
          writeOps(out, c.success());
          writeOps(out, c.failure());
        }
        case Command.CreateIndex c -> {
          out.writeByte(CREATE_INDEX);
          out.writeUTF(c.namespace());
          out.writeUTF(c.name());
          out.writeUTF(c.field());
          out.writeByte(c.type().ordinal());
          out.writeBoolean(c.unique());
        }
        case Command.DropIndex c -> {
          out.writeByte(DROP_INDEX);
          out.writeUTF(c.namespace());
          out.writeUTF(c.name());
        }
        case Command.PutAll c -> {
          out.writeByte(PUT_ALL);
          out.writeUTF(c.namespace());
          out.writeInt(c.items().size());
          for (Command.PutAll.Item item : c.items()) {
            writeBytes(out, item.key());
            out.writeByte(item.contentType().code());
            writeBytes(out, item.value());
          }
        }
        case Command.BackfillIndex c -> {
          out.writeByte(BACKFILL_INDEX);
          out.writeUTF(c.namespace());
          out.writeUTF(c.name());
          out.writeInt(c.indexId());
          out.writeInt(c.maxKeys());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The encoded size of a batch (one allocation instead of a doubling series for megabytes). */
  private static int sizeOf(Command.PutAll p) {
    long n = 2 + 2 + p.namespace().length() * 3L + 4;
    for (Command.PutAll.Item item : p.items()) n += 9 + item.key().length + item.value().length;
    return (int) Math.min(n, Integer.MAX_VALUE - 8);
  }

  /**
   * The command in {@code data}. Throws {@link IllegalArgumentException} for bytes that are not a command of this
   * format (unknown format, type or enum value, a bad length, truncated), and what the command's constructor throws
   * ({@link io.aiondb.server.AionException}, {@link IllegalArgumentException}) for fields it rejects.
   */
  public static Command decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      byte format = in.readByte();
      if (format != FORMAT) throw new IllegalArgumentException("unknown command format " + format);
      byte type = in.readByte();
      return switch (type) {
        case AUTH_WRITE -> {
          String key = in.readUTF();
          boolean ifAbsent = in.readBoolean();
          yield new Command.AuthWrite(key, in.readBoolean() ? readBytes(in) : null, ifAbsent);
        }
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
        case TXN -> {
          int n = in.readUnsignedShort();
          if (n > Command.MAX_TXN_COMPARES) throw new IllegalArgumentException("too many compares: " + n);
          java.util.List<Compare> compares = new java.util.ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            String ns = in.readUTF();
            byte[] key = readBytes(in);
            Compare.Target target = enumAt(Compare.Target.values(), in.readByte());
            Compare.Op op = enumAt(Compare.Op.values(), in.readByte());
            long number = in.readLong();
            byte[] value = in.readBoolean() ? readBytes(in) : null;
            compares.add(new Compare(ns, key, target, op, number, value));
          }
          yield new Command.Txn(compares, readOps(in), readOps(in));
        }
        case CREATE_INDEX -> new Command.CreateIndex(in.readUTF(), in.readUTF(), in.readUTF(),
            enumAt(io.aiondb.server.storage.IndexDef.Type.values(), in.readByte()), in.readBoolean());
        case DROP_INDEX -> new Command.DropIndex(in.readUTF(), in.readUTF());
        case BACKFILL_INDEX -> new Command.BackfillIndex(in.readUTF(), in.readUTF(), in.readInt(), in.readInt());
        case PUT_ALL -> {
          String ns = in.readUTF();
          int n = in.readInt();
          if (n < 0 || n > Command.MAX_BATCH_ITEMS) throw new IllegalArgumentException("bad batch size " + n);
          java.util.List<Command.PutAll.Item> items = new java.util.ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            byte[] key = readBytes(in);
            ContentType ct = ContentType.of(in.readByte());
            items.add(new Command.PutAll.Item(key, readBytes(in), ct));
          }
          yield new Command.PutAll(ns, items);
        }
        default -> throw new IllegalArgumentException("unknown command type " + type);
      };
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated command", e);
    }
  }

  private static final byte OP_PUT = 1;
  private static final byte OP_DELETE = 2;
  private static final byte OP_GET = 3;
  private static final byte OP_RANGE = 4;

  private static void writeOps(DataOutputStream out, java.util.List<TxnOp> ops) throws IOException {
    out.writeShort(ops.size());
    for (TxnOp op : ops) {
      switch (op) {
        case TxnOp.Put p -> {
          out.writeByte(OP_PUT);
          out.writeUTF(p.namespace());
          writeBytes(out, p.key());
          out.writeByte(p.contentType().code());
          writeBytes(out, p.value());
        }
        case TxnOp.Delete d -> {
          out.writeByte(OP_DELETE);
          out.writeUTF(d.namespace());
          writeBytes(out, d.key());
        }
        case TxnOp.Get g -> {
          out.writeByte(OP_GET);
          out.writeUTF(g.namespace());
          writeBytes(out, g.key());
        }
        case TxnOp.Range r -> {
          out.writeByte(OP_RANGE);
          out.writeUTF(r.namespace());
          writeBytes(out, r.from());
          out.writeBoolean(r.to() != null);
          if (r.to() != null) writeBytes(out, r.to());
          out.writeInt(r.limit());
        }
      }
    }
  }

  private static java.util.List<TxnOp> readOps(DataInputStream in) throws IOException {
    int n = in.readUnsignedShort();
    if (n > Command.MAX_TXN_OPS) throw new IllegalArgumentException("too many operations: " + n);
    java.util.List<TxnOp> ops = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte type = in.readByte();
      ops.add(switch (type) {
        case OP_PUT -> {
          String ns = in.readUTF();
          byte[] key = readBytes(in);
          ContentType ct = ContentType.of(in.readByte());
          yield new TxnOp.Put(ns, key, readBytes(in), ct);
        }
        case OP_DELETE -> new TxnOp.Delete(in.readUTF(), readBytes(in));
        case OP_GET -> new TxnOp.Get(in.readUTF(), readBytes(in));
        case OP_RANGE -> {
          String ns = in.readUTF();
          byte[] from = readBytes(in);
          byte[] to = in.readBoolean() ? readBytes(in) : null;
          yield new TxnOp.Range(ns, from, to, in.readInt());
        }
        default -> throw new IllegalArgumentException("unknown transaction operation " + type);
      });
    }
    return ops;
  }

  private static <E extends Enum<E>> E enumAt(E[] values, byte ordinal) {
    if (ordinal < 0 || ordinal >= values.length) throw new IllegalArgumentException("bad enum value " + ordinal);
    return values[ordinal];
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
