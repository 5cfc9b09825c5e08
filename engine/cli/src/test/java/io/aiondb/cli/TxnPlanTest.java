package io.aiondb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The transaction file: what docs/api.md "Transactions" accepts, and clear refusals (unit: no I/O). */
class TxnPlanTest {
  static JsonNode json(String s) throws Exception {
    return Output.JSON.readTree(s);
  }

  @Test
  void theDocumentedTransferParses() throws Exception {
    TxnPlan p = TxnPlan.parse(json("""
        {"namespace": "bank",
         "compare": [{"key": "alice", "target": "modRevision", "op": "eq", "value": 7},
                     {"key": "bob", "target": "modRevision", "value": 8},
                     {"key": "carol", "exists": false},
                     {"namespace": "audit", "key": "last", "target": "value", "op": "!=", "value": {"x": 1}},
                     {"keyBase64": "AAE=", "target": "version", "op": "gt", "value": 0},
                     {"key": "d", "target": "createRevision", "op": "lt", "value": 3}],
         "success": [{"op": "put", "key": "alice", "value": {"balance": 70}},
                     {"op": "put", "key": "note", "text": "hi"},
                     {"op": "put", "namespace": "audit", "key": "raw", "valueBase64": "AAE="},
                     {"op": "delete", "key": "old"}],
         "failure": [{"op": "get", "key": "alice"}, {"op": "range", "prefix": "", "limit": 10},
                     {"op": "range", "start": "a", "end": "m"}]}"""));
    assertThat(p.compares()).hasSize(6);
    assertThat(p.success()).extracting(TxnPlan.Step::kind).containsExactly("put", "put", "put", "delete");
    assertThat(p.success()).extracting(TxnPlan.Step::ns).containsExactly("bank", "bank", "audit", "bank");
    assertThat(p.failure()).extracting(TxnPlan.Step::label).containsExactly("alice", "prefix ''", "[a, m)");
  }

  @Test
  void refusalsNameTheProblem() {
    assertRefused("[]", "invalid transaction: a transaction is a JSON object with compare, success and failure");
    assertRefused("{\"then\": []}", "unknown transaction field 'then'");
    assertRefused("{\"compare\": [{\"key\": \"a\"}]}", "every transaction item needs a namespace");
    assertRefused("{\"namespace\": \"n\", \"compare\": {}}", "'compare' must be an array");
    assertRefused("{\"namespace\": \"n\", \"compare\": [{\"key\": \"a\", \"target\": \"size\", \"value\": 1}]}",
        "unknown compare target 'size'");
    assertRefused("{\"namespace\": \"n\", \"compare\": [{\"key\": \"a\", \"target\": \"version\", \"op\": \"ge\", \"value\": 1}]}",
        "unknown compare op 'ge' (eq, ne, lt, gt)");
    assertRefused("{\"namespace\": \"n\", \"compare\": [{\"key\": \"a\", \"target\": \"version\", \"value\": -1}]}",
        "a version compare needs an integer 'value' >= 0");
    assertRefused("{\"namespace\": \"n\", \"compare\": [{\"key\": \"a\", \"target\": \"value\"}]}",
        "a value compare needs 'value' or 'valueBase64'");
    assertRefused("{\"namespace\": \"n\", \"success\": [{\"op\": \"put\", \"key\": \"a\"}]}",
        "a put needs exactly one of 'value' (JSON), 'text' or 'valueBase64'");
    assertRefused("{\"namespace\": \"n\", \"success\": [{\"op\": \"put\", \"key\": \"a\", \"text\": \"x\", \"value\": 1}]}",
        "a put needs exactly one of");
    assertRefused("{\"namespace\": \"n\", \"success\": [{\"op\": \"merge\", \"key\": \"a\"}]}",
        "unknown operation 'merge' (put, delete, get, range)");
    assertRefused("{\"namespace\": \"n\", \"success\": [{\"op\": \"get\"}]}", "missing 'key' (or 'keyBase64')");
    assertRefused("{\"namespace\": \"n\", \"success\": [{\"op\": \"get\", \"keyBase64\": \"!!\"}]}", "'keyBase64' is not valid base64");
    assertRefused("{\"namespace\": \"n\", \"success\": [{\"op\": \"range\", \"prefix\": \"a\", \"end\": \"b\"}]}",
        "a range takes either prefix or start/end");
  }

  private static void assertRefused(String doc, String message) {
    assertThatThrownBy(() -> TxnPlan.parse(json(doc)))
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode).isEqualTo(ExitCode.USAGE))
        .hasMessageContaining(message);
  }

  @Test
  void prefixEnds() {
    assertThat(TxnPlan.prefixEnd("user/".getBytes(StandardCharsets.UTF_8))).isEqualTo("user0".getBytes(StandardCharsets.UTF_8));
    assertThat(TxnPlan.prefixEnd(new byte[] {1, (byte) 0xFF})).isEqualTo(new byte[] {2});
    assertThat(TxnPlan.prefixEnd(new byte[] {(byte) 0xFF})).isNull();
    assertThat(TxnPlan.prefixEnd(new byte[0])).isNull();
    assertThat(TxnPlan.label(new byte[] {(byte) 0xFF})).isEqualTo("base64:/w==");
  }
}
