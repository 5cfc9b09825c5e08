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

  private static void describedOrListed(String path, JsonNode field, List<String> undescribed, List<String> checked) {
    checked.add(path);
    if (!field.has("description") || field.get("description").asText().isBlank()) undescribed.add(path);
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
        "Version=.status.currentVersion", "Leader=.status.leader", "Phase=.status.phase", "Age=.metadata.creationTimestamp",
        "Updated=.status.updatedReplicas", "Last Backup=.status.lastBackup.completedAt");
    version.get("additionalPrinterColumns").forEach(c -> assertThat(c.path("priority").asInt())
        .as("only the last backup is a -o wide column: %s", c).isEqualTo(c.get("name").asText().equals("Last Backup") ? 1 : 0));
    assertThat(version.at("/subresources/status").isObject()).isTrue();
    assertThat(version.at("/subresources/scale/specReplicasPath").asText()).isEqualTo(".spec.replicas");
    assertThat(version.at("/subresources/scale/statusReplicasPath").asText()).isEqualTo(".status.replicas");
    assertThat(version.at("/subresources/scale/labelSelectorPath").asText()).isEqualTo(".status.selector");
  }

  /**
   * kubectl explain shows these descriptions. Every field of the spec and of the spec's own objects (storage, tls,
   * config entries, pod overrides) has one; the Kubernetes types inside (resources, affinity, tolerations' items...)
   * come from fabric8's model without descriptions and are not checked.
   */
  @Test
  void everySpecFieldIsDescribedAndTyped() {
    JsonNode spec = schema().at("/properties/spec");
    List<String> undescribed = new ArrayList<>();
    List<String> checked = new ArrayList<>();
    spec.get("properties").properties().forEach(f -> {
      assertThat(f.getValue().has("type")).as(f.getKey()).isTrue();
      describedOrListed("spec." + f.getKey(), f.getValue(), undescribed, checked);
    });
    for (String own : List.of("storage", "tls", "pod")) {
      spec.at("/properties/" + own + "/properties").properties()
          .forEach(f -> describedOrListed("spec." + own + "." + f.getKey(), f.getValue(), undescribed, checked));
    }
    spec.at("/properties/config/items/properties").properties()
        .forEach(f -> describedOrListed("spec.config[]." + f.getKey(), f.getValue(), undescribed, checked));
    assertThat(checked).as("fields checked").contains("spec.replicas", "spec.storage.storageClassName", "spec.tls.mode",
        "spec.config[].name", "spec.config[].value", "spec.pod.tolerations", "spec.pod.nodeSelector");
    assertThat(undescribed).as("fields without a description").isEmpty();
    assertThat(spec.at("/properties/replicas/default").asInt()).isEqualTo(3);
    assertThat(schema().at("/properties/status/properties/phase/enum")).extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("Creating", "Running", "Upgrading", "Scaling", "Degraded", "Failed", "Paused");
  }
}
