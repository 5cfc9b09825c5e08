package io.aiondb.server.backup;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link S3Server} as a process, for benchmarks and manual runs: {@code S3ServerMain DIR URL_FILE} serves DIR as an
 * S3 API (bucket {@value S3Server#BUCKET}, the test credentials) and writes its URL to URL_FILE; it runs until killed.
 */
public final class S3ServerMain {
  private S3ServerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: S3ServerMain DIR URL_FILE");
      System.exit(2);
    }
    S3Server s3 = new S3Server(Path.of(args[0]));
    Path tmp = Path.of(args[1] + ".tmp");
    Files.writeString(tmp, s3.url());
    Files.move(tmp, Path.of(args[1]), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    new java.util.concurrent.CountDownLatch(1).await();
  }
}
