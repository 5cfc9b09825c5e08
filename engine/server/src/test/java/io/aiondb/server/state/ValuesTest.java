package io.aiondb.server.state;

import static io.aiondb.server.state.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.ContentType;
import org.junit.jupiter.api.Test;

/** The content rules checked before a write is proposed: what {@code apply} must never meet. */
class ValuesTest {
  private static final ObjectMapper M = new ObjectMapper();

  private static void refused(String json, String... messageParts) {
    assertThatThrownBy(() -> Values.validate(ContentType.JSON, b(json)))
        .isInstanceOfSatisfying(AionException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON);
          assertThat(e.getMessage()).contains(messageParts);
        });
  }

  private static void accepted(String json) {
    assertThatCode(() -> Values.validate(ContentType.JSON, b(json))).doesNotThrowAnyException();
  }

  @Test
  void numbersOutsideTheDoubleRangeAreRefusedWithTheirPlace() {
    refused("{\"age\":1e999}", "1e999", "/age", "64-bit");
    refused("{\"a\":[1,{\"b\":-1e999}]}", "/a/1/b");
    refused("1e309", "the top level");
    refused("{\"n\":" + "9".repeat(400) + "}", "/n"); // an integer too large for a double
    accepted("{\"age\":1.7976931348623157e308,\"small\":-1.7976931348623157e308,\"tiny\":1e-999}");
    accepted("{\"n\":" + "9".repeat(300) + "}"); // large, but a double holds it
  }

  @Test
  void nestingIsLimited() {
    accepted("[".repeat(Values.MAX_JSON_DEPTH) + "]".repeat(Values.MAX_JSON_DEPTH));
    refused("[".repeat(Values.MAX_JSON_DEPTH + 1) + "]".repeat(Values.MAX_JSON_DEPTH + 1), "nested deeper than 100");
    refused("{\"a\":".repeat(Values.MAX_JSON_DEPTH + 1) + "1" + "}".repeat(Values.MAX_JSON_DEPTH + 1), "nested deeper");
  }

  @Test
  void malformedEmptyAndTrailingContentAreRefused() {
    refused("", "empty");
    refused("{\"a\":1} {}", "trailing content");
    refused("{\"a\":NaN}", "not valid JSON");
    refused("{\"a\":", "not valid JSON");
    accepted("\"just a string\"");
    accepted("null");
  }

  /** Regression (value-index fuzz target): an encoded surrogate inside a string value was accepted, then unparsable. */
  @Test
  void invalidUtf8InsideAStringValueIsRefused() {
    byte[] surrogate = {'{', '"', 'a', '"', ':', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'};
    assertThatThrownBy(() -> Values.validate(ContentType.JSON, surrogate))
        .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.getMessage()).contains("UTF-8"));
    byte[] truncated = {'[', '"', (byte) 0xe2, (byte) 0x82, '"', ']'};
    assertThatThrownBy(() -> Values.validate(ContentType.JSON, truncated)).isInstanceOf(AionException.class);
  }

  @Test
  void textMustBeUtf8AndBytesAreOpaque() {
    assertThatThrownBy(() -> Values.validate(ContentType.TEXT, new byte[] {(byte) 0xff}))
        .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    assertThatCode(() -> Values.validate(ContentType.OCTET_STREAM, new byte[] {(byte) 0xff})).doesNotThrowAnyException();
  }

  @Test
  void treesCarriedInARequestFollowTheSameRules() throws Exception {
    assertThatThrownBy(() -> Values.checkTree(M.readTree("{\"x\":[1e999]}"), "the value of a put"))
        .isInstanceOfSatisfying(AionException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON);
          assertThat(e.getMessage()).contains("the value of a put", "/x/0");
        });
    assertThatCode(() -> Values.checkTree(M.readTree("{\"x\":[1e300]}"), "v")).doesNotThrowAnyException();
  }

  @Test
  void commandsAreCheckedPutByPutIncludingTransactionBranches() {
    Command.Txn txn = new Command.Txn(java.util.List.of(), java.util.List.of(),
        java.util.List.of(new TxnOp.Put("n", b("k"), b("{\"v\":1e999}"), ContentType.JSON)));
    assertThatThrownBy(() -> Values.validate(txn)).isInstanceOf(AionException.class);
    assertThatThrownBy(() -> Values.validate(new Command.Put("n", b("k"), b("[1e999]"), ContentType.JSON, -1)))
        .isInstanceOf(AionException.class);
    assertThatCode(() -> Values.validate(new Command.Delete("n", b("k"), -1))).doesNotThrowAnyException();
  }
}
