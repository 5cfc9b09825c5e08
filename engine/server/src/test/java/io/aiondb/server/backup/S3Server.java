package io.aiondb.server.backup;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API (s3proxy) on a local directory, with signed requests, for the backup tests; {@link #client()} is an
 * SDK client for the test's own looks into the bucket.
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "test-access-key";
  public static final String SECRET_KEY = "test-secret-key-0123456789";
  public static final String BUCKET = "aion-backups";

  private final S3Proxy proxy;
  private final S3Client client;

  public S3Server(Path dir) throws Exception {
    Files.createDirectories(dir);
    proxy = S3Proxy.builder()
        .blobStore(new FilesystemNio2BlobStore(dir.toString()))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .endpoint(URI.create("http://127.0.0.1:0"))
        .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) Thread.onSpinWait();
    client = S3Client.builder()
        .endpointOverride(URI.create(url()))
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .build();
    client.createBucket(r -> r.bucket(BUCKET));
  }

  public String url() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  public S3Client client() {
    return client;
  }

  /** The server flags that point a node at this store. */
  public String[] flags(String prefix) {
    return new String[] {"--backup.s3.bucket=" + BUCKET, "--backup.s3.endpoint=" + url(), "--backup.s3.path-style=true",
        "--backup.s3.prefix=" + prefix};
  }

  public static java.util.Map<String, String> env() {
    return java.util.Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
  }

  @Override
  public void close() throws Exception {
    client.close();
    proxy.stop();
  }
}
