package io.aiondb.ycsb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import site.ycsb.ByteIterator;
import site.ycsb.StringByteIterator;

class RecordsTest {
  @Test
  void aRecordIsOneJsonObjectAndReadsBack() throws Exception {
    byte[] json = Records.encode(StringByteIterator.getByteIteratorMap(Map.of("field0", "a\"b\\c", "field1", "plain")));
    assertThat(new ObjectMapper().readTree(json).path("field0").asText()).isEqualTo("a\"b\\c");
    Map<String, ByteIterator> out = new HashMap<>();
    Records.decode(json, Set.of("field1"), out);
    assertThat(StringByteIterator.getStringMap(out)).containsExactlyEntriesOf(Map.of("field1", "plain"));
    out.clear();
    Records.decode(new ObjectMapper().readTree(json), null, out);
    assertThat(StringByteIterator.getStringMap(out)).containsOnlyKeys("field0", "field1");
  }

  @Test
  void mergeOverwritesOnlyTheGivenFields() {
    byte[] stored = Records.encodeStrings(Map.of("field0", "old0", "field1", "old1"));
    byte[] merged = Records.merge(stored, StringByteIterator.getByteIteratorMap(Map.of("field1", "new1")));
    assertThat(Records.decodeStrings(merged)).containsExactlyInAnyOrderEntriesOf(Map.of("field0", "old0", "field1", "new1"));
    assertThat(new String(merged, StandardCharsets.UTF_8)).startsWith("{").endsWith("}");
  }
}
