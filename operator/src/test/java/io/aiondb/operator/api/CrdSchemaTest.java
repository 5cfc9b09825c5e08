package io.aiondb.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.operator.packaging.Repo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD (crds/, equal to the generated one: see GeneratedArtifactsIT) accepts good specs and rejects bad
 * ones with a clear message, printer columns and subresources are there.
 */
class CrdSchemaTest {
  private CrdValidator crd;

  @BeforeEach
  void load() throws Exception {
    crd = new CrdValidator(Repo.crd());
  }

  private static ObjectNode cluster(String yamlSpec) throws Exception {
    return (ObjectNode) CrdValidator.YAML.readTree("""
        apiVersion: aiondb.io/v1alpha1
        kind: AionCluster
        metadata: {name: aion, namespace: db}
        spec:
        """ + yamlSpec.indent(2));
  }

  private List<String> errors(String yamlSpec) throws Exception {
    return crd.create(cluster(yamlSpec));
  }

  @Test
  void namesPrinterColumnsAndSubresources() {
    JsonNode spec = crd.crd().get("spec");
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
    JsonNode props = crd.schema().at("/properties/spec/properties");
    props.properties().forEach(f -> assertThat(f.getValue().has("type")).as(f.getKey()).isTrue());
    assertThat(props.at("/replicas/default").asInt()).isEqualTo(3);
    assertThat(crd.schema().at("/properties/status/properties/phase/enum")).extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("Creating", "Running", "Upgrading", "Scaling", "Degraded", "Failed", "Paused");
  }

  @Test
  void theDocumentedExampleIsValid() throws Exception {
    JsonNode example = CrdValidator.YAML.readTree(Repo.root().resolve("docs/examples/aioncluster.yaml").toFile());
    assertThat(crd.create(example)).isEmpty();
    assertThat(example.at("/spec/replicas").asInt()).isEqualTo(3);
  }

  @Test
  void minimalSpecIsValid() throws Exception {
    assertThat(errors("version: 0.1.0")).isEmpty();
    assertThat(errors("""
        version: 1.2.3-rc.1
        replicas: 7
        image: registry.local:5000/aion/server@sha256:abc
        storage: {size: 1.5Ti, storageClassName: fast-ssd, reclaimPolicy: Delete}
        tls: {mode: Secret, secretName: aion-tls}
        pod:
          labels: {team: db}
          nodeSelector: {disk: ssd}
          tolerations: [{key: dedicated, operator: Exists}]
        paused: true
        """)).isEmpty();
  }

  @Test
  void evenOrOutOfRangeReplicasAreRejected() throws Exception {
    assertThat(errors("version: 0.1.0\nreplicas: 4")).singleElement().asString()
        .contains(".spec.replicas", "replicas must be 1, 3, 5 or 7");
    assertThat(errors("version: 0.1.0\nreplicas: 9")).singleElement().asString().contains("less than or equal to 7");
    assertThat(errors("version: 0.1.0\nreplicas: 0")).anySatisfy(e -> assertThat(e).contains("greater than or equal to 1"));
  }

  @Test
  void versionIsRequiredAndSemantic() throws Exception {
    assertThat(errors("replicas: 3")).singleElement().asString().contains(".spec.version: Required value");
    assertThat(errors("version: latest")).singleElement().asString().contains(".spec.version: should match");
  }

  @Test
  void majorDowngradeIsRejectedButMinorDowngradeAndUpgradesPass() throws Exception {
    assertThat(crd.update(cluster("version: 2.1.0"), cluster("version: 1.9.0"))).singleElement().asString()
        .contains("cannot go down a major version");
    assertThat(crd.update(cluster("version: 2.1.0"), cluster("version: 2.0.5"))).isEmpty();
    assertThat(crd.update(cluster("version: 1.9.0"), cluster("version: 10.0.0"))).isEmpty();
  }

  @Test
  void operatorOwnedSettingsAndBadConfigAreRejected() throws Exception {
    assertThat(errors("version: 0.1.0\nconfig: [{name: cache.size, value: 64MiB}]")).isEmpty();
    assertThat(errors("version: 0.1.0\nconfig: [{name: cluster.peers, value: x}]")).singleElement().asString()
        .contains("the operator sets them");
    assertThat(errors("version: 0.1.0\nconfig: [{name: cache.size, value: 1MiB}, {name: cache.size, value: 2MiB}]"))
        .singleElement().asString().contains("config names must be unique");
    assertThat(errors("version: 0.1.0\nconfig: [{name: Cache Size, value: \"1\"}]")).singleElement().asString()
        .contains(".spec.config[0].name: should match");
    assertThat(errors("version: 0.1.0\nconfig: [{name: a.b, value: \"x\\ny\"}]")).singleElement().asString()
        .contains(".spec.config[0].value: should match");
  }

  @Test
  void tlsSecretNameGoesWithModeSecret() throws Exception {
    assertThat(errors("version: 0.1.0\ntls: {mode: Secret}")).singleElement().asString().contains("tls.secretName is required");
    assertThat(errors("version: 0.1.0\ntls: {mode: Disabled, secretName: x}")).singleElement().asString()
        .contains("not allowed with the other modes");
    assertThat(errors("version: 0.1.0\ntls: {mode: Sometimes}")).singleElement().asString().contains("Unsupported value");
  }

  @Test
  void storageIsValidatedAndItsClassIsImmutable() throws Exception {
    assertThat(errors("version: 0.1.0\nstorage: {size: ten gigs}")).singleElement().asString().contains(".spec.storage.size");
    assertThat(errors("version: 0.1.0\nstorage: {reclaimPolicy: Recycle}")).singleElement().asString().contains("Unsupported value");
    assertThat(crd.update(cluster("version: 0.1.0\nstorage: {storageClassName: a}"),
        cluster("version: 0.1.0\nstorage: {storageClassName: b}"))).singleElement().asString()
        .contains("storageClassName cannot change");
  }

  @Test
  void selectorLabelsCannotBeOverriddenAndUnknownFieldsAreRejected() throws Exception {
    assertThat(errors("version: 0.1.0\npod: {labels: {app.kubernetes.io/instance: x}}")).singleElement().asString()
        .contains("may not set app.kubernetes.io/* labels");
    assertThat(errors("version: 0.1.0\nreplica: 3")).singleElement().asString().contains(".spec.replica: unknown field");
  }

  @Test
  void clusterNameMustFitServiceAndPodNames() throws Exception {
    ObjectNode c = cluster("version: 0.1.0");
    ((ObjectNode) c.get("metadata")).put("name", "a-very-long-cluster-name-that-will-not-fit-in-dns");
    assertThat(crd.create(c)).singleElement().asString().contains("metadata.name must be at most 40 characters");
    ((ObjectNode) c.get("metadata")).put("name", "1abc");
    assertThat(crd.create(c)).singleElement().asString().contains("starting with a letter");
  }
}
