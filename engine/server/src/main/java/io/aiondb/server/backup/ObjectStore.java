package io.aiondb.server.backup;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where backups are kept: a flat space of named, immutable objects (S3 and its kin). Keys are relative to the
 * configured prefix. The backup code needs nothing more than this, so a second kind of store (a directory, GCS) is one
 * more implementation of five calls.
 */
public interface ObjectStore extends AutoCloseable {
  /** One object as a listing shows it. */
  record Entry(String key, long size, Instant lastModified) {}

  /** The object's size, or empty when there is no such object. */
  Optional<Long> size(String key) throws IOException;

  /**
   * Stores {@code length} bytes read from {@code in} under {@code key} (replacing any object there). Memory stays
   * bounded whatever the length: large objects go up in parts.
   */
  void put(String key, InputStream in, long length) throws IOException;

  /** Streams the object; throws {@link java.io.FileNotFoundException} when there is none. */
  InputStream get(String key) throws IOException;

  /** Every object whose key starts with {@code prefix}, in key order. */
  List<Entry> list(String prefix) throws IOException;

  /** Deletes the object; no error when it is already gone. */
  void delete(String key) throws IOException;

  /** A description safe to log and return (no credentials), e.g. {@code s3://bucket/prefix at http://host:port}. */
  String describe();

  @Override
  void close();
}
