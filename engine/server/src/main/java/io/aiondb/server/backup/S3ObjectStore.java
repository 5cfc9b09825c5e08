package io.aiondb.server.backup;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} on any S3-compatible service (AWS S3, MinIO, Ceph RGW, s3proxy) through the AWS SDK v2's
 * synchronous client (its async client would bring a second Netty next to Vert.x's). Credentials come from the SDK's
 * default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profile files, web identity, container credentials); they
 * are never logged or returned. Checksums are computed only when an operation requires them, which every
 * S3-compatible server accepts; the backup code checks SHA-256 of every object itself.
 */
public final class S3ObjectStore implements ObjectStore {
  /**
   * Objects larger than this go up in parts of {@link #PART_BYTES}. A request's body is held in memory (one part at
   * most), so that the SDK can send it again on a retry, and it carries its Content-MD5, so that the server refuses a
   * body damaged on the way.
   */
  static final long SINGLE_PUT_MAX = 16L << 20;
  static final int PART_BYTES = 16 << 20;

  private final S3Client s3;
  private final BackupTarget target;

  public S3ObjectStore(BackupTarget target) {
    this(target, null);
  }

  /**
   * @param credentialsDir null: the SDK's default chain; else a directory with the files {@code AWS_ACCESS_KEY_ID}
   *     and {@code AWS_SECRET_ACCESS_KEY} (a mounted Secret), read for every request so that a rotated Secret counts
   */
  public S3ObjectStore(BackupTarget target, java.nio.file.Path credentialsDir) {
    this.target = target;
    var b = S3Client.builder()
        .httpClientBuilder(Apache5HttpClient.builder().maxConnections(8))
        .region(Region.of(target.region()))
        .credentialsProvider(credentialsDir == null ? DefaultCredentialsProvider.builder().build()
            : (software.amazon.awssdk.auth.credentials.AwsCredentialsProvider) () -> fileCredentials(credentialsDir))
        .forcePathStyle(target.pathStyle())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (!target.endpoint().isEmpty()) b.endpointOverride(URI.create(target.endpoint()));
    this.s3 = b.build();
  }

  private static software.amazon.awssdk.auth.credentials.AwsCredentials fileCredentials(java.nio.file.Path dir) {
    return software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(credential(dir, "AWS_ACCESS_KEY_ID"),
        credential(dir, "AWS_SECRET_ACCESS_KEY"));
  }

  private static String credential(java.nio.file.Path dir, String name) {
    try {
      String v = java.nio.file.Files.readString(dir.resolve(name)).trim();
      if (v.isEmpty()) throw new IOException("it is empty");
      return v;
    } catch (IOException e) {
      throw software.amazon.awssdk.core.exception.SdkClientException.create("cannot read the credential file "
          + dir.resolve(name) + " (" + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()) + ")");
    }
  }

  private String full(String key) {
    return target.prefix().isEmpty() ? key : target.prefix() + "/" + key;
  }

  @Override
  public Optional<Long> size(String key) throws IOException {
    try {
      return Optional.of(s3.headObject(r -> r.bucket(target.bucket()).key(full(key))).contentLength());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) return Optional.empty();
      throw failed("HEAD", key, e);
    } catch (SdkException e) {
      throw failed("HEAD", key, e);
    }
  }

  @Override
  public void put(String key, InputStream in, long length) throws IOException {
    try {
      if (length <= SINGLE_PUT_MAX) {
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) throw new IOException("source of " + key + " ended " + (length - body.length) + " bytes early");
        s3.putObject(r -> r.bucket(target.bucket()).key(full(key)).contentMD5(md5(body, body.length)),
            RequestBody.fromBytes(body));
        return;
      }
      String uploadId = s3.createMultipartUpload(r -> r.bucket(target.bucket()).key(full(key))).uploadId();
      try {
        List<CompletedPart> parts = new ArrayList<>();
        byte[] buf = new byte[PART_BYTES];
        long left = length;
        for (int n = 1; left > 0; n++) {
          int size = (int) Math.min(buf.length, left);
          int got = in.readNBytes(buf, 0, size);
          if (got < size) throw new IOException("source of " + key + " ended " + (left - got) + " bytes early");
          int part = n;
          String md5 = md5(buf, size);
          String etag = s3.uploadPart(r -> r.bucket(target.bucket()).key(full(key)).uploadId(uploadId).partNumber(part)
              .contentLength((long) size).contentMD5(md5),
              RequestBody.fromBytes(size == buf.length ? buf : java.util.Arrays.copyOf(buf, size))).eTag();
          parts.add(CompletedPart.builder().partNumber(part).eTag(etag).build());
          left -= size;
        }
        s3.completeMultipartUpload(r -> r.bucket(target.bucket()).key(full(key)).uploadId(uploadId)
            .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
      } catch (IOException | RuntimeException e) {
        try {
          s3.abortMultipartUpload(r -> r.bucket(target.bucket()).key(full(key)).uploadId(uploadId));
        } catch (SdkException abort) {
          e.addSuppressed(abort);
        }
        throw e;
      }
    } catch (SdkException e) {
      throw failed("PUT", key, e);
    }
  }

  @Override
  public InputStream get(String key) throws IOException {
    try {
      return s3.getObject(r -> r.bucket(target.bucket()).key(full(key)));
    } catch (NoSuchKeyException e) {
      throw new FileNotFoundException(describe() + ": no object " + key);
    } catch (SdkException e) {
      throw failed("GET", key, e);
    }
  }

  @Override
  public List<Entry> list(String prefix) throws IOException {
    String base = target.prefix().isEmpty() ? "" : target.prefix() + "/";
    List<Entry> out = new ArrayList<>();
    try {
      for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(target.bucket()).prefix(base + prefix)).contents()) {
        out.add(new Entry(o.key().substring(base.length()), o.size(), o.lastModified()));
      }
    } catch (SdkException e) {
      throw failed("LIST", prefix, e);
    }
    return out;
  }

  @Override
  public void delete(String key) throws IOException {
    try {
      s3.deleteObject(r -> r.bucket(target.bucket()).key(full(key)));
    } catch (SdkException e) {
      throw failed("DELETE", key, e);
    }
  }

  private static String md5(byte[] b, int len) {
    try {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("MD5");
      md.update(b, 0, len);
      return java.util.Base64.getEncoder().encodeToString(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private IOException failed(String op, String key, SdkException e) {
    // the SDK's messages name the bucket, key and status, never the credentials
    return new IOException(op + " " + key + " on " + describe() + " failed: " + e.getMessage(), e);
  }

  @Override
  public String describe() {
    return "s3://" + target.bucket() + (target.prefix().isEmpty() ? "" : "/" + target.prefix())
        + (target.endpoint().isEmpty() ? "" : " at " + target.endpoint());
  }

  @Override
  public void close() {
    s3.close();
  }
}
