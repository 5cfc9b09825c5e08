package io.aiondb.server.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A backup's manifest, format 1 (docs/backup.md, docs/design/009-backups.md). Written last, at
 * {@code backups/<id>/manifest.json}: its presence is what makes a backup exist. It lists every file of every Raft
 * group the backup holds, by content hash, so it alone is enough to restore; files are stored once under
 * {@code objects/<sha256>} and shared between backups. It holds no credentials and no key material.
 *
 * @param format        1
 * @param id            the backup id (also its directory name)
 * @param cluster       the cluster's name ({@code cluster.name})
 * @param node          the node that took it
 * @param engineVersion the engine version that took it
 * @param createdAt     when it was started (ISO-8601, UTC)
 * @param completedAt   when its manifest was written
 * @param parent        the previous complete backup when this one started (objects it shares), or null
 * @param encryption    null: objects are stored as they are
 * @param groups        one entry per Raft group, each at its own applied index
 * @param mac           encrypted backups: HMAC-SHA256 of the manifest without this field, under a key derived from the
 *                      key-encryption key (an altered manifest is refused); else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(int format, String id, String cluster, String node, String engineVersion, String createdAt,
    String completedAt, String parent, Encryption encryption, List<Group> groups, String mac) {

  /** The manifest without its {@code mac}: the bytes the MAC is computed over. */
  public byte[] unsignedJson() {
    return new Manifest(format, id, cluster, node, engineVersion, createdAt, completedAt, parent, encryption, groups,
        null).toJson();
  }

  public Manifest withMac(String mac) {
    return new Manifest(format, id, cluster, node, engineVersion, createdAt, completedAt, parent, encryption, groups, mac);
  }

  public static final int FORMAT = 1;
  /**
   * Ids are generated ({@code 20261206T151300Z-7f3a09c2}: the start second and 32 random bits, so that backups started
   * in one second on several nodes do not collide); anything else from a caller is refused.
   */
  public static final Pattern ID = Pattern.compile("[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}");

  /**
   * @param algorithm how objects are encrypted ({@link BackupCrypto#ALGORITHM})
   * @param keyId     which key-encryption key wrapped the data keys (its fingerprint, never the key)
   * @param dataKeys  every data key this backup's files need, by the id of the backup that drew it, wrapped
   */
  public record Encryption(String algorithm, String keyId, java.util.Map<String, String> dataKeys) {}

  /**
   * One Raft group's consistent copy.
   *
   * @param groupId    the Raft group id
   * @param rangeStart first key of the group's range ("" = the start)
   * @param rangeEnd   end of the range, exclusive ("" = the end)
   * @param index      the applied Raft index the copy is at
   * @param term       the term of that entry
   * @param revision   the last revision applied (a restored cluster continues after it)
   * @param keyCount   live keys (all namespaces)
   * @param digest     {@code sha256:} over every stored entry but the applied index and term (see {@code Checkpoints})
   * @param files      the RocksDB files, by name
   */
  public record Group(String groupId, String rangeStart, String rangeEnd, long index, long term, long revision,
      long keyCount, String digest, List<FileRef> files) {
    public long bytes() {
      return files.stream().mapToLong(FileRef::size).sum();
    }
  }

  /**
   * One file of a group's copy.
   *
   * @param size       bytes of the file
   * @param sha256     hex SHA-256 of the file; null when encrypted (the object's name is an HMAC of it instead)
   * @param object     its object's key under the prefix: {@code objects/<sha256>}, or {@code objects/<hmac>} when
   *                   encrypted
   * @param storedSize bytes of the object (equal to size unless encrypted)
   * @param dataKey    encrypted: the id of the backup whose data key encrypted the object (a key of
   *                   {@link Encryption#dataKeys}); else null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FileRef(String name, long size, String sha256, String object, long storedSize, String dataKey) {}

  public long bytes() {
    return groups.stream().mapToLong(Group::bytes).sum();
  }

  public int fileCount() {
    return groups.stream().mapToInt(g -> g.files().size()).sum();
  }

  public static String key(String id) {
    return "backups/" + id + "/manifest.json";
  }

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses and checks a manifest; a damaged or foreign one is refused with a message naming what is wrong. */
  public static Manifest parse(String id, byte[] json) throws IOException {
    Manifest m;
    try {
      m = JSON.readValue(json, Manifest.class);
    } catch (IOException e) {
      throw new IOException("manifest of backup " + id + " is not valid JSON: " + e.getMessage(), e);
    }
    if (m.format() != FORMAT) throw new IOException("manifest of backup " + id + " has format " + m.format()
        + "; this engine reads format " + FORMAT);
    if (!id.equals(m.id())) throw new IOException("manifest at backup " + id + " names backup " + m.id());
    try {
      java.time.Instant.parse(String.valueOf(m.createdAt()));
    } catch (java.time.format.DateTimeParseException e) {
      throw new IOException("manifest of backup " + id + " has no valid createdAt: " + m.createdAt());
    }
    if (m.encryption() != null && (m.mac() == null || !m.mac().matches("[0-9a-f]{64}"))) {
      throw new IOException("manifest of backup " + id + " is encrypted but carries no valid mac");
    }
    if (m.encryption() != null && !BackupCrypto.ALGORITHM.equals(m.encryption().algorithm())) {
      throw new IOException("backup " + id + " is encrypted with " + m.encryption().algorithm() + "; this engine reads "
          + BackupCrypto.ALGORITHM);
    }
    if (m.groups() == null || m.groups().isEmpty()) throw new IOException("manifest of backup " + id + " lists no group");
    for (Group g : m.groups()) {
      if (g.files() == null || g.files().isEmpty()) throw new IOException("manifest of backup " + id + ": group "
          + g.groupId() + " lists no file");
      for (FileRef f : g.files()) {
        if (f.name() == null || !f.name().matches("[A-Za-z0-9._-]{1,200}") || f.name().startsWith(".")) {
          throw new IOException("manifest of backup " + id + " lists a file with an unsafe name: " + f.name());
        }
        boolean hashOk = m.encryption() == null ? f.sha256() != null && f.sha256().matches("[0-9a-f]{64}") : f.sha256() == null;
        if (!hashOk || f.object() == null || !f.object().matches("objects/[0-9a-f]{64}") || f.size() < 0
            || f.storedSize() < f.size()) {
          throw new IOException("manifest of backup " + id + ": file " + f.name() + " has no valid hash, object or size");
        }
        if ((m.encryption() == null) != (f.dataKey() == null)
            || m.encryption() != null && (m.encryption().dataKeys() == null || !m.encryption().dataKeys().containsKey(f.dataKey()))) {
          throw new IOException("manifest of backup " + id + ": file " + f.name() + " names no data key the manifest holds");
        }
      }
    }
    return m;
  }
}
