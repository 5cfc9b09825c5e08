package io.aiondb.client;

/** What a put or delete returned. For a delete of an absent key, {@code applied} is false. */
public record WriteResult(boolean applied, long revision, long createRevision, long version, String timestamp) {}
