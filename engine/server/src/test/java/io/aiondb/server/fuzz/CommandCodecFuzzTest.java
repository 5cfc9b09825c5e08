package io.aiondb.server.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.aiondb.server.AionException;
import io.aiondb.server.consensus.raft.EntryCodec;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.CommandCodec;
import io.aiondb.server.state.EntryApplier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The log's byte formats: {@link CommandCodec} (a command, checked by {@code startTransaction} before it enters the
 * log) and {@link EntryCodec} (a log entry, decoded by every replica's {@code applyTransaction}). Input: the bytes of
 * a command or of an entry; both decoders run on it. Each returns a command or throws {@link AionException} or
 * {@link IllegalArgumentException} (the exceptions {@code startTransaction} turns into a rejection); and a command
 * built from the fuzzed fields survives {@code decode(encode(c))} unchanged, as a replica must read back exactly what
 * the leader wrote.
 */
class CommandCodecFuzzTest {

  @FuzzTest
  void decode(byte[] input) {
    try {
      roundTrip(CommandCodec.decode(input));
    } catch (AionException | IllegalArgumentException rejected) {
      // documented rejections
    }
    try {
      EntryCodec.Entry e = EntryCodec.decode(input);
      if (!e.batch()) {
        roundTrip(e.command());
        EntryCodec.Entry again = EntryCodec.decode(EntryCodec.encode(e.timestampMillis(), CommandCodec.encode(e.command())));
        if (again.timestampMillis() != e.timestampMillis()) throw new AssertionError("entry timestamp changed");
      } else {
        // a batch entry: re-encoded from its items, it decodes to the same items
        List<Object> items = new ArrayList<>();
        for (EntryApplier.Item item : e.items()) {
          if (item.command() != null) roundTrip(item.command());
          items.add(item.command() != null ? CommandCodec.encode(item.command()) : item.rejected());
        }
        EntryCodec.Entry again = EntryCodec.decode(EntryCodec.encodeBatch(e.timestampMillis(), items));
        if (again.timestampMillis() != e.timestampMillis() || again.items().size() != e.items().size()) {
          throw new AssertionError("batch entry changed in a round trip");
        }
        for (int i = 0; i < items.size(); i++) {
          EntryApplier.Item a = e.items().get(i);
          EntryApplier.Item b = again.items().get(i);
          if (a.command() != null ? !same(a.command(), b.command()) : !a.rejected().equals(b.rejected())) {
            throw new AssertionError("batch item " + i + " changed in a round trip");
          }
        }
      }
    } catch (AionException | IllegalArgumentException rejected) {
      // documented rejections
    }
    try {
      List<byte[]> proposal = EntryCodec.decodeProposal(input);
      if (!Arrays.equals(EntryCodec.encodeProposal(proposal), input)) throw new AssertionError("proposal changed");
    } catch (IllegalArgumentException rejected) {
      // documented rejection
    }
  }

  /** decode(encode(c)) is c, field by field (records with byte arrays compare by reference, so compare encodings). */
  private static void roundTrip(Command c) {
    byte[] bytes = CommandCodec.encode(c);
    Command back = CommandCodec.decode(bytes);
    if (back.getClass() != c.getClass() || !Arrays.equals(CommandCodec.encode(back), bytes) || !same(c, back)) {
      throw new AssertionError("command changed in a round trip: " + c + " -> " + back);
    }
  }

  private static boolean same(Command a, Command b) {
    return switch (a) {
      case Command.Put p -> b instanceof Command.Put q && p.namespace().equals(q.namespace())
          && Arrays.equals(p.key(), q.key()) && Arrays.equals(p.value(), q.value())
          && p.contentType() == q.contentType() && p.expectedRevision() == q.expectedRevision();
      case Command.Delete d -> b instanceof Command.Delete e && d.namespace().equals(e.namespace())
          && Arrays.equals(d.key(), e.key()) && d.expectedRevision() == e.expectedRevision();
      case Command.Compact c -> b instanceof Command.Compact d && c.namespace().equals(d.namespace())
          && Arrays.equals(c.fromKey(), d.fromKey()) && c.maxKeys() == d.maxKeys()
          && c.keepVersions() == d.keepVersions() && c.cutoffMillis() == d.cutoffMillis();
      case Command.PutAll p -> b instanceof Command.PutAll q && p.namespace().equals(q.namespace())
          && p.items().size() == q.items().size()
          && java.util.stream.IntStream.range(0, p.items().size()).allMatch(i -> Arrays.equals(p.items().get(i).key(),
              q.items().get(i).key()) && Arrays.equals(p.items().get(i).value(), q.items().get(i).value())
              && p.items().get(i).contentType() == q.items().get(i).contentType());
      case Command.AuthWrite w -> b instanceof Command.AuthWrite x && w.key().equals(x.key())
          && Arrays.equals(w.value(), x.value()) && w.ifAbsent() == x.ifAbsent();
      default -> a.equals(b); // the other records hold strings, numbers and lists of records with equals
    };
  }
}
