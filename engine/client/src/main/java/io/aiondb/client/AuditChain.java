package io.aiondb.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks the hash chain of a server's audit log (docs/security.md "Audit log"): every record's {@code hash} is the
 * SHA-256 of its line up to and without {@code ,"hash":"…"} (closed with {@code }}), its {@code prev} is the hash of
 * the record before it, and its {@code seq} follows that record's. An edited, inserted, deleted or reordered record
 * breaks the chain at the first record after it. The tail is not protected by the chain (deleting the last records
 * leaves a valid chain): ship records off the node to protect it.
 */
public final class AuditChain {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HASH = ",\"hash\":\"";
  public static final String GENESIS = "0".repeat(64);

  private AuditChain() {}

  /**
   * @param records      records checked
   * @param anchor       the {@code prev} of the first record: {@link #GENESIS} when the files start the log, else the
   *                     hash of a record in an older file not given
   * @param last         the hash of the last record (compare it with a copy kept elsewhere to detect a cut tail)
   * @param error        null when the chain holds, else the first break: file, line and what is wrong
   */
  public record Result(long records, String anchor, String last, String error) {
    public boolean intact() {
      return error == null;
    }
  }

  /** Checks {@code files} as one chain, oldest first (e.g. {@code audit.log.2 audit.log.1 audit.log}). */
  public static Result verify(List<Path> files) throws IOException {
    long records = 0;
    String anchor = null;
    String prev = null;
    long seq = -1;
    for (Path f : files) {
      try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        String line;
        long n = 0;
        while ((line = r.readLine()) != null) {
          n++;
          String where = f + ":" + n;
          int at = line.lastIndexOf(HASH);
          if (at < 0 || !line.endsWith("\"}")) return new Result(records, anchor, prev, where + ": not an audit record");
          String hash = line.substring(at + HASH.length(), line.length() - 2);
          String body = line.substring(0, at) + "}";
          if (!sha256(body.getBytes(StandardCharsets.UTF_8)).equals(hash)) {
            return new Result(records, anchor, prev, where + ": the record does not match its hash (altered)");
          }
          JsonNode rec;
          try {
            rec = JSON.readTree(body);
          } catch (IOException e) {
            return new Result(records, anchor, prev, where + ": not JSON");
          }
          String p = rec.path("prev").asText("");
          long s = rec.path("seq").asLong(-1);
          if (prev == null) {
            anchor = p;
          } else if (!p.equals(prev) || s != seq + 1) {
            return new Result(records, anchor, prev, where + ": record " + s + " does not follow record " + seq
                + " (a record was removed, inserted or moved before it)");
          }
          prev = hash;
          seq = s;
          records++;
        }
      }
    }
    return new Result(records, anchor, prev, null);
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
