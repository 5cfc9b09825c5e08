package io.aiondb.server.watch;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.state.Command;
import io.aiondb.server.storage.Keys;

/**
 * What to watch: one key ({@code prefix=false}) or every key starting with {@code key} (an empty prefix is the whole
 * namespace), from {@code fromRevision} inclusive (0: only changes after the watch starts).
 */
public record WatchSpec(String namespace, byte[] key, boolean prefix, long fromRevision) {
  public WatchSpec {
    Command.validateNamespace(namespace);
    if (key == null) throw new AionException(ErrorCode.BAD_REQUEST, "a watch needs a key or a prefix");
    if (prefix ? key.length > Keys.MAX_KEY_BYTES : key.length == 0 || key.length > Keys.MAX_KEY_BYTES) {
      Command.validateKey(key);
    }
    if (fromRevision < 0) throw new AionException(ErrorCode.BAD_REQUEST, "fromRevision must be >= 0");
  }

  boolean matches(byte[] userKey) {
    return prefix ? Keys.startsWith(userKey, key) : java.util.Arrays.equals(userKey, key);
  }
}
