package io.aiondb.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.operator.kube.ControlPlane;
import io.aiondb.operator.kube.ControlPlaneResource;
import io.aiondb.operator.kube.InjectControlPlane;
import io.aiondb.operator.packaging.Repo;
import io.aiondb.operator.reconcile.FakeEngine;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CRD the build generated, installed in a real kube-apiserver: the API server itself evaluates the OpenAPI schema
 * and the x-kubernetes-validations (CEL) rules, and rejects bad specs with the messages docs/operator.md lists.
 * Creates are server-side dry runs with strict field validation (what {@code kubectl apply} does), so nothing is
 * stored; transition rules need a stored object to compare with. Shares its API server and operator with
 * AionClusterReconcilerTest (same test resources).
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
@WithTestResource(FakeEngine.class)
class AionClusterValidationTest {
  private static final String NS = "crd-checks";

  @InjectControlPlane
  ControlPlane controlPlane;

  private KubernetesClient client;

  @BeforeEach
  void namespace() {
    client = controlPlane.admin();
    controlPlane.createNamespace(NS);
  }

  private static GenericKubernetesResource cluster(String name, String yamlSpec) {
    return Serialization.unmarshal("""
        apiVersion: aiondb.io/v1alpha1
        kind: AionCluster
        metadata: {name: %s, namespace: %s}
        spec:
        """.formatted(name, NS) + yamlSpec.indent(2), GenericKubernetesResource.class);
  }

  /** The API server's objections to creating the object (dry run), as "field: message"; empty if it accepts it. */
  private List<String> create(GenericKubernetesResource object) {
    try {
      client.resource(object).dryRun().fieldValidation(Validation.STRICT).create();
      return List.of();
    } catch (KubernetesClientException e) {
      return causes(e);
    }
  }

  private List<String> errors(String yamlSpec) {
    return create(cluster("aion", yamlSpec));
  }

  /**
   * Stores {@code before} (paused, so the operator running beside these tests creates nothing for it), then returns
   * the objections to changing its spec to {@code after} (dry run).
   */
  private List<String> update(String name, String before, String after) {
    client.resource(cluster(name, before + "\npaused: true")).create();
    try {
      String patch = "{\"spec\":" + Serialization.asJson(cluster(name, after).getAdditionalProperties().get("spec")) + "}";
      client.genericKubernetesResources("aiondb.io/v1alpha1", "AionCluster").inNamespace(NS).withName(name)
          .dryRun().patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      return List.of();
    } catch (KubernetesClientException e) {
      return causes(e);
    } finally {
      client.resource(cluster(name, before)).delete();
    }
  }

  /**
   * The causes of a rejection. The API server adds a note when schema errors kept it from evaluating the CEL rules
   * ("some validation rules were not checked because the object was invalid; correct the existing errors..."):
   * left out here, so that each assertion names the one error it is about.
   */
  private static List<String> causes(KubernetesClientException e) {
    assertThat(e.getCode()).as("%s", e.getMessage()).isIn(400, 422);
    List<String> causes = new ArrayList<>();
    if (e.getStatus() != null && e.getStatus().getDetails() != null && e.getStatus().getDetails().getCauses() != null) {
      for (StatusCause c : e.getStatus().getDetails().getCauses()) {
        if (!c.getMessage().contains("some validation rules were not checked")) {
          causes.add(c.getField() + ": " + c.getMessage());
        }
      }
    }
    if (causes.isEmpty()) {
      causes.add(e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage());
    }
    return causes;
  }

  @Test
  void theDocumentedExampleAndFullSpecsAreAccepted() throws Exception {
    GenericKubernetesResource example = Serialization.unmarshal(
        Files.readString(Repo.root().resolve("docs/examples/aioncluster.yaml")), GenericKubernetesResource.class);
    example.getMetadata().setNamespace(NS);
    assertThat(create(example)).isEmpty();
    GenericKubernetesResource backedUp = Serialization.unmarshal(
        Files.readString(Repo.root().resolve("docs/examples/aioncluster-backup.yaml")), GenericKubernetesResource.class);
    backedUp.getMetadata().setNamespace(NS);
    assertThat(create(backedUp)).isEmpty();
    assertThat(errors("version: 0.1.0")).isEmpty();
    assertThat(errors("""
        version: 1.2.3-rc.1
        replicas: 7
        image: registry.local:5000/aion/server@sha256:abc
        storage: {size: 1.5Ti, storageClassName: fast-ssd, reclaimPolicy: Delete}
        tls: {mode: Secret, secretName: aion-tls}
        config: [{name: cache.size, value: 64MiB}, {name: history.keep-duration, value: 7d}]
        pod:
          labels: {team: db}
          annotations: {example.com/owner: db-team}
          nodeSelector: {disk: ssd}
          tolerations: [{key: dedicated, operator: Exists}]
        paused: true
        """)).isEmpty();
  }

  @Test
  void anAionBackupIsValidatedAndItsExampleAccepted() throws Exception {
    GenericKubernetesResource example = Serialization.unmarshal(
        Files.readString(Repo.root().resolve("docs/examples/aionbackup.yaml")), GenericKubernetesResource.class);
    example.getMetadata().setNamespace(NS);
    assertThat(create(example)).isEmpty();
    java.util.function.Function<String, GenericKubernetesResource> backup = spec -> Serialization.unmarshal("""
        apiVersion: aiondb.io/v1alpha1
        kind: AionBackup
        metadata: {name: b, namespace: %s}
        spec: %s
        """.formatted(NS, spec), GenericKubernetesResource.class);
    GenericKubernetesResource defaulted = client.resource(backup.apply("{cluster: orders}")).dryRun().create();
    assertThat(Serialization.asJson(defaulted.getAdditionalProperties().get("spec")))
        .contains("\"target\":\"PreferFollower\"", "\"deletionPolicy\":\"Retain\"", "\"deadline\":\"6h\"");
    assertThat(create(backup.apply("{}"))).singleElement().asString().contains("spec.cluster", "Required");
    assertThat(create(backup.apply("{cluster: Orders_1}"))).singleElement().asString().contains("spec.cluster");
    assertThat(create(backup.apply("{cluster: orders, deadline: 6 hours}"))).singleElement().asString()
        .contains("spec.deadline");
    assertThat(create(backup.apply("{cluster: orders, target: Anyone}"))).singleElement().asString()
        .contains("spec.target", "PreferFollower");
    assertThat(create(backup.apply("{cluster: orders, keep: forever}"))).singleElement().asString()
        .contains("unknown field \"spec.keep\"");
    assertThat(create(backup.apply("{cluster: orders, store: archive}"))).isEmpty();
    assertThat(create(backup.apply("{cluster: orders, store: 'http://elsewhere'}"))).singleElement().asString()
        .contains("spec.store");
  }

  @Test
  void anAionUserIsValidatedAndItsExampleAccepted() throws Exception {
    GenericKubernetesResource example = Serialization.unmarshal(
        Files.readString(Repo.root().resolve("docs/examples/aionuser.yaml")), GenericKubernetesResource.class);
    example.getMetadata().setNamespace(NS);
    assertThat(create(example)).isEmpty();
    java.util.function.BiFunction<String, String, GenericKubernetesResource> user = (name, spec) -> Serialization.unmarshal("""
        apiVersion: aiondb.io/v1alpha1
        kind: AionUser
        metadata: {name: %s, namespace: %s}
        spec: %s
        """.formatted(name, NS, spec), GenericKubernetesResource.class);
    GenericKubernetesResource defaulted = client.resource(user.apply("u", "{cluster: orders, authentication: {}}")).dryRun()
        .create();
    assertThat(Serialization.asJson(defaulted.getAdditionalProperties().get("spec"))).contains("\"type\":\"password\"");
    assertThat(create(user.apply("u", "{}"))).singleElement().asString().contains("spec.cluster", "Required");
    assertThat(create(user.apply("root", "{cluster: orders}"))).singleElement().asString()
        .contains("the cluster's own accounts");
    assertThat(create(user.apply("aion-operator", "{cluster: orders}"))).singleElement().asString()
        .contains("the cluster's own accounts");
    assertThat(create(user.apply("u", "{cluster: orders, authentication: {type: certificate}}"))).singleElement()
        .asString().contains("spec.authentication.type");
    assertThat(create(user.apply("u", "{cluster: orders, roles: ['Admin!']}"))).singleElement().asString()
        .contains("spec.roles[0]");
    assertThat(create(user.apply("u", "{cluster: orders, rules: [{namespaces: [orders], operations: [steal]}]}")))
        .singleElement().asString().contains("spec.rules[0].operations[0]");
    assertThat(create(user.apply("u", "{cluster: orders, rules: [{namespaces: [orders], operations: []}]}")))
        .singleElement().asString().contains("spec.rules[0].operations");
    assertThat(create(user.apply("u", "{cluster: orders, rules: [{namespaces: [orders], operations: [backup]}]}")))
        .singleElement().asString().contains("only on namespaces");
    assertThat(create(user.apply("u", "{cluster: orders, rules: [{namespaces: ['*'], operations: [backup, read]}]}")))
        .isEmpty();
    assertThat(create(user.apply("u", "{cluster: orders, authentication: {passwordSecret: {key: password}}}")))
        .singleElement().asString().contains("spec.authentication.passwordSecret.name");
  }

  @Test
  void anAionBackupScheduleIsValidatedAndItsExampleAccepted() throws Exception {
    GenericKubernetesResource example = Serialization.unmarshal(
        Files.readString(Repo.root().resolve("docs/examples/aionbackupschedule.yaml")), GenericKubernetesResource.class);
    example.getMetadata().setNamespace(NS);
    assertThat(create(example)).isEmpty();
    java.util.function.Function<String, GenericKubernetesResource> schedule = spec -> Serialization.unmarshal("""
        apiVersion: aiondb.io/v1alpha1
        kind: AionBackupSchedule
        metadata: {name: s, namespace: %s}
        spec: %s
        """.formatted(NS, spec), GenericKubernetesResource.class);
    GenericKubernetesResource defaulted = client.resource(schedule.apply("{cluster: orders, schedule: '@daily'}")).dryRun().create();
    assertThat(Serialization.asJson(defaulted.getAdditionalProperties().get("spec"))).contains("\"suspend\":false",
        "\"deletionPolicy\":\"Delete\"", "\"backupOwnerReference\":\"none\"", "\"target\":\"PreferFollower\"",
        "\"concurrencyPolicy\":\"Forbid\"");
    assertThat(create(schedule.apply("{cluster: orders}"))).singleElement().asString().contains("spec.schedule", "Required");
    assertThat(create(schedule.apply("{cluster: orders, schedule: '@daily', retention: {minKeep: 2}}")))
        .singleElement().asString().contains("retention needs keepLast, maxAge or both");
    assertThat(create(schedule.apply("{cluster: orders, schedule: '@daily', retention: {keepLast: 0}}")))
        .singleElement().asString().contains("spec.retention.keepLast");
    assertThat(create(schedule.apply("{cluster: orders, schedule: '@daily', retention: {maxAge: 1y}}")))
        .singleElement().asString().contains("spec.retention.maxAge");
    assertThat(create(schedule.apply("{cluster: orders, schedule: '@daily', timeZone: 'Europe/Berlin; rm'}")))
        .singleElement().asString().contains("spec.timeZone");
    assertThat(create(schedule.apply("{cluster: orders, schedule: '@daily', backupOwnerReference: operator}")))
        .singleElement().asString().contains("spec.backupOwnerReference");
    assertThat(create(schedule.apply("{cluster: orders, schedule: '@daily', store: Archive}"))).singleElement()
        .asString().contains("spec.store");
    assertThat(create(schedule.apply("{cluster: orders, schedule: '@daily', concurrencyPolicy: Forbid}"))).isEmpty();
    assertThat(create(schedule.apply("{cluster: orders, schedule: '@daily', concurrencyPolicy: Replace}")))
        .singleElement().asString().contains("spec.concurrencyPolicy", "Forbid");
  }

  /** Schema defaults apply to fields of objects that are present (an absent storage stays absent: Java defaults). */
  @Test
  void defaultsAreFilledInByTheApiServer() {
    GenericKubernetesResource stored = client.resource(cluster("defaults", "version: 0.1.0\nstorage: {}")).dryRun().create();
    assertThat(Serialization.asJson(stored.getAdditionalProperties().get("spec")))
        .contains("\"replicas\":3", "\"paused\":false", "\"size\":\"10Gi\"", "\"reclaimPolicy\":\"Retain\"");
  }

  @Test
  void evenOrOutOfRangeReplicasAreRejected() {
    assertThat(errors("version: 0.1.0\nreplicas: 4")).singleElement().asString()
        .contains("spec.replicas", "replicas must be 1, 3, 5 or 7");
    assertThat(errors("version: 0.1.0\nreplicas: 9")).singleElement().asString()
        .contains("spec.replicas", "less than or equal to 7");
    assertThat(errors("version: 0.1.0\nreplicas: 0")).anySatisfy(e -> assertThat(e).contains("greater than or equal to 1"));
  }

  @Test
  void scalingToAnEvenNumberIsRejectedToo() {
    client.resource(cluster("scaled", "version: 0.1.0\npaused: true")).create();
    try {
      // kubectl scale aioncluster/scaled --replicas=4: the scale subresource is validated against the same rules.
      assertThatThrownBy(() -> client.resources(AionCluster.class).inNamespace(NS).withName("scaled").scale(4))
          .isInstanceOf(KubernetesClientException.class).hasMessageContaining("replicas must be 1, 3, 5 or 7");
    } finally {
      client.resources(AionCluster.class).inNamespace(NS).withName("scaled").delete();
    }
  }

  @Test
  void versionIsRequiredAndSemantic() {
    assertThat(errors("replicas: 3")).singleElement().asString().contains("spec.version", "Required value");
    assertThat(errors("version: latest")).singleElement().asString().contains("spec.version", "should match");
  }

  @Test
  void majorDowngradeIsRejectedButMinorDowngradeAndUpgradesPass() {
    assertThat(update("down-major", "version: 2.1.0", "version: 1.9.0")).singleElement().asString()
        .contains("spec.version", "cannot go down a major version");
    assertThat(update("down-minor", "version: 2.1.0", "version: 2.0.5")).isEmpty();
    assertThat(update("up-major", "version: 1.9.0", "version: 10.0.0")).isEmpty();
  }

  @Test
  void backupTargetsAreValidatedAndItsSettingsAreTheOperators() {
    assertThat(errors("""
        version: 0.1.0
        backup:
          s3: {bucket: aion-backups, endpoint: "http://minio.storage.svc:9000", pathStyle: true, prefix: team/prod,
               credentialsSecret: {name: s3-creds}}
          encryption: {secretName: backup-key}""")).isEmpty();
    assertThat(errors("version: 0.1.0\nbackup: {s3: {bucket: aion-backups}}")).singleElement().asString()
        .contains("spec.backup.s3.credentialsSecret", "Required value");
    assertThat(errors("version: 0.1.0\nbackup: {s3: {bucket: Bad_Bucket, credentialsSecret: {name: c}}}"))
        .singleElement().asString().contains("spec.backup.s3.bucket", "should match");
    assertThat(errors("version: 0.1.0\nbackup: {s3: {bucket: b-1, endpoint: 'ftp://x', credentialsSecret: {name: c}}}"))
        .singleElement().asString().contains("spec.backup.s3.endpoint", "should match");
    assertThat(errors("version: 0.1.0\nbackup: {s3: {bucket: b-1, prefix: /lead, credentialsSecret: {name: c}}}"))
        .singleElement().asString().contains("spec.backup.s3.prefix", "should match");
    assertThat(errors("version: 0.1.0\nbackup: {s3: {bucket: b-1, credentialsSecret: {name: c}}, encryption: {}}"))
        .singleElement().asString().contains("spec.backup.encryption.secretName", "Required value");
    assertThat(errors("version: 0.1.0\nconfig: [{name: backup.s3.bucket, value: x}]")).singleElement().asString()
        .contains("use spec.backup");
  }

  @Test
  void operatorOwnedSettingsAndBadConfigAreRejected() {
    for (String owned : new String[] {"cluster.peers", "cluster.initial-members", "cluster.bootstrap"}) {
      assertThat(errors("version: 0.1.0\nconfig: [{name: " + owned + ", value: x}]")).singleElement().asString()
          .contains("spec.config[0]", "the operator sets them");
    }
    // TLS files come from spec.tls; client-auth=require would fail the kubelet's HTTPS probes (no client certificate)
    for (String tls : new String[] {"tls.cert-file", "tls.key-file", "tls.ca-file", "tls.client-auth"}) {
      assertThat(errors("version: 0.1.0\nconfig: [{name: " + tls + ", value: x}]")).singleElement().asString()
          .contains("spec.config[0]", "use spec.tls");
    }
    assertThat(errors("version: 0.1.0\nconfig: [{name: cache.size, value: 1MiB}, {name: cache.size, value: 2MiB}]"))
        .singleElement().asString().contains("spec.config", "config names must be unique");
    assertThat(errors("version: 0.1.0\nconfig: [{name: Cache Size, value: \"1\"}]")).singleElement().asString()
        .contains("spec.config[0].name", "should match");
    assertThat(errors("version: 0.1.0\nconfig: [{name: a.b, value: \"x\\ny\"}]")).singleElement().asString()
        .contains("spec.config[0].value", "should match");
  }

  @Test
  void tlsSecretNameGoesWithModeSecret() {
    assertThat(errors("version: 0.1.0\ntls: {mode: Secret}")).singleElement().asString()
        .contains("spec.tls", "tls.secretName is required");
    assertThat(errors("version: 0.1.0\ntls: {mode: Disabled, secretName: x}")).singleElement().asString()
        .contains("not allowed with the other modes");
    assertThat(errors("version: 0.1.0\ntls: {mode: Sometimes}")).singleElement().asString()
        .contains("spec.tls.mode", "Unsupported value");
  }

  @Test
  void storageIsValidatedAndItsClassIsImmutable() {
    assertThat(errors("version: 0.1.0\nstorage: {size: ten gigs}")).singleElement().asString().contains("spec.storage.size");
    assertThat(errors("version: 0.1.0\nstorage: {reclaimPolicy: Recycle}")).singleElement().asString()
        .contains("spec.storage.reclaimPolicy", "Unsupported value");
    assertThat(update("storage-class", "version: 0.1.0\nstorage: {storageClassName: a}",
        "version: 0.1.0\nstorage: {storageClassName: b}")).singleElement().asString()
        .contains("spec.storage.storageClassName", "storageClassName cannot change");
    // the change from the cluster's default class to a named one (and back) is refused too
    assertThat(update("storage-class-added", "version: 0.1.0\nstorage: {size: 1Gi}",
        "version: 0.1.0\nstorage: {storageClassName: b}")).singleElement().asString()
        .contains("spec.storage.storageClassName", "cannot be added or removed");
    assertThat(update("storage-class-removed", "version: 0.1.0\nstorage: {storageClassName: a}",
        "version: 0.1.0\nstorage: {storageClassName: null}")).singleElement().asString()
        .contains("spec.storage.storageClassName", "cannot be added or removed");
    assertThat(update("storage-class-kept", "version: 0.1.0\nstorage: {storageClassName: a}",
        "version: 0.1.0\nstorage: {storageClassName: a, size: 20Gi}")).isEmpty();
  }

  @Test
  void aRestoreIsGivenAtCreationOnlyAndNamesItsStore() throws Exception {
    GenericKubernetesResource example = Serialization.unmarshal(
        Files.readString(Repo.root().resolve("docs/examples/aioncluster-restore.yaml")), GenericKubernetesResource.class);
    example.getMetadata().setNamespace(NS);
    assertThat(create(example)).isEmpty();
    String store = "{s3: {bucket: aion-backups, prefix: db/orders, credentialsSecret: {name: s3}}}";
    String restore = "version: 0.1.0\nbootstrap: {restore: {backupId: 20261206T201502Z-3f9c0a1e, source: " + store + "}}";
    assertThat(errors(restore)).isEmpty();
    assertThat(errors("version: 0.1.0\nbootstrap: {restore: {backupId: latest, source: " + store + "}}")).isEmpty();
    assertThat(errors("version: 0.1.0\nbootstrap: {restore: {backupId: newest, source: " + store + "}}"))
        .singleElement().asString().contains("spec.bootstrap.restore.backupId");
    assertThat(errors("version: 0.1.0\nbootstrap: {restore: {backupId: latest, source: {s3: {bucket: aion-backups,"
        + " prefix: db/orders, credentialsSecret: {name: s3}}, stores: [{name: a, s3: {bucket: other,"
        + " credentialsSecret: {name: s3}}}]}}}")).singleElement().asString().contains("it has no named stores");
    assertThat(errors("version: 0.1.0\nbootstrap: {restore: {backupId: 20261206T201502Z-3f9c0a1e, source: "
        + "{s3: {bucket: aion-backups, credentialsSecret: {name: s3}}}}}")).singleElement().asString()
        .contains("source.s3.prefix is required");
    assertThat(errors("version: 0.1.0\nbootstrap: {restore: {source: " + store + "}}"))
        .anySatisfy(e -> assertThat(e).contains("restore.backupId and restore.source go together"));
    assertThat(errors("version: 0.1.0\nbootstrap: {restore: {backup: orders-nightly-202612060300}}")).isEmpty();
    assertThat(errors("version: 0.1.0\nbootstrap: {restore: {backup: orders-1, backupId: 20261206T201502Z-3f9c0a1e,"
        + " source: " + store + "}}")).singleElement().asString().contains("either backup", "not both");
    assertThat(errors("version: 0.1.0\nbootstrap: {restore: {}}")).singleElement().asString().contains("either backup");
    assertThat(errors("version: 0.1.0\nbootstrap: {restore: {backup: Not_A_Name}}")).singleElement().asString()
        .contains("spec.bootstrap.restore.backup");
    assertThat(update("restore-added", "version: 0.1.0", restore)).singleElement().asString()
        .contains("spec.bootstrap is given when the cluster is created");
    assertThat(update("restore-removed", restore, "version: 0.1.0\nbootstrap: null")).singleElement().asString()
        .contains("cannot be added or removed");
    assertThat(update("restore-changed", restore, restore.replace("3f9c0a1e", "3f9c0a1f"))).singleElement().asString()
        .contains("spec.bootstrap cannot change");
    assertThat(update("restore-kept", restore, restore + "\nreplicas: 5")).isEmpty();
  }

  @Test
  void namedBackupStoresHaveUniqueShortNames() {
    String s3 = "s3: {bucket: b-archive, credentialsSecret: {name: s3}}";
    String base = "version: 0.1.0\nbackup: {s3: {bucket: aion-backups, credentialsSecret: {name: s3}}, stores: ";
    assertThat(errors(base + "[{name: archive, " + s3 + "}, {name: offsite, " + s3 + ", encryption: {secretName: k}}]}"))
        .isEmpty();
    assertThat(errors(base + "[{name: archive, " + s3 + "}, {name: archive, " + s3 + "}]}")).singleElement().asString()
        .contains("store names must be unique");
    assertThat(errors(base + "[{name: Archive, " + s3 + "}]}")).singleElement().asString()
        .contains("spec.backup.stores[0].name");
    assertThat(errors(base + "[{name: " + "a".repeat(41) + ", " + s3 + "}]}")).singleElement().asString()
        .contains("spec.backup.stores[0].name");
    assertThat(errors(base + "[{name: archive}]}")).singleElement().asString().contains("spec.backup.stores[0].s3");
    assertThat(errors("version: 0.1.0\nconfig: [{name: backup.stores-file, value: /tmp/x}]")).singleElement().asString()
        .contains("backup.* (use spec.backup)");
  }

  @Test
  void reservedLabelsAndAnnotationsAndUnknownFieldsAreRejected() {
    assertThat(errors("version: 0.1.0\npod: {labels: {app.kubernetes.io/instance: x}}")).singleElement().asString()
        .contains("spec.pod.labels", "may not set app.kubernetes.io/* labels");
    assertThat(errors("version: 0.1.0\npod: {annotations: {aiondb.io/config-hash: x}}")).singleElement().asString()
        .contains("spec.pod.annotations", "may not set aiondb.io/* annotations");
    assertThat(errors("version: 0.1.0\nreplica: 3")).singleElement().asString().contains("unknown field \"spec.replica\"");
  }

  @Test
  void clusterNameMustFitServiceAndPodNames() {
    assertThat(create(cluster("a-very-long-cluster-name-that-will-not-fit-in-dns", "version: 0.1.0")))
        .singleElement().asString().contains("metadata.name must be at most 40 characters");
    assertThat(create(cluster("1abc", "version: 0.1.0"))).singleElement().asString().contains("starting with a letter");
  }

  /** What {@code kubectl get aionclusters} prints: the server-side table with the CRD's printer columns. */
  @Test
  void kubectlGetPrintsTheColumns() throws Exception {
    client.resource(cluster("printed", "version: 0.1.0\npaused: true")).create();
    try {
      HttpRequest request = client.getHttpClient().newHttpRequestBuilder()
          .uri(controlPlane.apiServerUrl().replaceFirst("/$", "") + "/apis/aiondb.io/v1alpha1/namespaces/" + NS + "/aionclusters")
          .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").build();
      HttpResponse<String> response = client.getHttpClient().sendAsync(request, String.class).get(10, TimeUnit.SECONDS);
      assertThat(response.code()).isEqualTo(200);
      List<String> columns = new ArrayList<>();
      new ObjectMapper().readTree(response.body()).get("columnDefinitions")
          .forEach(c -> columns.add(c.get("name").asText()));
      // all of them, -o wide's too (Last Backup, priority 1: kubectl leaves it out without -o wide)
      assertThat(columns).containsExactly("Name", "Age", "Replicas", "Version", "Last Backup", "Leader", "Phase",
          "Ready", "Updated");
    } finally {
      client.resources(AionCluster.class).inNamespace(NS).withName("printed").delete();
    }
  }
}
