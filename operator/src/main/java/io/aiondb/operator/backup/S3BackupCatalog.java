package io.aiondb.operator.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.operator.api.BackupSpec;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link BackupCatalog} over the S3 API, with the same client settings as the engine's store (path-style when asked,
 * checksums only when required: s3proxy and some S3-compatible stores refuse the SDK's default CRC32 headers). A
 * client per call: the operator lists a store once per restored cluster.
 */
public final class S3BackupCatalog implements BackupCatalog {
  /** {@code backups/<id>/manifest.json} under the prefix; the id as the engine generates them. */
  private static final Pattern MANIFEST = Pattern.compile("backups/([0-9]{8}T[0-9]{6}Z-[0-9a-f]{8})/manifest\\.json");
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Comparator<Stored> ORDER = Comparator.comparing(Stored::createdAt).thenComparing(Stored::id);

  private final Duration timeout;

  public S3BackupCatalog(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public List<Stored> list(BackupSpec.S3 s3, String accessKeyId, String secretAccessKey) throws IOException {
    String where = s3.getBucket() + "/" + s3.getPrefix();
    S3ClientBuilder builder = S3Client.builder()
        .region(Region.of(s3.getRegion() == null ? "us-east-1" : s3.getRegion()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey)))
        .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout))
        .forcePathStyle(Boolean.TRUE.equals(s3.getPathStyle()))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(o -> o.apiCallTimeout(timeout.multipliedBy(3)));
    if (s3.getEndpoint() != null && !s3.getEndpoint().isBlank()) builder.endpointOverride(URI.create(s3.getEndpoint()));
    String base = s3.getPrefix() + "/";
    List<Stored> out = new ArrayList<>();
    try (S3Client client = builder.build()) {
      for (var page : client.listObjectsV2Paginator(r -> r.bucket(s3.getBucket()).prefix(base + "backups/"))) {
        for (S3Object o : page.contents()) {
          Matcher m = MANIFEST.matcher(o.key().substring(base.length()));
          if (!m.matches()) continue; // objects of a backup being written, or not the engine's
          byte[] json = client.getObjectAsBytes(r -> r.bucket(s3.getBucket()).key(o.key())).asByteArray();
          out.add(parse(m.group(1), json, where));
        }
      }
    } catch (SdkException e) {
      throw new IOException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
    }
    out.sort(ORDER);
    return out;
  }

  /** The manifest's id and createdAt; a manifest that is not the engine's is an error naming it, never skipped. */
  static Stored parse(String id, byte[] json, String where) throws IOException {
    String name = where + "/backups/" + id + "/manifest.json";
    JsonNode m;
    try {
      m = JSON.readTree(json);
    } catch (IOException e) {
      throw new IOException(name + " is not JSON: " + e.getMessage());
    }
    if (m == null || !id.equals(m.path("id").asText(null))) {
      throw new IOException(name + " does not name backup " + id + " as its id");
    }
    try {
      return new Stored(id, Instant.parse(m.path("createdAt").asText("")));
    } catch (DateTimeParseException e) {
      throw new IOException(name + " has no valid createdAt (" + m.path("createdAt") + ")");
    }
  }
}
