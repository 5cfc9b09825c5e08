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

  public static ApplyResult decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      return switch (in.readByte()) {
        case 1 -> new ApplyResult.Written(in.readLong(), in.readLong(), in.readLong(), in.readLong());
        case 2 -> new ApplyResult.Deleted(in.readBoolean(), in.readLong(), in.readLong());
        case 3 -> new ApplyResult.NamespaceCreated(in.readBoolean(), in.readInt(), in.readLong());
        case 4 -> new ApplyResult.NamespaceDropped(in.readBoolean());
        case 5 -> {
          int keys = in.readInt();
          long removed = in.readLong();
          byte[] next = in.readBoolean() ? in.readNBytes(in.readInt()) : null;
          yield new ApplyResult.Compacted(keys, removed, next);
        }
        case 6 -> new ApplyResult.Rejected(ErrorCode.valueOf(in.readUTF()), in.readUTF());
        default -> throw new IllegalArgumentException("unknown apply result");
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
