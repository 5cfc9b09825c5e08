package io.aiondb.server.storage;

/** The column families. */
public enum Cf {
  /** applied index, revision counter, namespaces. */
  META,
  /** the current version of every live key: one point lookup per read. */
  KV,
  /** every retained version, including tombstones. */
  HISTORY,
  /** the change feed: one empty entry per written version, ordered by namespace, revision, key (for watches). */
  CHANGES,
  /** secondary index entries: {@code nsId:u32 | indexId:u32 | encoded value | userKey}, empty value. */
  INDEX
}
