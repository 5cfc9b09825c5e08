package io.aiondb.server.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Retention and sweep choices against their rules, over many random histories of backups and objects (seeded: a
 * failure prints the seed and case). Each property is checked from the inputs, not by re-running the algorithm.
 */
class BackupRetentionTest {
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  @Test
  void retentionExpiresExactlyWhatItsRulesSayAndNeverTheNewestMinKeep() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    for (int c = 0; c < 5000; c++) {
      List<Manifest> backups = new ArrayList<>();
      Instant t = NOW.minus(Duration.ofDays(rnd.nextInt(60)));
      int n = rnd.nextInt(15);
      for (int i = 0; i < n; i++) {
        t = t.plus(Duration.ofMinutes(1 + rnd.nextInt(3 * 24 * 60)));
        if (t.isAfter(NOW)) t = NOW;
        backups.add(manifest(String.format("20260101T000000Z-%08x", i), t));
      }
      int keepLast = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(8);
      Duration maxAge = rnd.nextBoolean() ? null : Duration.ofHours(1 + rnd.nextInt(24 * 20));
      if (keepLast == 0 && maxAge == null) keepLast = 3;
      int minKeep = rnd.nextInt(4);
      String where = "seed " + seed + " case " + c + ": keepLast " + keepLast + " maxAge " + maxAge + " minKeep " + minKeep;

      List<String> expired = Backups.expired(backups, keepLast, maxAge, minKeep, NOW);
      assertThat(new HashSet<>(expired)).as(where).hasSameSizeAs(expired);
      for (int age = 0; age < n; age++) { // age 0 = the newest
        Manifest m = backups.get(n - 1 - age);
        boolean overCount = keepLast > 0 && age >= keepLast;
        boolean tooOld = maxAge != null && Instant.parse(m.createdAt()).isBefore(NOW.minus(maxAge));
        boolean shouldExpire = age >= minKeep && (overCount || tooOld);
        assertThat(expired.contains(m.id())).as(where + ": backup of age rank " + age).isEqualTo(shouldExpire);
      }
      int kept = n - expired.size();
      assertThat(kept).as(where).isGreaterThanOrEqualTo(Math.min(n, minKeep));
      if (keepLast > 0) assertThat(kept).as(where).isLessThanOrEqualTo(Math.max(keepLast, minKeep));
    }
  }

  @Test
  void theSweepTakesOnlyUnnamedObjectsOlderThanTheGracePeriod() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    for (int c = 0; c < 5000; c++) {
      List<ObjectStore.Entry> objects = new ArrayList<>();
      Set<String> marked = new HashSet<>();
      int n = rnd.nextInt(30);
      for (int i = 0; i < n; i++) {
        String key = "objects/" + i;
        Instant modified = rnd.nextInt(10) == 0 ? null : NOW.minus(Duration.ofMinutes(rnd.nextInt(5 * 24 * 60)));
        objects.add(new ObjectStore.Entry(key, rnd.nextInt(1000), modified));
        if (rnd.nextBoolean()) marked.add(key);
      }
      Duration grace = Duration.ofMinutes(1 + rnd.nextInt(3 * 24 * 60));
      String where = "seed " + seed + " case " + c + ": grace " + grace;
      Set<String> swept = new HashSet<>();
      for (ObjectStore.Entry e : Backups.sweepable(marked, objects, NOW, grace)) swept.add(e.key());
      for (ObjectStore.Entry e : objects) {
        boolean old = e.lastModified() != null && e.lastModified().isBefore(NOW.minus(grace));
        assertThat(swept.contains(e.key())).as(where + ": " + e + " marked " + marked.contains(e.key()))
            .isEqualTo(!marked.contains(e.key()) && old);
      }
    }
  }

  private static Manifest manifest(String id, Instant created) {
    return new Manifest(Manifest.FORMAT, id, "c", "n", "v", created.toString(), created.toString(), null, null,
        List.of(new Manifest.Group("g", "", "", 1, 1, 1, 0, "sha256:" + "0".repeat(64),
            List.of(new Manifest.FileRef("CURRENT", 1, "0".repeat(64), "objects/" + "0".repeat(64), 1, null)))), null);
  }
}
