package io.aiondb.server.storage;

import java.util.Arrays;

/** A byte array with value equality and unsigned lexicographic order, for maps and caches. */
public record ByteKey(byte[] bytes) implements Comparable<ByteKey> {
  @Override
  public boolean equals(Object o) {
    return o instanceof ByteKey k && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(ByteKey o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public String toString() {
    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }
}
