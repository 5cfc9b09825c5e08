package io.aiondb.server.state;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.VersionRecord;
import java.util.Arrays;

/**
 * One condition of a {@link Command.Txn}, evaluated against the current version of a key when the transaction is
 * applied. An absent key (never written, or deleted) has version, create revision and mod revision 0, so
 * {@code version == 0} means "does not exist". A {@link Target#VALUE} comparison on an absent key is false whatever
 * the operator (there is no value to compare); values compare as unsigned bytes, lexicographically.
 *
 * @param number the operand of a numeric target; ignored for {@link Target#VALUE}
 * @param value  the operand of a {@link Target#VALUE} comparison; null for numeric targets
 */
public record Compare(String namespace, byte[] key, Target target, Op op, long number, byte[] value) {

  public enum Target { VALUE, VERSION, CREATE_REVISION, MOD_REVISION }

  public enum Op { EQ, NE, LT, GT }

  public Compare {
    Command.validateNamespace(namespace);
    Command.validateKey(key);
    if (target == null || op == null) throw new AionException(ErrorCode.BAD_REQUEST, "a compare needs a target and an op");
    if (target == Target.VALUE) {
      if (value == null) throw new AionException(ErrorCode.BAD_REQUEST, "a value compare needs a value");
      Command.validateValue(value);
    } else {
      if (value != null) throw new AionException(ErrorCode.BAD_REQUEST, "only a value compare takes a value operand");
      if (number < 0) throw new AionException(ErrorCode.BAD_REQUEST, target + " compares against a number >= 0");
    }
  }

  public static Compare numeric(String ns, byte[] key, Target target, Op op, long number) {
    return new Compare(ns, key, target, op, number, null);
  }

  public static Compare value(String ns, byte[] key, Op op, byte[] value) {
    return new Compare(ns, key, Target.VALUE, op, 0, value);
  }

  /** @param current the key's live version, or null when it does not exist */
  public boolean holds(VersionRecord current) {
    int cmp;
    if (target == Target.VALUE) {
      if (current == null) return false;
      cmp = Arrays.compareUnsigned(current.value(), value);
    } else {
      long actual = current == null ? 0 : switch (target) {
        case VERSION -> current.version();
        case CREATE_REVISION -> current.createRevision();
        case MOD_REVISION -> current.revision();
        case VALUE -> throw new AssertionError();
      };
      cmp = Long.compare(actual, number);
    }
    return switch (op) {
      case EQ -> cmp == 0;
      case NE -> cmp != 0;
      case LT -> cmp < 0;
      case GT -> cmp > 0;
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Compare c && namespace.equals(c.namespace) && Arrays.equals(key, c.key) && target == c.target
        && op == c.op && number == c.number && Arrays.equals(value, c.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key) * 31 + namespace.hashCode();
  }
}
