package io.aiondb.client;

/** What a {@link PutBatch} wrote: {@code count} keys, all at {@code revision}, committed at {@code timestamp}. */
public record BatchResult(long revision, int count, String timestamp) {}
