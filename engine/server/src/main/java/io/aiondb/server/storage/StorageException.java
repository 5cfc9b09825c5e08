package io.aiondb.server.storage;

/** RocksDB failed. The store stops accepting writes after one of these on the write path. */
public class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
