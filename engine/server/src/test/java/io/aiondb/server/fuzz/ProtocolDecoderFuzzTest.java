package io.aiondb.server.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.aiondb.server.AionException;
import io.aiondb.server.protocol.ProtocolCodec;
import io.aiondb.server.protocol.Wire;
import java.util.Arrays;

/**
 * The binary protocol's request decoder on hostile bytes. Input: {@code kind:u8 | payload}, as a frame carries them
 * after its id. {@link ProtocolCodec#decode} must return a request or throw {@link Wire.Malformed} (layout) or a 4xx
 * {@link AionException} (content): anything else escaping would close the connection with a 500 or kill the event
 * loop's handler (an {@code IndexOutOfBoundsException}, a {@code NegativeArraySizeException}, an
 * {@code OutOfMemoryError} from a declared length, ...). Seeds: the request vectors of docs/protocol.md.
 */
class ProtocolDecoderFuzzTest {

  @FuzzTest
  void decode(byte[] input) {
    if (input.length == 0) return;
    int kind = input[0] & 0xFF;
    byte[] payload = Arrays.copyOfRange(input, 1, input.length);
    try {
      ProtocolCodec.Request request = ProtocolCodec.decode(kind, payload);
      if (request == null) throw new AssertionError("decode returned null for kind " + kind);
    } catch (Wire.Malformed expected) {
      // layout error: answered with an error frame, then the connection closes
    } catch (AionException e) {
      Invariants.clientError(e);
    }
  }
}
