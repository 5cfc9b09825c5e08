package io.aiondb.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeysTest {
  private static byte[] randomKey(Random r) {
    byte[] k = new byte[1 + r.nextInt(6)];
    for (int i = 0; i < k.length; i++) k[i] = (byte) new int[] {0, 1, 0xFF, 'a', 'b', 0x7F, 0x80}[r.nextInt(7)];
    return k;
  }

  @Test
  void escapedKeysSortLikeRawKeysAndVersionsStayGrouped() {
    Random r = new Random(42);
    for (int round = 0; round < 2000; round++) {
      byte[] a = randomKey(r);
      byte[] b = randomKey(r);
      int raw = Integer.signum(Arrays.compareUnsigned(a, b));
      // every version of a sorts against every version of b the way the raw keys do
      long ra = r.nextLong() & Long.MAX_VALUE;
      long rb = r.nextLong() & Long.MAX_VALUE;
      int hist = Integer.signum(Arrays.compareUnsigned(Keys.history(7, a, ra), Keys.history(7, b, rb)));
      if (raw != 0) assertThat(hist).as("%s vs %s", Arrays.toString(a), Arrays.toString(b)).isEqualTo(raw);
      else assertThat(hist).isEqualTo(Long.signum(Long.compare(ra, rb)));
    }
  }

  @Test
  void historyKeysRoundTrip() {
    Random r = new Random(7);
    for (int i = 0; i < 500; i++) {
      byte[] k = randomKey(r);
      long rev = r.nextLong() & Long.MAX_VALUE;
      byte[] h = Keys.history(3, k, rev);
      assertThat(Keys.userKeyOfHistory(h)).isEqualTo(k);
      assertThat(Keys.revisionOfHistory(h)).isEqualTo(rev);
      assertThat(Keys.nsOf(h)).isEqualTo(3);
      assertThat(Keys.prefixOfHistory(h)).isEqualTo(Keys.historyKeyPrefix(3, k));
    }
  }

  @Test
  void aKeyIsNeverAPrefixOfAnotherKeysHistory() {
    byte[] shortKey = {'a'};
    byte[] longKey = {'a', 0};
    byte[] p = Keys.historyKeyPrefix(1, shortKey);
    assertThat(Keys.startsWith(Keys.history(1, longKey, 5), p)).isFalse();
  }

  @Test
  void currentKeysSortByNamespaceThenKey() {
    List<byte[]> keys = new ArrayList<>(List.of(Keys.current(2, new byte[] {1}), Keys.current(1, new byte[] {(byte) 0xFF}),
        Keys.current(1, new byte[] {0})));
    keys.sort(Arrays::compareUnsigned);
    assertThat(Keys.nsOf(keys.get(0))).isEqualTo(1);
    assertThat(Keys.userKeyOfCurrent(keys.get(0))).isEqualTo(new byte[] {0});
    assertThat(Keys.nsOf(keys.get(2))).isEqualTo(2);
  }

  @Test
  void prefixEnd() {
    assertThat(Keys.prefixEnd(new byte[] {'a', 'b'})).isEqualTo(new byte[] {'a', 'c'});
    assertThat(Keys.prefixEnd(new byte[] {'a', (byte) 0xFF})).isEqualTo(new byte[] {'b'});
    assertThat(Keys.prefixEnd(new byte[] {(byte) 0xFF})).isNull();
  }

  @Test
  void versionRecordRoundTrip() {
    VersionRecord v = new VersionRecord(9, 3, 4, 7, 1_700_000_000_123L, false, ContentType.JSON, "{\"a\":1}".getBytes());
    VersionRecord back = VersionRecord.decodeClear(v.encode());
    assertThat(back.revision()).isEqualTo(9);
    assertThat(back.createRevision()).isEqualTo(3);
    assertThat(back.version()).isEqualTo(4);
    assertThat(back.prevRevision()).isEqualTo(7);
    assertThat(back.timestampMillis()).isEqualTo(1_700_000_000_123L);
    assertThat(back.contentType()).isEqualTo(ContentType.JSON);
    assertThat(back.value()).isEqualTo(v.value());
  }
}
