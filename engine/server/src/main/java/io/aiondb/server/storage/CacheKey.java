package io.aiondb.server.storage;

/** Key of the read cache: a user key in a namespace. */
public record CacheKey(int nsId, ByteKey key) {}
