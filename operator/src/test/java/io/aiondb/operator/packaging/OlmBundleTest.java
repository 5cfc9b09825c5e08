package io.aiondb.operator.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OLM bundle: CSV content against the generated CRD and the chart's RBAC, bundle metadata. */
class OlmBundleTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private JsonNode csv;
  private JsonNode crd;

  @BeforeEach
  void load() throws Exception {
    csv = YAML.readTree(Repo.bundle().resolve("manifests/aion-operator.clusterserviceversion.yaml").toFile());
    crd = YAML.readTree(Repo.crd().toFile());
  }

  @Test
  void everyCrdInTheBundleIsOwnedAndEqualsTheGeneratedOne() throws Exception {
    List<Path> crds;
    try (Stream<Path> files = Files.list(Repo.bundle().resolve("manifests"))) {
      crds = files.filter(p -> !p.getFileName().toString().contains("clusterserviceversion")).toList();
    }
    assertThat(crds.stream().map(p -> p.getFileName().toString()).sorted())
        .containsExactlyElementsOf(Repo.crds().stream().map(p -> p.getFileName().toString()).toList());
    JsonNode owned = csv.at("/spec/customresourcedefinitions/owned");
    assertThat(owned).hasSize(crds.size());
    for (Path committed : Repo.crds()) {
      assertThat(Files.readString(Repo.bundle().resolve("manifests").resolve(committed.getFileName())))
          .isEqualTo(Files.readString(committed));
      JsonNode def = YAML.readTree(committed.toFile());
      List<JsonNode> matching = new ArrayList<>();
      owned.forEach(o -> { if (o.get("name").asText().equals(def.at("/metadata/name").asText())) matching.add(o); });
      assertThat(matching).as("owned entry for %s", committed.getFileName()).singleElement().satisfies(o -> {
        assertThat(o.get("kind").asText()).isEqualTo(def.at("/spec/names/kind").asText());
        assertThat(o.get("version").asText()).isEqualTo(def.at("/spec/versions/0/name").asText());
        assertThat(o.get("displayName").asText()).isNotBlank();
        assertThat(o.get("description").asText()).isNotBlank();
      });
    }
  }

  @Test
  void descriptorsPointAtRealSchemaFields() {
    JsonNode owned = csv.at("/spec/customresourcedefinitions/owned/0");
    JsonNode schema = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties");
    List<String> missing = new ArrayList<>();
    for (String section : List.of("spec", "status")) {
      JsonNode descriptors = owned.get(section + "Descriptors");
      assertThat(descriptors).as(section + "Descriptors").isNotEmpty();
      for (JsonNode d : descriptors) {
        JsonNode node = schema.get(section);
        for (String part : d.get("path").asText().split("\\.")) {
          node = node.path("properties").path(part);
        }
        if (node.isMissingNode()) {
          missing.add(section + "." + d.get("path").asText());
        }
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void permissionsEqualTheChart() throws Exception {
    JsonNode permissions = csv.at("/spec/install/spec/clusterPermissions");
    assertThat(permissions).hasSize(1);
    List<PolicyRule> rules = Arrays.asList(new ObjectMapper().treeToValue(permissions.get(0).get("rules"), PolicyRule[].class));
    Set<Rule> bundle = Rule.expand(rules);
    assertThat(Rule.sorted(bundle)).isEqualTo(Rule.sorted(Chart.clusterRules()));
    String account = permissions.get(0).get("serviceAccountName").asText();
    assertThat(csv.at("/spec/install/spec/deployments/0/spec/template/spec/serviceAccountName").asText()).isEqualTo(account);
    // namespaced permissions (the operator's own namespace): the chart's leader-election Role
    JsonNode own = csv.at("/spec/install/spec/permissions");
    assertThat(own).hasSize(1);
    assertThat(own.get(0).get("serviceAccountName").asText()).isEqualTo(account);
    assertThat(Rule.sorted(Rule.expand(Arrays.asList(new ObjectMapper().treeToValue(own.get(0).get("rules"), PolicyRule[].class)))))
        .isEqualTo(Rule.sorted(Chart.leaderElectionRules()));
  }

  @Test
  void imageInstallModesIconAndExamplesAreSet() throws Exception {
    String image = csv.at("/spec/install/spec/deployments/0/spec/template/spec/containers/0/image").asText();
    assertThat(image).matches("[a-z0-9./-]+/aion-operator:" + csv.at("/spec/version").asText());
    assertThat(csv.at("/metadata/annotations/containerImage").asText()).isEqualTo(image);
    assertThat(csv.at("/metadata/name").asText()).isEqualTo("aion-operator.v" + csv.at("/spec/version").asText());
    List<String> modes = new ArrayList<>();
    csv.at("/spec/installModes").forEach(m -> modes.add(m.get("type").asText() + "=" + m.get("supported").asBoolean()));
    assertThat(modes).containsExactlyInAnyOrder("OwnNamespace=true", "SingleNamespace=true", "MultiNamespace=true",
        "AllNamespaces=true");
    String svg = new String(Base64.getDecoder().decode(csv.at("/spec/icon/0/base64data").asText()), StandardCharsets.UTF_8);
    assertThat(svg).startsWith("<svg");
    assertThat(csv.at("/spec/icon/0/mediatype").asText()).isEqualTo("image/svg+xml");
    assertThat(csv.at("/spec/description").asText()).contains("AionCluster");
    JsonNode examples = new ObjectMapper().readTree(csv.at("/metadata/annotations/alm-examples").asText());
    List<String> files = List.of("aioncluster.yaml", "aionbackup.yaml", "aionbackupschedule.yaml", "aionuser.yaml");
    assertThat(examples).hasSize(files.size());
    for (int i = 0; i < files.size(); i++) {
      JsonNode docExample = YAML.readTree(Repo.root().resolve("docs/examples").resolve(files.get(i)).toFile());
      assertThat(examples.get(i)).as("alm-examples[%d] is docs/examples/%s", i, files.get(i)).isEqualTo(docExample);
    }
  }

  @Test
  void bundleMetadataNamesTheManifests() throws Exception {
    JsonNode annotations = YAML.readTree(Repo.bundle().resolve("metadata/annotations.yaml").toFile()).get("annotations");
    assertThat(annotations.get("operators.operatorframework.io.bundle.mediatype.v1").asText()).isEqualTo("registry+v1");
    assertThat(annotations.get("operators.operatorframework.io.bundle.manifests.v1").asText()).isEqualTo("manifests/");
    assertThat(annotations.get("operators.operatorframework.io.bundle.package.v1").asText()).isEqualTo("aion-operator");
    assertThat(annotations.get("operators.operatorframework.io.bundle.channel.default.v1").asText())
        .isIn(Arrays.asList(annotations.get("operators.operatorframework.io.bundle.channels.v1").asText().split(",")));
    String dockerfile = Files.readString(Repo.bundle().resolve("bundle.Dockerfile"));
    annotations.properties().forEach(e -> assertThat(dockerfile).contains("LABEL " + e.getKey() + "=" + e.getValue().asText()));
  }
}
