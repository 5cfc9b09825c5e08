package io.aiondb.client;

import java.util.List;
import java.util.Optional;

/** The answer to a {@link Txn}: which branch ran, the revision its writes got, one result per operation. */
public record TxnResult(boolean succeeded, long revision, List<OpResult> results) {
  public sealed interface OpResult {}

  public record PutResult(long revision, long createRevision, long version) implements OpResult {}

  public record DeleteResult(boolean deleted) implements OpResult {}

  public record GetResult(Optional<KeyValue> value) implements OpResult {}

  public record RangeResult(List<Entry> entries, boolean more) implements OpResult {}

  /** The result of operation {@code i} of the branch that ran. */
  @SuppressWarnings("unchecked")
  public <T extends OpResult> T result(int i) {
    return (T) results.get(i);
  }
}
