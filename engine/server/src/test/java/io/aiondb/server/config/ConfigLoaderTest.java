package io.aiondb.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @Test
  void defaults() {
    AionConfig c = AionConfig.defaults();
    assertThat(c.httpPort()).isEqualTo(7070);
    assertThat(c.sync()).isTrue();
    assertThat(c.readCacheBytes()).isEqualTo(32L << 20);
    assertThat(c.historyKeepDuration()).isEqualTo(Duration.ZERO);
    assertThat(c.coldDir()).isNull();
  }

  @Test
  void backupTargetIsOffByDefaultAndCheckedWhenSet() {
    assertThat(AionConfig.defaults().backupTarget()).isNull();
    var t = ConfigLoader.load(new String[] {"--backup.s3.bucket=aion-backups", "--cluster.name=prod"}, Map.of(), null)
        .backupTarget();
    assertThat(t.bucket()).isEqualTo("aion-backups");
    assertThat(t.prefix()).as("defaults to the cluster name").isEqualTo("prod");
    assertThat(t.pathStyle()).isFalse();
    assertThat(t.endpoint()).isEmpty();
    t = ConfigLoader.load(new String[] {"--backup.s3.bucket=b.1-x", "--backup.s3.prefix=team/db/prod",
        "--backup.s3.endpoint=http://minio.storage.svc:9000", "--backup.s3.path-style=true"}, Map.of(), null).backupTarget();
    assertThat(t.prefix()).isEqualTo("team/db/prod");
    var keys = ConfigLoader.load(new String[] {"--backup.s3.bucket=bkt", "--backup.encryption-key-file=/k/new",
        "--backup.encryption-old-key-files=/k/a, /k/b"}, Map.of(), null).backupKeys();
    assertThat(keys.keyFile()).isEqualTo(Path.of("/k/new"));
    assertThat(keys.oldKeyFiles()).containsExactly(Path.of("/k/a"), Path.of("/k/b"));
    assertThat(t.pathStyle()).isTrue();
    for (String[] bad : new String[][] {
        {"--backup.s3.bucket=Upper"}, {"--backup.s3.bucket=ab"}, {"--backup.s3.bucket=-ab"},
        {"--backup.s3.bucket=b", "--backup.s3.prefix=/lead"}, {"--backup.s3.bucket=bkt", "--backup.s3.prefix=trail/"},
        {"--backup.s3.bucket=bkt", "--backup.s3.prefix=a//b"}, {"--backup.s3.bucket=bkt", "--backup.s3.prefix=a/../b c"},
        {"--backup.s3.bucket=bkt", "--backup.s3.endpoint=ftp://host"},
        {"--backup.s3.bucket=bkt", "--backup.s3.endpoint=http://user:secret@host:9000"},
        {"--backup.s3.bucket=bkt", "--backup.s3.endpoint=not a url"},
        {"--backup.s3.bucket=bkt", "--backup.s3.region=Mars 1"},
        {"--backup.s3.endpoint=http://host:9000"}, {"--backup.encryption-key-file=/k"},
        {"--backup.s3.bucket=bkt", "--backup.encryption-old-key-files=/k"},
        {"--backup.s3.bucket=bkt", "--backup.encryption-key-file=/k", "--backup.encryption-old-key-files=/a,b\0c"}}) {
      assertThatThrownBy(() -> ConfigLoader.load(bad, Map.of(), null)).as(String.join(" ", bad))
          .isInstanceOf(ConfigException.class).hasMessageContaining("backup.");
    }
  }

  @Test
  void namedBackupStoresAreReadFromTheirFileAndCheckedLikeTheDefaultOne(@TempDir Path dir) throws Exception {
    assertThat(AionConfig.defaults().backupStores()).isEmpty();
    Path file = dir.resolve("stores.properties");
    Files.writeString(file, "archive.bucket=cold-archive\narchive.endpoint=https://s3.eu-west-1.amazonaws.com\n"
        + "archive.region=eu-west-1\narchive.credentials-dir=/etc/aion-backup-stores/archive\n"
        + "archive.encryption-key-file=/k/archive\noffsite.bucket=offsite\noffsite.path-style=true\n");
    var stores = ConfigLoader.load(new String[] {"--backup.s3.bucket=bkt", "--cluster.name=prod",
        "--backup.stores-file=" + file}, Map.of(), null).backupStores();
    assertThat(stores.keySet()).containsExactly("archive", "offsite");
    var archive = stores.get("archive");
    assertThat(archive.target()).isEqualTo(new io.aiondb.server.backup.BackupTarget("https://s3.eu-west-1.amazonaws.com",
        "cold-archive", "prod", "eu-west-1", false));
    assertThat(archive.credentialsDir()).isEqualTo(Path.of("/etc/aion-backup-stores/archive"));
    assertThat(archive.keys().keyFile()).isEqualTo(Path.of("/k/archive"));
    var offsite = stores.get("offsite");
    assertThat(offsite.target().pathStyle()).isTrue();
    assertThat(offsite.credentialsDir()).as("the default chain").isNull();
    assertThat(offsite.keys()).isNull();

    Map<String, String> bad = new java.util.LinkedHashMap<>();
    bad.put("x.bucket=Upper\n", "x.bucket 'Upper' is not a valid bucket name");
    bad.put("x.endpoint=http://h:9000\n", "x.bucket is required");
    bad.put("x.bucket=bkt\nx.colour=blue\n", "'x.colour' is not <store>.<setting>");
    bad.put("Archive.bucket=bkt\n", "'Archive.bucket' is not <store>.<setting>");
    bad.put("bucket=bkt\n", "'bucket' is not <store>.<setting>");
    bad.put("x.bucket=bkt\nx.prefix=/lead\n", "x.prefix '/lead' must be path segments");
    bad.put("x.bucket=bkt\nx.path-style=yes\n", "x.path-style must be true or false");
    bad.put("x.bucket=bkt\nx.encryption-old-key-files=/k\n", "x.encryption-old-key-files needs");
    bad.put("x.bucket=bkt\nx.endpoint=http://user:pw@h\n", "x.endpoint is not an http(s) URL");
    for (var e : bad.entrySet()) {
      Files.writeString(file, e.getKey());
      assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--backup.s3.bucket=bkt", "--backup.stores-file=" + file},
          Map.of(), null)).as(e.getKey()).isInstanceOf(ConfigException.class)
          .hasMessageContaining("backup.stores-file " + file).hasMessageContaining(e.getValue());
    }
    Files.writeString(file, "x.bucket=bkt\n");
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--backup.stores-file=" + file}, Map.of(), null))
        .hasMessageContaining("backup.stores-file needs backup.s3.bucket");
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--backup.s3.bucket=bkt", "--backup.stores-file="
        + dir.resolve("missing")}, Map.of(), null)).hasMessageContaining("cannot read backup.stores-file");
  }

  @Test
  void encryptionAtRestIsOffByDefaultAndCheckedWhenSet() {
    AionConfig.Encryption off = ConfigLoader.load(new String[0], Map.of(), null).encryption();
    assertThat(off.enabled()).isFalse();
    assertThat(off.rotationPeriod()).isEqualTo(java.time.Duration.ofDays(30));
    AionConfig.Encryption on = ConfigLoader.load(new String[] {"--encryption.key-file=/k/new",
        "--encryption.old-key-files=/k/old1, /k/old2", "--encryption.data-key-rotation-period=0"}, Map.of(), null).encryption();
    assertThat(on.keyFile()).isEqualTo(Path.of("/k/new"));
    assertThat(on.oldKeyFiles()).containsExactly(Path.of("/k/old1"), Path.of("/k/old2"));
    assertThat(on.rotationPeriod()).isZero();
    AionConfig.Encryption openOnly = ConfigLoader.load(new String[] {"--encryption.old-key-files=/k/old"}, Map.of(), null)
        .encryption();
    assertThat(openOnly.keyFile()).isNull();
    assertThat(openOnly.enabled()).as("opens what /k/old sealed").isTrue();
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--encryption.key-file=/k",
        "--encryption.data-key-rotation-period=30s"}, Map.of(), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("at least 1m");
  }

  @Test
  void tracingIsOffUntilAnEndpointIsSetAndItsSettingsAreChecked() {
    AionConfig.Tracing off = ConfigLoader.load(new String[0], Map.of(), null).tracing();
    assertThat(off.enabled()).isFalse();
    assertThat(off.sampleRatio()).isEqualTo(1.0);
    AionConfig.Tracing on = ConfigLoader.load(new String[] {"--tracing.otlp-endpoint=http://collector:4318/v1/traces",
        "--tracing.sample-ratio=0.01"}, Map.of(), null).tracing();
    assertThat(on.otlpEndpoint()).isEqualTo("http://collector:4318/v1/traces");
    assertThat(on.sampleRatio()).isEqualTo(0.01);
    for (var bad : Map.of("--tracing.otlp-endpoint=ftp://x/v1/traces", "not an http or https URL",
        "--tracing.otlp-endpoint=http://", "is not a", "--tracing.otlp-endpoint=http://a b", "not a URL",
        "--tracing.sample-ratio=1.5", "between 0 and 1", "--tracing.sample-ratio=NaN", "between 0 and 1",
        "--tracing.sample-ratio=often", "between 0 and 1", "--tracing.service-name= ", "1-100 characters").entrySet()) {
      assertThatThrownBy(() -> ConfigLoader.load(new String[] {bad.getKey()}, Map.of(), null)).as(bad.getKey())
          .isInstanceOf(ConfigException.class).hasMessageContaining(bad.getValue());
    }
  }

  @Test
  void laterSourcesWin(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("aion.properties");
    Files.writeString(file, "http.port=1111\ncache.size=1MiB\nhistory.keep-versions=5\n");
    AionConfig c = ConfigLoader.load(new String[] {"--config", file.toString(), "--http.port=3333"},
        Map.of("AION_HTTP_PORT", "2222", "AION_CACHE_SIZE", "2MiB", "UNRELATED", "x"), null);
    assertThat(c.httpPort()).isEqualTo(3333);
    assertThat(c.readCacheBytes()).isEqualTo(2L << 20);
    assertThat(c.historyKeepVersions()).isEqualTo(5);
  }

  @Test
  void initialMembersDecideWhoFormsTheCluster() {
    String peers = "--cluster.peers=a-0=h0:7072,a-1=h1:7072,a-2=h2:7072,a-3=h3:7072";
    AionConfig first = ConfigLoader.load(new String[] {"--node.id=a-1", peers, "--cluster.initial-members=a-0, a-1,a-2"},
        Map.of(), null);
    assertThat(first.initialMembers()).containsExactly("a-0", "a-1", "a-2");
    assertThat(first.formsCluster()).isTrue();
    AionConfig added = ConfigLoader.load(new String[] {"--node.id=a-3", peers, "--cluster.initial-members=a-0,a-1,a-2"},
        Map.of(), null);
    assertThat(added.formsCluster()).isFalse();
    AionConfig noBootstrap = ConfigLoader.load(new String[] {"--node.id=a-1", peers,
        "--cluster.initial-members=a-0,a-1,a-2", "--cluster.bootstrap=false"}, Map.of(), null);
    assertThat(noBootstrap.formsCluster()).isFalse();
    AionConfig unset = ConfigLoader.load(new String[] {"--node.id=a-3", peers}, Map.of(), null);
    assertThat(unset.initialMembers()).isEmpty();
    assertThat(unset.formsCluster()).isTrue();
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--node.id=a-1", peers, "--cluster.initial-members=a-0,a-9"},
        Map.of(), null)).isInstanceOf(ConfigException.class).hasMessageContaining("a-9").hasMessageContaining("cluster.peers");
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--node.id=a-1", peers, "--cluster.initial-members=a-0,a-0"},
        Map.of(), null)).isInstanceOf(ConfigException.class).hasMessageContaining("twice");
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--node.id=a-1", peers, "--cluster.initial-members=a-0,,a-1"},
        Map.of(), null)).isInstanceOf(ConfigException.class).hasMessageContaining("cluster.initial-members");
  }

  @Test
  void parsesUnits() {
    assertThat(ConfigLoader.parseSize("x", "512")).isEqualTo(512);
    assertThat(ConfigLoader.parseSize("x", "64KiB")).isEqualTo(64 * 1024);
    assertThat(ConfigLoader.parseSize("x", "2GiB")).isEqualTo(2L << 30);
    assertThat(ConfigLoader.parseDuration("x", "0")).isEqualTo(Duration.ZERO);
    assertThat(ConfigLoader.parseDuration("x", "7d")).isEqualTo(Duration.ofDays(7));
    assertThat(ConfigLoader.parseDuration("x", "250ms")).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void rejectsBadInputWithTheSettingsName() {
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--no.such=1"}, Map.of(), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("no.such");
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--http.port=99999"}, Map.of(), null))
        .hasMessageContaining("http.port");
    assertThatThrownBy(() -> ConfigLoader.load(new String[0], Map.of("AION_STORAGE_SYNC", "maybe"), null))
        .hasMessageContaining("storage.sync");
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--cache.size=lots"}, Map.of(), null))
        .hasMessageContaining("cache.size");
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--history.keep-duration=5"}, Map.of(), null))
        .hasMessageContaining("unit");
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"positional"}, Map.of(), null))
        .hasMessageContaining("positional");
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--http.port"}, Map.of(), null))
        .hasMessageContaining("needs a value");
  }

  @Test
  void configurationDocIsGeneratedFromTheSettings() throws Exception {
    Path doc = Path.of("../../docs/configuration.md");
    assertThat(doc).exists();
    assertThat(Files.readString(doc))
        .as("docs/configuration.md is stale: regenerate with bin/aion-server --config-doc > docs/configuration.md")
        .isEqualTo(Settings.markdown());
  }

  /** Found by ConfigFuzzTest: each of these escaped as a raw exception (a stack trace at start, not a message). */
  @Test
  void hostileValuesAreConfigErrorsNamingTheSetting(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("aion.properties");
    Files.writeString(file, "http.port=7070\\u12\n");
    assertThatThrownBy(() -> ConfigLoader.load(new String[0], Map.of(), file))
        .isInstanceOf(ConfigException.class).hasMessageContaining(file.toString());
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--data.dir=a\0b"}, Map.of(), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("data.dir");
    assertThatThrownBy(() -> ConfigLoader.load(new String[0], Map.of("AION_TLS_CA_FILE", "ca\0.pem"), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("tls.ca-file");
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--history.keep-duration=99999999999999999999d"}, Map.of(), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("history.keep-duration");
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--history.keep-duration=9999999999999999d"}, Map.of(), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("history.keep-duration");
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--request.timeout=9223372036854775807h"}, Map.of(), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("request.timeout");
    // a Duration that exists but overflows toMillis() (found by the config fuzz target in a CI slice)
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--http.read-timeout=799999999999d"}, Map.of(), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.read-timeout");
    assertThat(ConfigLoader.load(new String[] {"--history.keep-duration=36500d"}, Map.of(), null).historyKeepDuration())
        .isEqualTo(java.time.Duration.ofDays(36_500));
  }
}
