package io.aiondb.server.consensus.raft;

import io.aiondb.server.ErrorCode;
import io.aiondb.server.state.ApplyResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** {@link ApplyResult}s as they travel back from the leader's state machine to the proposing node. */
public final class ApplyResultCodec {
  private ApplyResultCodec() {}

  public static byte[] encode(ApplyResult r) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      switch (r) {
        case ApplyResult.Written w -> {
          out.writeByte(1);
          out.writeLong(w.revision());
          out.writeLong(w.createRevision());
          out.writeLong(w.version());
          out.writeLong(w.timestampMillis());
        }
        case ApplyResult.Deleted d -> {
          out.writeByte(2);
          out.writeBoolean(d.existed());
          out.writeLong(d.revision());
          out.writeLong(d.timestampMillis());
        }
        case ApplyResult.NamespaceCreated n -> {
          out.writeByte(3);
          out.writeBoolean(n.created());
          out.writeInt(n.id());
          out.writeLong(n.createdMillis());
        }
        case ApplyResult.NamespaceDropped n -> {
          out.writeByte(4);
          out.writeBoolean(n.existed());
        }
        case ApplyResult.AuthWritten a -> {
          out.writeByte(12);
          out.writeBoolean(a.changed());
        }
        case ApplyResult.Compacted c -> {
          out.writeByte(5);
          out.writeInt(c.keysScanned());
          out.writeLong(c.versionsRemoved());
          out.writeBoolean(c.nextKey() != null);
          if (c.nextKey() != null) {
            out.writeInt(c.nextKey().length);
            out.write(c.nextKey());
          }
        }
        case ApplyResult.TxnDone t -> {
          out.writeByte(7);
          out.writeBoolean(t.succeeded());
          out.writeLong(t.revision());
          out.writeLong(t.timestampMillis());
          out.writeInt(t.results().size());
          for (ApplyResult.OpResult op : t.results()) {
            switch (op) {
              case ApplyResult.OpResult.Put p -> {
                out.writeByte(1);
                out.writeLong(p.revision());
                out.writeLong(p.createRevision());
                out.writeLong(p.version());
              }
              case ApplyResult.OpResult.Delete d -> {
                out.writeByte(2);
                out.writeBoolean(d.existed());
              }
              case ApplyResult.OpResult.Get g -> {
                out.writeByte(3);
                writeVersion(out, g.version());
              }
              case ApplyResult.OpResult.Range rg -> {
                out.writeByte(4);
                out.writeBoolean(rg.more());
                out.writeInt(rg.items().size());
                for (ApplyResult.KeyVersion kv : rg.items()) {
                  writeBytes(out, kv.key());
                  writeVersion(out, kv.version());
                }
              }
            }
          }
        }
        case ApplyResult.IndexCreated x -> {
          out.writeByte(8);
          out.writeBoolean(x.created());
          writeBytes(out, x.index().encode());
        }
        case ApplyResult.IndexDropped x -> {
          out.writeByte(9);
          out.writeBoolean(x.existed());
        }
        case ApplyResult.Backfilled x -> {
          out.writeByte(10);
          out.writeInt(x.keys());
          out.writeByte(x.state().ordinal());
        }
        case ApplyResult.BatchWritten x -> {
          out.writeByte(11);
          out.writeLong(x.revision());
          out.writeInt(x.count());
          out.writeLong(x.timestampMillis());
        }
        case ApplyResult.Rejected x -> {
          out.writeByte(6);
          out.writeUTF(x.code().name());
          out.writeUTF(x.message());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    return in.readNBytes(in.readInt());
  }

  private static void writeVersion(DataOutputStream out, io.aiondb.server.storage.VersionRecord v) throws IOException {
    out.writeBoolean(v != null);
    if (v != null) writeBytes(out, v.encode());
  }

  private static io.aiondb.server.storage.VersionRecord readVersion(DataInputStream in) throws IOException {
    return in.readBoolean() ? io.aiondb.server.storage.VersionRecord.decodeClear(readBytes(in)) : null;
  }

  /** The results of a batch entry, by position: {@code count:i32 | (length:i32 | result)*}. */
  public static byte[] encodeAll(java.util.List<ApplyResult> results) {
    java.util.List<byte[]> parts = new java.util.ArrayList<>(results.size());
    int size = 4;
    for (ApplyResult r : results) {
      byte[] p = encode(r);
      parts.add(p);
      size += 4 + p.length;
    }
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(size).putInt(parts.size());
    for (byte[] p : parts) b.putInt(p.length).put(p);
    return b.array();
  }

  public static java.util.List<ApplyResult> decodeAll(byte[] data) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data);
    int n = b.getInt();
    if (n < 0 || n > b.remaining() / 4) throw new IllegalArgumentException("batch result with " + n + " results");
    java.util.List<ApplyResult> out = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int len = b.getInt();
      if (len < 0 || len > b.remaining()) throw new IllegalArgumentException("truncated batch result");
      byte[] p = new byte[len];
      b.get(p);
      out.add(decode(p));
    }
    return out;
  }

  public static ApplyResult decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      return switch (in.readByte()) {
        case 1 -> new ApplyResult.Written(in.readLong(), in.readLong(), in.readLong(), in.readLong());
        case 2 -> new ApplyResult.Deleted(in.readBoolean(), in.readLong(), in.readLong());
        case 3 -> new ApplyResult.NamespaceCreated(in.readBoolean(), in.readInt(), in.readLong());
        case 4 -> new ApplyResult.NamespaceDropped(in.readBoolean());
        case 12 -> new ApplyResult.AuthWritten(in.readBoolean());
        case 5 -> {
          int keys = in.readInt();
          long removed = in.readLong();
          byte[] next = in.readBoolean() ? in.readNBytes(in.readInt()) : null;
          yield new ApplyResult.Compacted(keys, removed, next);
        }
        case 6 -> new ApplyResult.Rejected(ErrorCode.valueOf(in.readUTF()), in.readUTF());
        case 7 -> {
          boolean ok = in.readBoolean();
          long rev = in.readLong();
          long ts = in.readLong();
          int n = in.readInt();
          java.util.List<ApplyResult.OpResult> results = new java.util.ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            results.add(switch (in.readByte()) {
              case 1 -> new ApplyResult.OpResult.Put(in.readLong(), in.readLong(), in.readLong());
              case 2 -> new ApplyResult.OpResult.Delete(in.readBoolean());
              case 3 -> new ApplyResult.OpResult.Get(readVersion(in));
              case 4 -> {
                boolean more = in.readBoolean();
                int m = in.readInt();
                java.util.List<ApplyResult.KeyVersion> items = new java.util.ArrayList<>(m);
                for (int j = 0; j < m; j++) items.add(new ApplyResult.KeyVersion(readBytes(in), readVersion(in)));
                yield new ApplyResult.OpResult.Range(items, more);
              }
              default -> throw new IllegalArgumentException("unknown operation result");
            });
          }
          yield new ApplyResult.TxnDone(ok, rev, ts, results);
        }
        case 8 -> new ApplyResult.IndexCreated(in.readBoolean(), io.aiondb.server.storage.IndexDef.decode(readBytes(in)));
        case 9 -> new ApplyResult.IndexDropped(in.readBoolean());
        case 10 -> new ApplyResult.Backfilled(in.readInt(), io.aiondb.server.storage.IndexDef.State.values()[in.readByte()]);
        case 11 -> new ApplyResult.BatchWritten(in.readLong(), in.readInt(), in.readLong());
        default -> throw new IllegalArgumentException("unknown apply result");
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
