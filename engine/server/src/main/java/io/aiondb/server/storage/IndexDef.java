package io.aiondb.server.storage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A secondary index of a namespace, as stored in the meta column family under {@code idx/<nsId:u32><name>}.
 *
 * @param field   the JSON path of the indexed field, e.g. {@code $.user.age}
 * @param state   {@code BUILDING} while the backfill runs (writes already maintain it, the planner does not use it),
 *                {@code READY}, or {@code FAILED} (a unique index found duplicates while backfilling; see message)
 * @param cursor  the next key the backfill reads (empty: from the start); null once the backfill is done
 */
public record IndexDef(String name, int id, String field, Type type, boolean unique, State state, String message,
    byte[] cursor, long createdMillis) {

  public enum Type { STRING, NUMBER, BOOLEAN, TIMESTAMP }

  public enum State { BUILDING, READY, FAILED }

  private static final byte[] PREFIX = "idx/".getBytes(StandardCharsets.UTF_8);

  /** Indexes that writes keep up to date. */
  public boolean maintained() {
    return state != State.FAILED;
  }

  public boolean sameDefinition(IndexDef o) {
    return field.equals(o.field) && type == o.type && unique == o.unique;
  }

  public IndexDef with(State s, String msg, byte[] cur) {
    return new IndexDef(name, id, field, type, unique, s, msg, cur, createdMillis);
  }

  public static byte[] metaPrefix(int nsId) {
    return ByteBuffer.allocate(PREFIX.length + 4).put(PREFIX).putInt(nsId).array();
  }

  public static byte[] metaKey(int nsId, String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(PREFIX.length + 4 + n.length).put(PREFIX).putInt(nsId).put(n).array();
  }

  /** The namespace id of a meta key made by {@link #metaKey}, or -1 if it is not one. */
  public static int nsOfMetaKey(byte[] key) {
    if (!Keys.startsWith(key, PREFIX) || key.length < PREFIX.length + 4) return -1;
    return ByteBuffer.wrap(key, PREFIX.length, 4).getInt();
  }

  public static byte[] allMetaPrefix() {
    return PREFIX.clone();
  }

  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(1);
      out.writeUTF(name);
      out.writeInt(id);
      out.writeUTF(field);
      out.writeByte(type.ordinal());
      out.writeBoolean(unique);
      out.writeByte(state.ordinal());
      out.writeUTF(message == null ? "" : message);
      out.writeBoolean(cursor != null);
      if (cursor != null) {
        out.writeInt(cursor.length);
        out.write(cursor);
      }
      out.writeLong(createdMillis);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static IndexDef decode(byte[] b) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
      if (in.readByte() != 1) throw new IllegalStateException("unknown index definition format");
      String name = in.readUTF();
      int id = in.readInt();
      String field = in.readUTF();
      Type type = Type.values()[in.readByte()];
      boolean unique = in.readBoolean();
      State state = State.values()[in.readByte()];
      String message = in.readUTF();
      byte[] cursor = in.readBoolean() ? in.readNBytes(in.readInt()) : null;
      long created = in.readLong();
      return new IndexDef(name, id, field, type, unique, state, message.isEmpty() ? null : message, cursor, created);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
