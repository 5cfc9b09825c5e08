package io.aiondb.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.aiondb.operator.packaging.Repo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD (crds/, equal to the generated one: see GeneratedArtifactsIT) read as YAML: names, printer columns,
 * subresources, types. What the API server accepts and rejects is {@link AionClusterValidationTest}'s subject.
 */
class CrdSchemaTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private JsonNode crd;

  @BeforeEach
  void load() throws Exception {
    crd = YAML.readTree(Repo.crd().toFile());
  }

  private JsonNode schema() {
    return crd.at("/spec/versions/0/schema/openAPIV3Schema");
  }

  @Test
  void namesPrinterColumnsAndSubresources() {
    JsonNode spec = crd.get("spec");
    assertThat(spec.at("/group").asText()).isEqualTo("aiondb.io");
    assertThat(spec.at("/scope").asText()).isEqualTo("Namespaced");
    assertThat(spec.at("/names/shortNames/0").asText()).isEqualTo("aion");
    JsonNode version = spec.at("/versions/0");
    assertThat(version.get("name").asText()).isEqualTo("v1alpha1");
    List<String> columns = new ArrayList<>();
    version.get("additionalPrinterColumns").forEach(c -> columns.add(c.get("name").asText() + "=" + c.get("jsonPath").asText()));
    // The generator orders columns by jsonPath (so kubectl shows Age first); the set is what matters.
    assertThat(columns).containsExactlyInAnyOrder("Replicas=.spec.replicas", "Ready=.status.readyReplicas",
        "Version=.status.currentVersion", "Leader=.status.leader", "Phase=.status.phase", "Age=.metadata.creationTimestamp");
    assertThat(version.at("/subresources/status").isObject()).isTrue();
    assertThat(version.at("/subresources/scale/specReplicasPath").asText()).isEqualTo(".spec.replicas");
    assertThat(version.at("/subresources/scale/statusReplicasPath").asText()).isEqualTo(".status.replicas");
    assertThat(version.at("/subresources/scale/labelSelectorPath").asText()).isEqualTo(".status.selector");
  }

  @Test
  void everySpecFieldIsDescribedAndTyped() {
    JsonNode props = schema().at("/properties/spec/properties");
    props.properties().forEach(f -> assertThat(f.getValue().has("type")).as(f.getKey()).isTrue());
    assertThat(props.at("/replicas/default").asInt()).isEqualTo(3);
    assertThat(schema().at("/properties/status/properties/phase/enum")).extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("Creating", "Running", "Upgrading", "Scaling", "Degraded", "Failed", "Paused");
  }
}
