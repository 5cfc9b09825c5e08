package io.aiondb.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API for the operator's tests: the engine's test store (s3proxy over a directory, bucket
 * {@value #BUCKET}) as a process, started from the engine's build (engine/server/target), as the e2e suite does.
 */
final class S3Store implements AutoCloseable {
  static final String BUCKET = "aion-backups";
  static final String ACCESS_KEY = "test-access-key";
  static final String SECRET_KEY = "test-secret-key-0123456789";

  private final Process process;
  private final String url;
  private final S3Client client;

  private S3Store(Process process, String url) {
    this.process = process;
    this.url = url;
    this.client = S3Client.builder().region(Region.US_EAST_1).endpointOverride(URI.create(url)).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
  }

  static S3Store start() throws IOException {
    Path server = Path.of("").toAbsolutePath().getParent().resolve("engine/server/target");
    Path cp = server.resolve("test-classpath.txt");
    assertThat(cp).as("written by the engine's build (./mvnw -pl engine/server test-compile, or the full build)").exists();
    Path dir = Files.createTempDirectory("operator-s3");
    String jvm = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(jvm, "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
        server.resolve("test-classes") + java.io.File.pathSeparator + Files.readString(cp).trim(),
        "io.aiondb.server.backup.S3ServerMain", dir.resolve("data").toString(), dir.resolve("url").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("s3.log").toFile()).start();
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(dir.resolve("url")) || !p.isAlive());
    assertThat(p.isAlive()).as(() -> "S3ServerMain exited: see " + dir.resolve("s3.log")).isTrue();
    return new S3Store(p, Files.readString(dir.resolve("url")));
  }

  String url() {
    return url;
  }

  void put(String key, String content) {
    client.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromString(content));
  }

  @Override
  public void close() throws InterruptedException {
    client.close();
    process.destroy();
    process.waitFor();
  }
}
