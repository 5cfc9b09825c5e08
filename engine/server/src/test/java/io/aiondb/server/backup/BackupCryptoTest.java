package io.aiondb.server.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupCryptoTest {
  private static final String HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  @Test
  void keyFilesTakeHexOrBase64AndRefuseAnythingElseWithoutEchoingIt(@TempDir Path dir) throws Exception {
    BackupCrypto.Kek hex = BackupCrypto.load(Files.writeString(dir.resolve("a"), "  " + HEX.toUpperCase() + "\n"));
    BackupCrypto.Kek b64 = BackupCrypto.load(Files.writeString(dir.resolve("b"),
        java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(HEX))));
    assertThat(hex.id()).isEqualTo(b64.id()).matches("kek-[0-9a-f]{16}");
    assertThat(hex.toString()).doesNotContain(HEX.substring(0, 8));
    for (String bad : new String[] {HEX.substring(2), HEX + "00", "not a key at all", "", "AAAA"}) {
      Path f = Files.writeString(dir.resolve("bad"), bad);
      assertThatThrownBy(() -> BackupCrypto.load(f)).isInstanceOf(IOException.class).hasMessageContaining("32 bytes")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(bad.isEmpty() ? "\u0000" : bad));
    }
    Path binary = Files.write(dir.resolve("bin"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
    assertThatThrownBy(() -> BackupCrypto.load(binary)).isInstanceOf(IOException.class);
  }

  @Test
  void dataKeysUnwrapOnlyForTheirBackupAndKey(@TempDir Path dir) throws Exception {
    BackupCrypto.Kek k1 = BackupCrypto.load(Files.writeString(dir.resolve("k1"), HEX));
    BackupCrypto.Kek k2 = BackupCrypto.load(Files.writeString(dir.resolve("k2"), HEX.replace('0', '1')));
    BackupCrypto c1 = new BackupCrypto(k1, List.of());
    byte[] dk = c1.newDataKey();
    String wrapped = c1.wrap(dk, "20261206T151300Z-0001");
    assertThat(c1.unwrap(wrapped, "20261206T151300Z-0001", k1.id())).isEqualTo(dk);
    assertThatThrownBy(() -> c1.unwrap(wrapped, "20261206T151300Z-0002", k1.id())).hasMessageContaining("does not unwrap");
    assertThatThrownBy(() -> c1.unwrap(wrapped, "20261206T151300Z-0001", k2.id())).hasMessageContaining("wrapped by key " + k2.id());
    BackupCrypto rotated = new BackupCrypto(k2, List.of(k1));
    assertThat(rotated.unwrap(wrapped, "20261206T151300Z-0001", k1.id())).isEqualTo(dk);
    String sha = "ab".repeat(32);
    assertThat(rotated.objectName(k2.id(), sha, "b1")).as("another KEK, another name")
        .isNotEqualTo(rotated.objectName(k1.id(), sha, "b1")).matches("objects/[0-9a-f]{64}");
    assertThat(c1.objectName(k1.id(), sha, "b1")).isEqualTo(rotated.objectName(k1.id(), sha, "b1"))
        .as("another data key, another name: one name never holds two ciphertexts")
        .isNotEqualTo(c1.objectName(k1.id(), sha, "b2"));
    assertThatThrownBy(() -> c1.objectName(k2.id(), sha, "b1")).hasMessageContaining(k2.id());
    byte[] manifest = "{\"id\":\"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(c1.manifestMac(k1.id(), manifest)).isEqualTo(rotated.manifestMac(k1.id(), manifest))
        .isNotEqualTo(rotated.manifestMac(k2.id(), manifest))
        .isNotEqualTo(c1.manifestMac(k1.id(), "{\"id\":\"y\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void objectsRoundTripAndFailWhenAlteredTruncatedOrMoved(@TempDir Path dir) throws Exception {
    BackupCrypto c = new BackupCrypto(BackupCrypto.load(Files.writeString(dir.resolve("k"), HEX)), List.of());
    byte[] dk = c.newDataKey();
    for (int size : new int[] {0, 1, (1 << 20) - 100, 3 * (1 << 20) + 17}) {
      byte[] plain = new byte[size];
      new Random(size).nextBytes(plain);
      ByteArrayOutputStream sealed = new ByteArrayOutputStream();
      try (OutputStream out = c.encrypting(dk, sealed, "objects/a")) {
        out.write(plain);
      }
      byte[] ct = sealed.toByteArray();
      assertThat((long) ct.length).isEqualTo(c.ciphertextSize(size));
      assertThat(c.decrypting(dk, new ByteArrayInputStream(ct), "objects/a").readAllBytes()).isEqualTo(plain);
      assertThatThrownBy(() -> c.decrypting(dk, new ByteArrayInputStream(ct), "objects/b").readAllBytes())
          .isInstanceOf(IOException.class);
      byte[] altered = ct.clone();
      altered[altered.length / 2] ^= 1;
      assertThatThrownBy(() -> c.decrypting(dk, new ByteArrayInputStream(altered), "objects/a").readAllBytes())
          .isInstanceOf(IOException.class);
      if (size > 0) {
        byte[] cut = java.util.Arrays.copyOf(ct, ct.length - 1);
        assertThatThrownBy(() -> c.decrypting(dk, new ByteArrayInputStream(cut), "objects/a").readAllBytes())
            .isInstanceOf(IOException.class);
      }
    }
  }
}
