package io.aiondb.server.fuzz;

import io.aiondb.server.AionException;
import io.aiondb.server.json.Json;
import io.aiondb.server.protocol.ProtocolCodec;
import io.aiondb.server.protocol.Wire;
import io.aiondb.server.state.Command;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.VersionRecord;

/**
 * What a PUT lets into the store. A value is stored as JSON when either transport accepts it as JSON: the binary
 * protocol ({@link ProtocolCodec#decode} of a PUT with content type JSON) or the HTTP API (KvRoutes' check:
 * {@link Json#parse} succeeds on a non-empty body), and {@link Command.Put} accepts it. Whatever either accepts can
 * be in the store, so the fuzz targets check the union.
 */
final class StoredValues {
  private StoredValues() {}

  static boolean acceptedAsJson(byte[] value) {
    return acceptedByProtocol(value) || acceptedByHttp(value);
  }

  static boolean acceptedByProtocol(byte[] value) {
    byte[] payload = new Wire.Writer().string("fuzz").bytes(new byte[] {'k'}).u8(ContentType.JSON.code()).i64(-1)
        .bytes(value).toByteArray();
    try {
      ProtocolCodec.decode(ProtocolCodec.PUT, payload);
      return true;
    } catch (AionException rejected) {
      Invariants.clientError(rejected);
      return false;
    }
  }

  /** The same steps as KvRoutes.put for Content-Type application/json (its content check is {@code Values}). */
  static boolean acceptedByHttp(byte[] value) {
    try {
      io.aiondb.server.state.Values.validate(ContentType.JSON, value);
      new Command.Put("fuzz", new byte[] {'k'}, value, ContentType.JSON, -1);
      return true;
    } catch (AionException rejected) {
      Invariants.clientError(rejected);
      return false;
    }
  }

  /** The version a PUT of these bytes would store: JSON if accepted as JSON, else text if UTF-8, else octets. */
  static VersionRecord stored(byte[] value) {
    ContentType ct = acceptedAsJson(value) ? ContentType.JSON
        : Json.isUtf8(value) ? ContentType.TEXT : ContentType.OCTET_STREAM;
    return new VersionRecord(7, 3, 2, 5, 1767225600000L, false, ct, value);
  }
}
