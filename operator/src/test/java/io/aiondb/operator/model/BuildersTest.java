package io.aiondb.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.operator.Clusters;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.ConfigEntry;
import io.aiondb.operator.api.PodOverrides;
import io.aiondb.operator.api.StorageSpec;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildersTest {
  private static final String REPO = "example.org/aion-server";
  private final AionCluster cluster = Clusters.cluster("aion", 3, "0.1.0");

  @Test
  void configMapHoldsPeersByPodDnsNameAndUserSettings() {
    cluster.getSpec().setConfig(List.of(new ConfigEntry("cache.size", "256MiB")));
    ConfigMap cm = EngineConfigBuilder.configMap(cluster);
    assertThat(cm.getMetadata().getName()).isEqualTo("aion-config");
    String file = cm.getData().get("aion.properties");
    assertThat(file).contains("cluster.peers=aion-0=aion-0.aion-peers.db.svc:7072,"
        + "aion-1=aion-1.aion-peers.db.svc:7072,aion-2=aion-2.aion-peers.db.svc:7072\n");
    assertThat(file).contains("raft.port=7072\n", "http.port=7070\n", "http.host=0.0.0.0\n", "raft.host=0.0.0.0\n",
        "data.dir=/var/lib/aion/data\n", "cache.size=256MiB\n");
    assertThat(file).doesNotContain("node.id=");
    assertOwnedAndLabelled(cm);
  }

  /**
   * After creation the StatefulSet keeps the replicas the roller set, cluster.peers lists every pod that may run,
   * and cluster.initial-members stays the members the cluster was created with (kept on the StatefulSet).
   */
  @Test
  void scalingMovesPeersButNeitherTheInitialMembersNorThePodTemplate() {
    StatefulSet created = StatefulSetBuilders.statefulSet(cluster, REPO);
    assertThat(created.getSpec().getReplicas()).isEqualTo(3);
    assertThat(created.getMetadata().getAnnotations())
        .containsEntry(Topology.INITIAL_MEMBERS_ANNOTATION, "aion-0,aion-1,aion-2");
    assertThat(EngineConfigBuilder.settings(cluster)).containsEntry("cluster.initial-members", "aion-0,aion-1,aion-2");
    String hash = EngineConfigBuilder.hash(cluster);

    cluster.getSpec().setReplicas(5);
    Topology scaling = Topology.of(cluster, created);
    assertThat(scaling).isEqualTo(new Topology(3, 5, List.of("aion-0", "aion-1", "aion-2")));
    StatefulSet during = StatefulSetBuilders.statefulSet(cluster, REPO, scaling);
    assertThat(during.getSpec().getReplicas()).as("only the roller moves replicas").isEqualTo(3);
    Map<String, String> settings = EngineConfigBuilder.settings(cluster, scaling);
    assertThat(settings.get("cluster.peers")).contains("aion-4=aion-4.aion-peers.db.svc:7072");
    assertThat(settings).containsEntry("cluster.initial-members", "aion-0,aion-1,aion-2");
    assertThat(EngineConfigBuilder.hash(cluster)).as("membership keys restart no member").isEqualTo(hash);
    assertThat(during.getSpec().getTemplate()).isEqualTo(created.getSpec().getTemplate());

    // A StatefulSet from before the annotation: its pods are the initial members.
    created.getMetadata().getAnnotations().remove(Topology.INITIAL_MEMBERS_ANNOTATION);
    created.getSpec().setReplicas(1);
    assertThat(Topology.of(cluster, created).initialMembers()).containsExactly("aion-0");
  }

  @Test
  void operatorSettingsWinOverUserSettings() {
    cluster.getSpec().setConfig(List.of(new ConfigEntry("http.port", "1")));
    assertThat(EngineConfigBuilder.settings(cluster)).containsEntry("http.port", "7070");
  }

  @Test
  void everyMemberKeepsAnAuditLogOnItsVolumeUnlessTheConfigSaysOtherwise() {
    assertThat(EngineConfigBuilder.settings(cluster)).containsEntry("audit.file", "/var/lib/aion/audit/audit.log");
    cluster.getSpec().setConfig(List.of(new ConfigEntry("audit.file", "")));
    assertThat(EngineConfigBuilder.settings(cluster)).as("turned off").containsEntry("audit.file", "");
    cluster.getSpec().setConfig(List.of(new ConfigEntry("audit.stdout", "true")));
    assertThat(EngineConfigBuilder.settings(cluster)).containsEntry("audit.file", "/var/lib/aion/audit/audit.log")
        .containsEntry("audit.stdout", "true");
  }

  @Test
  void buildersAreDeterministic() {
    assertThat(StatefulSetBuilders.statefulSet(cluster, REPO)).isEqualTo(StatefulSetBuilders.statefulSet(cluster, REPO));
    assertThat(EngineConfigBuilder.hash(cluster)).isEqualTo(EngineConfigBuilder.hash(cluster));
    cluster.getSpec().setConfig(List.of(new ConfigEntry("cache.size", "1MiB")));
    String before = EngineConfigBuilder.hash(cluster);
    cluster.getSpec().setConfig(List.of(new ConfigEntry("cache.size", "2MiB")));
    assertThat(EngineConfigBuilder.hash(cluster)).isNotEqualTo(before);
  }

  @Test
  void statefulSetIsOnDeleteParallelWithProbesAndVolumes() {
    StatefulSet sts = StatefulSetBuilders.statefulSet(cluster, REPO);
    assertOwnedAndLabelled(sts);
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(sts.getSpec().getServiceName()).isEqualTo("aion-peers");
    assertThat(sts.getSpec().getSelector().getMatchLabels())
        .isEqualTo(Map.of("app.kubernetes.io/name", "aion-db", "app.kubernetes.io/instance", "aion"));
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
    Container c = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo(REPO + ":0.1.0");
    assertThat(c.getArgs()).as("the image's entry point reads /etc/aion/aion.properties").isNullOrEmpty();
    assertThat(c.getCommand()).isNullOrEmpty();
    assertThat(c.getEnv().get(0).getName()).isEqualTo("AION_NODE_ID");
    assertThat(c.getEnv().get(0).getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(c.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort()).containsExactly("http:7070", "raft:7072");
    assertThat(c.getVolumeMounts()).extracting(m -> m.getName() + ":" + m.getMountPath())
        .containsExactly("data:/var/lib/aion", "config:/etc/aion", "auth-root:/etc/aion-auth/root",
            "auth-operator:/etc/aion-auth/operator");
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes().get(0).getConfigMap().getName()).isEqualTo("aion-config");
    assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("10Gi"));
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Retain");
    cluster.getSpec().getStorage().setReclaimPolicy(StorageSpec.ReclaimPolicy.Delete);
    assertThat(StatefulSetBuilders.statefulSet(cluster, REPO).getSpec().getPersistentVolumeClaimRetentionPolicy()
        .getWhenScaled()).as("a scaled-down member's volume follows reclaimPolicy").isEqualTo("Delete");
    assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry(StatefulSetBuilders.CONFIG_HASH_ANNOTATION, EngineConfigBuilder.hash(cluster));
    var security = sts.getSpec().getTemplate().getSpec().getSecurityContext();
    assertThat(security.getRunAsUser()).as("the engine image's user").isEqualTo(1000L);
    assertThat(security.getFsGroup()).as("data volume writable by the engine").isEqualTo(1000L);
    assertThat(security.getRunAsNonRoot()).isTrue();
  }

  @Test
  void defaultAffinityPrefersSpreadingAcrossNodesAndZones() {
    PodSpec pod = StatefulSetBuilders.statefulSet(cluster, REPO).getSpec().getTemplate().getSpec();
    var preferred = pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
    assertThat(preferred).extracting(t -> t.getPodAffinityTerm().getTopologyKey() + "=" + t.getWeight())
        .containsExactly("kubernetes.io/hostname=100", "topology.kubernetes.io/zone=50");
    assertThat(pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()).isNullOrEmpty();
  }

  @Test
  void podOverridesApplyButNeverReplaceSelectorLabels() {
    PodOverrides pod = new PodOverrides();
    pod.setAffinity(new AffinityBuilder().withNewNodeAffinity().endNodeAffinity().build());
    pod.setTolerations(List.of(new TolerationBuilder().withKey("dedicated").withOperator("Exists").build()));
    pod.setNodeSelector(Map.of("disk", "ssd"));
    pod.setLabels(Map.of("team", "storage", "app.kubernetes.io/instance", "other"));
    pod.setAnnotations(Map.of("prometheus.io/scrape", "true"));
    cluster.getSpec().setPod(pod);
    cluster.getSpec().setImage("registry.local/aion:dev");
    StorageSpec storage = new StorageSpec();
    storage.setSize("50Gi");
    storage.setStorageClassName("fast");
    storage.setReclaimPolicy(StorageSpec.ReclaimPolicy.Delete);
    cluster.getSpec().setStorage(storage);

    StatefulSet sts = StatefulSetBuilders.statefulSet(cluster, REPO);
    PodSpec spec = sts.getSpec().getTemplate().getSpec();
    assertThat(spec.getAffinity().getPodAntiAffinity()).isNull();
    assertThat(spec.getTolerations()).hasSize(1);
    assertThat(spec.getNodeSelector()).containsEntry("disk", "ssd");
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("team", "storage").containsEntry("app.kubernetes.io/instance", "aion");
    assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true");
    assertThat(spec.getContainers().get(0).getImage()).isEqualTo("registry.local/aion:dev");
    var claim = sts.getSpec().getVolumeClaimTemplates().get(0).getSpec();
    assertThat(claim.getStorageClassName()).isEqualTo("fast");
    assertThat(claim.getResources().getRequests().get("storage")).isEqualTo(new Quantity("50Gi"));
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Delete");
  }

  @Test
  void peerServiceIsHeadlessAndPublishesNotReadyAddresses() {
    Service peers = ServiceBuilders.peerService(cluster);
    assertOwnedAndLabelled(peers);
    assertThat(peers.getMetadata().getName()).isEqualTo("aion-peers");
    assertThat(peers.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(peers.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(peers.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort()).containsExactly("http:7070", "raft:7072");
    Service client = ServiceBuilders.clientService(cluster);
    assertOwnedAndLabelled(client);
    assertThat(client.getSpec().getClusterIP()).isNull();
    assertThat(client.getSpec().getPublishNotReadyAddresses()).isNull();
    assertThat(client.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort()).containsExactly("http:7070");
  }

  @Test
  void disruptionBudgetKeepsQuorum() {
    assertThat(DisruptionBudgetBuilder.podDisruptionBudget(Clusters.cluster("a", 1, "0.1.0"))).isNull();
    for (int replicas : new int[] {3, 5, 7}) {
      PodDisruptionBudget pdb = DisruptionBudgetBuilder.podDisruptionBudget(Clusters.cluster("a", replicas, "0.1.0"));
      int maxUnavailable = pdb.getSpec().getMaxUnavailable().getIntVal();
      assertThat(replicas - maxUnavailable).as("members left for %d replicas", replicas).isGreaterThan(replicas / 2);
      assertThat(replicas - maxUnavailable - 1).as("one more would lose quorum").isLessThanOrEqualTo(replicas / 2);
    }
    PodDisruptionBudget pdb = DisruptionBudgetBuilder.podDisruptionBudget(cluster);
    assertOwnedAndLabelled(pdb);
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(Labels.selector(cluster));
  }

  private void assertOwnedAndLabelled(HasMetadata object) {
    assertThat(object.getMetadata().getNamespace()).isEqualTo("db");
    assertThat(object.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
      assertThat(ref.getKind()).isEqualTo("AionCluster");
      assertThat(ref.getApiVersion()).isEqualTo("aiondb.io/v1alpha1");
      assertThat(ref.getUid()).isEqualTo("uid-aion");
      assertThat(ref.getController()).isTrue();
    });
    assertThat(object.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "aion-db")
        .containsEntry("app.kubernetes.io/instance", "aion").containsEntry("app.kubernetes.io/managed-by", "aion-operator")
        .containsEntry("app.kubernetes.io/version", "0.1.0").containsKey("app.kubernetes.io/component")
        .containsKey("app.kubernetes.io/part-of");
  }

  @Test
  void tlsMountsTheSecretPointsTheEngineAtItAndProbesOverHttps() {
    assertThat(EngineConfigBuilder.settings(cluster)).doesNotContainKey("tls.cert-file");
    assertThat(StatefulSetBuilders.statefulSet(cluster, REPO).getSpec().getTemplate().getSpec().getVolumes())
        .extracting(io.fabric8.kubernetes.api.model.Volume::getName).doesNotContain("tls");

    cluster.getSpec().getTls().setMode(io.aiondb.operator.api.TlsSpec.Mode.Generated);
    assertThat(EngineConfigBuilder.settings(cluster)).containsEntry("tls.cert-file", "/etc/aion/tls/tls.crt")
        .containsEntry("tls.key-file", "/etc/aion/tls/tls.key").containsEntry("tls.ca-file", "/etc/aion/tls/ca.crt");
    PodSpec pod = StatefulSetBuilders.statefulSet(cluster, REPO).getSpec().getTemplate().getSpec();
    var volume = pod.getVolumes().stream().filter(v -> v.getName().equals("tls")).findFirst().orElseThrow();
    assertThat(volume.getSecret().getSecretName()).isEqualTo("aion-tls");
    assertThat(volume.getSecret().getDefaultMode()).isEqualTo(0440); // readable by the engine's group (fsGroup)
    Container c = pod.getContainers().get(0);
    assertThat(c.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo("tls");
      assertThat(m.getMountPath()).isEqualTo("/etc/aion/tls");
      assertThat(m.getReadOnly()).isTrue();
    });
    for (var probe : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
      assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTPS");
    }

    cluster.getSpec().getTls().setMode(io.aiondb.operator.api.TlsSpec.Mode.Secret);
    cluster.getSpec().getTls().setSecretName("from-cert-manager");
    assertThat(TlsBuilders.secretName(cluster)).isEqualTo("from-cert-manager");
    assertThat(TlsBuilders.requiredNames(cluster)).containsExactly("aion-0.aion-peers.db.svc",
        "aion-1.aion-peers.db.svc", "aion-2.aion-peers.db.svc", "aion.db.svc");
  }

  @Test
  void backupPointsEveryMemberAtTheStoreWithCredentialsAndKeyFromSecrets() {
    assertThat(EngineConfigBuilder.settings(cluster)).doesNotContainKeys("backup.s3.bucket", "backup.encryption-key-file");
    String hashWithout = EngineConfigBuilder.hash(cluster);
    var backup = new io.aiondb.operator.api.BackupSpec();
    var s3 = new io.aiondb.operator.api.BackupSpec.S3();
    s3.setBucket("aion-backups");
    s3.setEndpoint("http://minio.storage.svc:9000");
    s3.setPathStyle(true);
    var creds = new io.aiondb.operator.api.BackupSpec.CredentialsSecret();
    creds.setName("s3-creds");
    s3.setCredentialsSecret(creds);
    backup.setS3(s3);
    cluster.getSpec().setBackup(backup);
    assertThat(EngineConfigBuilder.settings(cluster)).containsEntry("backup.s3.bucket", "aion-backups")
        .containsEntry("backup.s3.endpoint", "http://minio.storage.svc:9000").containsEntry("backup.s3.path-style", "true")
        .containsEntry("backup.s3.region", "us-east-1")
        .containsEntry("backup.s3.prefix", "db/aion") // namespace/name: clusters sharing a bucket stay apart
        .doesNotContainKey("backup.encryption-key-file");
    assertThat(EngineConfigBuilder.hash(cluster)).as("a changed target rolls the members").isNotEqualTo(hashWithout);
    Container c = StatefulSetBuilders.statefulSet(cluster, REPO).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("AWS_ACCESS_KEY_ID");
      assertThat(e.getValue()).isNull();
      assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("s3-creds");
      assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("AWS_ACCESS_KEY_ID");
    }).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("AWS_SECRET_ACCESS_KEY");
      assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("AWS_SECRET_ACCESS_KEY");
    });

    var enc = new io.aiondb.operator.api.BackupSpec.Encryption();
    enc.setSecretName("backup-key");
    enc.setKey("key.hex");
    backup.setEncryption(enc);
    s3.setPrefix("team/prod");
    assertThat(EngineConfigBuilder.settings(cluster)).containsEntry("backup.s3.prefix", "team/prod")
        .containsEntry("backup.encryption-key-file", "/etc/aion-backup-key/backup.key");
    PodSpec pod = StatefulSetBuilders.statefulSet(cluster, REPO).getSpec().getTemplate().getSpec();
    var volume = pod.getVolumes().stream().filter(v -> v.getName().equals("backup-key")).findFirst().orElseThrow();
    assertThat(volume.getSecret().getSecretName()).isEqualTo("backup-key");
    assertThat(volume.getSecret().getDefaultMode()).isEqualTo(0440);
    assertThat(volume.getSecret().getItems()).singleElement().satisfies(i -> {
      assertThat(i.getKey()).isEqualTo("key.hex");
      assertThat(i.getPath()).isEqualTo("backup.key");
    });
    assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo("backup-key");
      assertThat(m.getMountPath()).isEqualTo("/etc/aion-backup-key");
      assertThat(m.getReadOnly()).isTrue();
    });
  }

  @Test
  void namedStoresAreAFileOfTheConfigMapAndSecretFilesInEveryMemberAndTheirChangeRestartsThem() {
    var backup = new io.aiondb.operator.api.BackupSpec();
    var s3 = new io.aiondb.operator.api.BackupSpec.S3();
    s3.setBucket("aion-backups");
    var creds = new io.aiondb.operator.api.BackupSpec.CredentialsSecret();
    creds.setName("s3-creds");
    s3.setCredentialsSecret(creds);
    backup.setS3(s3);
    cluster.getSpec().setBackup(backup);
    String before = EngineConfigBuilder.hash(cluster);
    assertThat(EngineConfigBuilder.storesFile(cluster)).isNull();
    assertThat(EngineConfigBuilder.configMap(cluster).getData()).containsOnlyKeys("aion.properties");

    var archive = new io.aiondb.operator.api.BackupSpec.NamedStore();
    archive.setName("archive");
    var a3 = new io.aiondb.operator.api.BackupSpec.S3();
    a3.setBucket("cold");
    a3.setEndpoint("https://s3.eu-west-1.amazonaws.com");
    a3.setRegion("eu-west-1");
    a3.setPrefix("orders/archive");
    var ac = new io.aiondb.operator.api.BackupSpec.CredentialsSecret();
    ac.setName("archive-creds");
    a3.setCredentialsSecret(ac);
    archive.setS3(a3);
    var enc = new io.aiondb.operator.api.BackupSpec.Encryption();
    enc.setSecretName("archive-key");
    archive.setEncryption(enc);
    backup.setStores(java.util.List.of(archive));

    assertThat(EngineConfigBuilder.settings(cluster)).containsEntry("backup.stores-file", "/etc/aion/backup-stores.properties");
    assertThat(EngineConfigBuilder.configMap(cluster).getData().get("backup-stores.properties")).endsWith("""
        archive.bucket=cold
        archive.endpoint=https://s3.eu-west-1.amazonaws.com
        archive.prefix=orders/archive
        archive.region=eu-west-1
        archive.path-style=false
        archive.credentials-dir=/etc/aion-backup-stores/archive/credentials
        archive.encryption-key-file=/etc/aion-backup-stores/archive/key/backup.key
        """);
    String with = EngineConfigBuilder.hash(cluster);
    assertThat(with).as("a store added restarts the members").isNotEqualTo(before);
    a3.setBucket("colder");
    assertThat(EngineConfigBuilder.hash(cluster)).as("a store changed too").isNotEqualTo(with);

    PodSpec pod = StatefulSetBuilders.statefulSet(cluster, REPO).getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().startsWith("bstore-")).satisfiesExactlyInAnyOrder(
        v -> {
          assertThat(v.getName()).isEqualTo("bstore-cred-archive");
          assertThat(v.getSecret().getSecretName()).isEqualTo("archive-creds");
          assertThat(v.getSecret().getDefaultMode()).isEqualTo(0440);
          assertThat(v.getSecret().getItems()).extracting(i -> i.getKey() + ">" + i.getPath())
              .containsExactly("AWS_ACCESS_KEY_ID>AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY>AWS_SECRET_ACCESS_KEY");
        },
        v -> {
          assertThat(v.getName()).isEqualTo("bstore-key-archive");
          assertThat(v.getSecret().getSecretName()).isEqualTo("archive-key");
          assertThat(v.getSecret().getItems()).extracting(i -> i.getKey() + ">" + i.getPath())
              .containsExactly("backup.key>backup.key");
        });
    assertThat(pod.getContainers().get(0).getVolumeMounts()).filteredOn(m -> m.getName().startsWith("bstore-"))
        .extracting(m -> m.getName() + " " + m.getMountPath() + " " + m.getReadOnly()).containsExactlyInAnyOrder(
            "bstore-cred-archive /etc/aion-backup-stores/archive/credentials true",
            "bstore-key-archive /etc/aion-backup-stores/archive/key true");
    assertThat(pod.getContainers().get(0).getEnv()).extracting(e -> e.getName())
        .as("only the default store's credentials are environment variables").containsOnlyOnce("AWS_ACCESS_KEY_ID");
  }

  @Test
  void bootstrapRestoreRunsTheRestoreInitContainerWithTheSourceStore() {
    assertThat(StatefulSetBuilders.statefulSet(cluster, REPO).getSpec().getTemplate().getSpec().getInitContainers())
        .as("absent without spec.bootstrap: an existing cluster's template does not change").isNullOrEmpty();
    var source = new io.aiondb.operator.api.BackupSpec();
    var s3 = new io.aiondb.operator.api.BackupSpec.S3();
    s3.setBucket("aion-backups");
    s3.setPrefix("db/orders");
    var creds = new io.aiondb.operator.api.BackupSpec.CredentialsSecret();
    creds.setName("old-s3-creds");
    s3.setCredentialsSecret(creds);
    source.setS3(s3);
    var restore = new io.aiondb.operator.api.BootstrapSpec.Restore();
    restore.setBackupId("20261206T201502Z-3f9c0a1e");
    restore.setSource(source);
    var bootstrap = new io.aiondb.operator.api.BootstrapSpec();
    bootstrap.setRestore(restore);
    cluster.getSpec().setBootstrap(bootstrap);
    cluster.getSpec().setImage("registry.local/aion:test");

    PodSpec pod = StatefulSetBuilders.statefulSet(cluster, REPO).getSpec().getTemplate().getSpec();
    Container engine = pod.getContainers().get(0);
    assertThat(pod.getInitContainers()).singleElement().satisfies(init -> {
      assertThat(init.getName()).isEqualTo("restore");
      assertThat(init.getImage()).isEqualTo(engine.getImage());
      assertThat(init.getCommand()).containsExactly("java", "--enable-native-access=ALL-UNNAMED", "-jar",
          "/app/aion-server.jar", "restore", "--init", "--backup", "20261206T201502Z-3f9c0a1e",
          "--config", "/etc/aion/aion.properties", "--backup.s3.bucket=aion-backups", "--backup.s3.endpoint=",
          "--backup.s3.prefix=db/orders", "--backup.s3.region=us-east-1", "--backup.s3.path-style=false");
      assertThat(init.getEnv()).anySatisfy(e -> {
        assertThat(e.getName()).isEqualTo("AION_NODE_ID");
        assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
      }).anySatisfy(e -> {
        assertThat(e.getName()).isEqualTo("AWS_ACCESS_KEY_ID");
        assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("old-s3-creds");
      });
      assertThat(init.getVolumeMounts()).isEqualTo(engine.getVolumeMounts());
      assertThat(init.getSecurityContext()).isEqualTo(engine.getSecurityContext());
    });

    var enc = new io.aiondb.operator.api.BackupSpec.Encryption();
    enc.setSecretName("old-backup-key");
    enc.setKey("backup.key");
    source.setEncryption(enc);
    pod = StatefulSetBuilders.statefulSet(cluster, REPO).getSpec().getTemplate().getSpec();
    Container init = pod.getInitContainers().get(0);
    assertThat(init.getCommand()).endsWith("--backup.encryption-key-file=/etc/aion-restore-key/backup.key",
        "--backup.encryption-old-key-files=");
    assertThat(init.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo("restore-key");
      assertThat(m.getMountPath()).isEqualTo("/etc/aion-restore-key");
    });
    assertThat(pod.getVolumes()).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo("restore-key");
      assertThat(v.getSecret().getSecretName()).isEqualTo("old-backup-key");
    });
    assertThat(pod.getContainers().get(0).getVolumeMounts()).noneMatch(m -> m.getName().equals("restore-key"));
  }

  @Test
  void generatedSecretsAreOwnedAndTyped() {
    var ca = TlsBuilders.caSecret(cluster, "CA-PEM", "CA-KEY");
    var members = TlsBuilders.memberSecret(cluster, "CERT", "KEY", "CA-PEM");
    assertThat(ca.getMetadata().getName()).isEqualTo("aion-ca");
    assertThat(members.getMetadata().getName()).isEqualTo("aion-tls");
    assertThat(members.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(members.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
    assertThat(new String(java.util.Base64.getDecoder().decode(members.getData().get("tls.crt")))).isEqualTo("CERT");
    assertOwnedAndLabelled(ca);
    assertOwnedAndLabelled(members);
  }

  @Test
  void authIsOnUnlessTurnedOffAndMountsTheTwoSecretsTheEngineReads() {
    assertThat(AuthBuilders.enabled(cluster)).as("left out: on").isTrue();
    assertThat(EngineConfigBuilder.settings(cluster)).containsEntry("auth.enabled", "true")
        .containsEntry("auth.root-password-file", "/etc/aion-auth/root/password")
        .containsEntry("auth.operator-key-file", "/etc/aion-auth/operator/api-key");
    StatefulSet on = StatefulSetBuilders.statefulSet(cluster, REPO);
    var volumes = on.getSpec().getTemplate().getSpec().getVolumes();
    assertThat(volumes).filteredOn(v -> v.getName().startsWith("auth-")).extracting(
        v -> v.getName() + ":" + v.getSecret().getSecretName() + ":" + v.getSecret().getItems().get(0).getKey()
            + ":" + v.getSecret().getDefaultMode())
        .containsExactly("auth-root:aion-root:password:288", "auth-operator:aion-operator-key:api-key:288");
    String hashOn = EngineConfigBuilder.hash(cluster);

    cluster.getSpec().setAuth(new io.aiondb.operator.api.AuthSpec(false));
    assertThat(EngineConfigBuilder.settings(cluster)).doesNotContainKeys("auth.enabled", "auth.root-password-file",
        "auth.operator-key-file");
    StatefulSet off = StatefulSetBuilders.statefulSet(cluster, REPO);
    assertThat(off.getSpec().getTemplate().getSpec().getVolumes()).noneMatch(v -> v.getName().startsWith("auth-"));
    assertThat(off.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts())
        .noneMatch(m -> m.getName().startsWith("auth-"));
    assertThat(EngineConfigBuilder.hash(cluster)).as("turning auth on or off restarts the members").isNotEqualTo(hashOn);

    // left out: a new cluster gets auth; a running one keeps what its members run (an operator upgrade locks nobody out)
    cluster.getSpec().setAuth(null);
    assertThat(AuthBuilders.resolve(cluster, null)).isTrue();
    assertThat(AuthBuilders.resolve(cluster, on)).isTrue();
    assertThat(AuthBuilders.resolve(cluster, off)).as("a StatefulSet made without auth").isFalse();
    cluster.getSpec().setAuth(new io.aiondb.operator.api.AuthSpec(true));
    assertThat(AuthBuilders.resolve(cluster, off)).as("set explicitly: turned on").isTrue();
    cluster.getSpec().setAuth(new io.aiondb.operator.api.AuthSpec(false));
    assertThat(AuthBuilders.resolve(cluster, on)).as("set explicitly: turned off").isFalse();
  }

  @Test
  void authSecretsOutliveTheClusterWhenItsVolumesDo() {
    var root = AuthBuilders.rootSecret(cluster, "pw-0123456789abcdef");
    var key = AuthBuilders.operatorKeySecret(cluster, "aion_key");
    assertThat(root.getMetadata().getName()).isEqualTo("aion-root");
    assertThat(key.getMetadata().getName()).isEqualTo("aion-operator-key");
    assertThat(root.getData()).containsOnlyKeys("username", "password");
    assertThat(new String(java.util.Base64.getDecoder().decode(root.getData().get("password")))).isEqualTo("pw-0123456789abcdef");
    assertThat(new String(java.util.Base64.getDecoder().decode(root.getData().get("username")))).isEqualTo("root");
    assertThat(key.getData()).containsOnlyKeys("api-key");
    assertThat(root.getMetadata().getOwnerReferences()).as("reclaimPolicy Retain: kept with the volumes").isNullOrEmpty();
    assertThat(root.getMetadata().getLabels()).isEqualTo(Labels.of(cluster));
    cluster.getSpec().getStorage().setReclaimPolicy(io.aiondb.operator.api.StorageSpec.ReclaimPolicy.Delete);
    assertOwnedAndLabelled(AuthBuilders.rootSecret(cluster, "pw-0123456789abcdef"));
    assertOwnedAndLabelled(AuthBuilders.operatorKeySecret(cluster, "aion_key"));
  }

  @Test
  void theNetworkPolicyOpensRaftToMembersOnlyAndTheApiToWhomTheSpecSays() {
    var open = NetworkPolicies.networkPolicy(cluster, java.util.Optional.of("aion-system"));
    assertOwnedAndLabelled(open);
    assertThat(open.getMetadata().getName()).isEqualTo("aion");
    assertThat(open.getSpec().getPodSelector().getMatchLabels()).isEqualTo(Labels.selector(cluster));
    assertThat(open.getSpec().getPolicyTypes()).containsExactly("Ingress");
    var raft = open.getSpec().getIngress().get(0);
    assertThat(raft.getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(7072);
    assertThat(raft.getFrom()).singleElement().satisfies(p -> {
      assertThat(p.getPodSelector().getMatchLabels()).isEqualTo(Labels.selector(cluster));
      assertThat(p.getNamespaceSelector()).as("this namespace only").isNull();
    });
    var api = open.getSpec().getIngress().get(1);
    assertThat(api.getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(7070, 7071);
    assertThat(api.getFrom()).as("apiFrom left out: anyone").isNullOrEmpty();

    var spec = new io.aiondb.operator.api.NetworkPolicySpec();
    spec.setApiFrom(List.of(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder()
        .withNewNamespaceSelector().addToMatchLabels("team", "orders").endNamespaceSelector().build()));
    cluster.getSpec().setNetworkPolicy(spec);
    cluster.getSpec().setConfig(List.of(new ConfigEntry("protocol.port", "9000")));
    var limited = NetworkPolicies.networkPolicy(cluster, java.util.Optional.of("aion-system"));
    var apiLimited = limited.getSpec().getIngress().get(1);
    assertThat(apiLimited.getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(7070, 9000);
    assertThat(apiLimited.getFrom()).hasSize(3);
    assertThat(apiLimited.getFrom().get(0).getNamespaceSelector().getMatchLabels()).containsEntry("team", "orders");
    assertThat(apiLimited.getFrom().get(1).getPodSelector().getMatchLabels()).as("the members")
        .isEqualTo(Labels.selector(cluster));
    assertThat(apiLimited.getFrom().get(2)).as("the operator's pods in its namespace").satisfies(p -> {
      assertThat(p.getNamespaceSelector().getMatchLabels()).containsExactly(Map.entry("kubernetes.io/metadata.name", "aion-system"));
      assertThat(p.getPodSelector().getMatchLabels()).containsExactly(Map.entry("app.kubernetes.io/name", "aion-operator"));
    });
    assertThat(limited.getSpec().getIngress().get(0)).as("raft unchanged").isEqualTo(raft);

    cluster.getSpec().setConfig(List.of(new ConfigEntry("protocol.port", "-1")));
    assertThat(NetworkPolicies.networkPolicy(cluster, java.util.Optional.empty()).getSpec().getIngress().get(1).getPorts())
        .as("protocol off: HTTP only").extracting(p -> p.getPort().getIntVal()).containsExactly(7070);
    spec.setEnabled(false);
    assertThat(NetworkPolicies.networkPolicy(cluster, java.util.Optional.empty())).isNull();
  }

  @Test
  void tlsLeftOutIsGeneratedForANewClusterAndWhatARunningOneMounts() {
    cluster.getSpec().setAuth(new io.aiondb.operator.api.AuthSpec(false));
    StatefulSet plain = StatefulSetBuilders.statefulSet(cluster, REPO); // Clusters: mode Disabled; auth off: no volumes
    cluster.getSpec().getTls().setMode(null);
    cluster.getSpec().setAuth(null);
    assertThat(TlsBuilders.resolve(cluster, null)).isEqualTo(io.aiondb.operator.api.TlsSpec.Mode.Generated);
    assertThat(TlsBuilders.resolve(cluster, plain)).as("made without TLS").isEqualTo(io.aiondb.operator.api.TlsSpec.Mode.Disabled);
    AionCluster resolved = Defaults.resolve(cluster, null);
    assertThat(resolved).isNotSameAs(cluster);
    assertThat(resolved.getSpec().getTls().getMode()).isEqualTo(io.aiondb.operator.api.TlsSpec.Mode.Generated);
    assertThat(resolved.getSpec().getAuth().getEnabled()).isTrue();
    assertThat(cluster.getSpec().getTls().getMode()).as("the given object is not changed").isNull();
    StatefulSet secure = StatefulSetBuilders.statefulSet(resolved, REPO);
    assertThat(TlsBuilders.resolve(cluster, secure)).isEqualTo(io.aiondb.operator.api.TlsSpec.Mode.Generated);
    assertThat(Defaults.resolve(cluster, plain).getSpec().getTls().getMode()).isEqualTo(io.aiondb.operator.api.TlsSpec.Mode.Disabled);
    assertThat(Defaults.resolve(cluster, plain).getSpec().getAuth().getEnabled()).isFalse();
    cluster.getSpec().getTls().setMode(io.aiondb.operator.api.TlsSpec.Mode.Disabled);
    cluster.getSpec().getTls().setPeerIdentity(io.aiondb.operator.api.TlsSpec.PeerIdentity.Any);
    cluster.getSpec().setAuth(new io.aiondb.operator.api.AuthSpec(true));
    assertThat(Defaults.resolve(cluster, secure)).as("nothing left out: the object itself").isSameAs(cluster);
  }

  /** A StatefulSet as the API server reports it after a rollout: every replica updated and ready, or not yet. */
  private static StatefulSet observed(StatefulSet sts, boolean rolledOut) {
    sts.getMetadata().setGeneration(4L);
    sts.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder().withObservedGeneration(4L)
        .withReplicas(3).withUpdatedReplicas(rolledOut ? 3 : 2).withReadyReplicas(3).build());
    return sts;
  }

  @Test
  void encryptionSealsANewClusterAndTurnsARunningOneOnInTwoRollouts() {
    var enc = new io.aiondb.operator.api.EncryptionSpec(true);
    assertThat(EncryptionBuilders.resolve(cluster, null)).as("off unless enabled").isEqualTo(EncryptionBuilders.Phase.OFF);
    StatefulSet plain = StatefulSetBuilders.statefulSet(Defaults.resolve(cluster, null), REPO);
    assertThat(plain.getSpec().getTemplate().getMetadata().getAnnotations()).doesNotContainKey("aiondb.io/encryption");
    assertThat(EngineConfigBuilder.settings(cluster)).doesNotContainKeys("encryption.key-file", "encryption.old-key-files");

    cluster.getSpec().setEncryption(enc);
    // a new cluster seals from its first start
    AionCluster fresh = Defaults.resolve(cluster, null);
    assertThat(EncryptionBuilders.phase(fresh)).isEqualTo(EncryptionBuilders.Phase.SEALING);
    assertThat(EngineConfigBuilder.settings(fresh)).containsEntry("encryption.key-file", "/etc/aion-encryption/current/key")
        .doesNotContainKey("encryption.old-key-files");
    StatefulSet sealing = StatefulSetBuilders.statefulSet(fresh, REPO);
    assertThat(sealing.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("aiondb.io/encryption", "sealing");
    assertThat(sealing.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName().startsWith("encryption-"))
        .extracting(v -> v.getName() + ":" + v.getSecret().getSecretName() + ":" + v.getSecret().getItems().get(0).getKey()
            + ":" + v.getSecret().getDefaultMode())
        .containsExactly("encryption-key:aion-encryption-key:key:288");
    assertThat(sealing.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts())
        .filteredOn(m -> m.getName().startsWith("encryption-")).extracting(m -> m.getMountPath() + ":" + m.getReadOnly())
        .containsExactly("/etc/aion-encryption/current:true");

    // a running cluster without it: first members that open sealed data, then, once all run that, members that seal
    AionCluster first = Defaults.resolve(cluster, observed(plain, true));
    assertThat(EncryptionBuilders.phase(first)).isEqualTo(EncryptionBuilders.Phase.OPENING);
    assertThat(EngineConfigBuilder.settings(first)).containsEntry("encryption.old-key-files", "/etc/aion-encryption/current/key")
        .doesNotContainKey("encryption.key-file");
    StatefulSet opening = StatefulSetBuilders.statefulSet(first, REPO);
    assertThat(opening.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("aiondb.io/encryption", "opening");
    assertThat(EncryptionBuilders.phase(Defaults.resolve(cluster, observed(opening, false))))
        .as("rollout not complete: still opening").isEqualTo(EncryptionBuilders.Phase.OPENING);
    assertThat(EncryptionBuilders.phase(Defaults.resolve(cluster, observed(opening, true))))
        .as("every member opens: seal").isEqualTo(EncryptionBuilders.Phase.SEALING);
    assertThat(EngineConfigBuilder.hash(first)).as("each step restarts the members").isNotEqualTo(EngineConfigBuilder.hash(fresh));

    // never back once sealing; back to off from opening (nothing was sealed)
    cluster.getSpec().setEncryption(null);
    assertThat(EncryptionBuilders.phase(Defaults.resolve(cluster, observed(sealing, true)))).isEqualTo(EncryptionBuilders.Phase.SEALING);
    assertThat(EncryptionBuilders.phase(Defaults.resolve(cluster, observed(opening, false)))).isEqualTo(EncryptionBuilders.Phase.OFF);
    // the user cannot steer it through the annotations
    cluster.getMetadata().setAnnotations(Map.of("aiondb.io/encryption-resolved", "SEALING"));
    assertThat(EncryptionBuilders.phase(Defaults.resolve(cluster, null))).isEqualTo(EncryptionBuilders.Phase.OFF);
    cluster.getMetadata().setAnnotations(null);

    // the user's own Secret and old keys (changing the key)
    enc.setSecretName("kek-2026");
    enc.setKey("k");
    enc.setOldKeys(List.of(new io.aiondb.operator.api.EncryptionSpec.OldKey("kek-2025", "key")));
    cluster.getSpec().setEncryption(enc);
    AionCluster own = Defaults.resolve(cluster, null);
    assertThat(EngineConfigBuilder.settings(own)).containsEntry("encryption.key-file", "/etc/aion-encryption/current/key")
        .containsEntry("encryption.old-key-files", "/etc/aion-encryption/old-0/key");
    assertThat(StatefulSetBuilders.statefulSet(own, REPO).getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getName().startsWith("encryption-"))
        .extracting(v -> v.getName() + ":" + v.getSecret().getSecretName() + ":" + v.getSecret().getItems().get(0).getKey())
        .containsExactly("encryption-key:kek-2026:k", "encryption-key-old-0:kek-2025:key");
    assertThat(EncryptionBuilders.generated(own)).isFalse();
  }

  @Test
  void theGeneratedKeySecretOutlivesTheClusterWhenItsVolumesDo() {
    var secret = EncryptionBuilders.generatedSecret(cluster, "ab".repeat(32));
    assertThat(secret.getMetadata().getName()).isEqualTo("aion-encryption-key");
    assertThat(new String(java.util.Base64.getDecoder().decode(secret.getData().get("key")))).isEqualTo("ab".repeat(32));
    assertThat(secret.getMetadata().getOwnerReferences()).as("reclaimPolicy Retain").isNullOrEmpty();
    cluster.getSpec().getStorage().setReclaimPolicy(io.aiondb.operator.api.StorageSpec.ReclaimPolicy.Delete);
    assertOwnedAndLabelled(EncryptionBuilders.generatedSecret(cluster, "ab".repeat(32)));
  }

  @Test
  void raftAcceptsOnlyPeerCertificatesOnNewGeneratedClustersAndRunningOnesKeepWhatTheyRun() {
    var tls = cluster.getSpec().getTls();
    tls.setMode(io.aiondb.operator.api.TlsSpec.Mode.Generated);
    AionCluster fresh = Defaults.resolve(cluster, null);
    assertThat(fresh.getSpec().getTls().getPeerIdentity()).isEqualTo(io.aiondb.operator.api.TlsSpec.PeerIdentity.Uri);
    assertThat(EngineConfigBuilder.settings(fresh)).containsEntry("tls.peer-identity", "uri");
    StatefulSet byUri = StatefulSetBuilders.statefulSet(fresh, REPO);
    assertThat(byUri.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("aiondb.io/peer-identity", "uri");

    // a running cluster made before this default (no annotation) keeps accepting any certificate of its CA
    tls.setPeerIdentity(io.aiondb.operator.api.TlsSpec.PeerIdentity.Any);
    StatefulSet any = StatefulSetBuilders.statefulSet(Defaults.resolve(cluster, null), REPO);
    assertThat(any.getSpec().getTemplate().getMetadata().getAnnotations()).doesNotContainKey("aiondb.io/peer-identity");
    tls.setPeerIdentity(null);
    AionCluster running = Defaults.resolve(cluster, any);
    assertThat(running.getSpec().getTls().getPeerIdentity()).isEqualTo(io.aiondb.operator.api.TlsSpec.PeerIdentity.Any);
    assertThat(EngineConfigBuilder.settings(running)).doesNotContainKey("tls.peer-identity");
    assertThat(Defaults.resolve(cluster, byUri).getSpec().getTls().getPeerIdentity())
        .isEqualTo(io.aiondb.operator.api.TlsSpec.PeerIdentity.Uri);
    tls.setPeerIdentity(io.aiondb.operator.api.TlsSpec.PeerIdentity.Uri);
    assertThat(EngineConfigBuilder.settings(Defaults.resolve(cluster, any))).as("set explicitly: turned on")
        .containsEntry("tls.peer-identity", "uri");

    // the user's certificates (mode Secret) may not name aion://peer: Any unless asked for
    tls.setPeerIdentity(null);
    tls.setMode(io.aiondb.operator.api.TlsSpec.Mode.Secret);
    tls.setSecretName("my-tls");
    assertThat(EngineConfigBuilder.settings(Defaults.resolve(cluster, null))).doesNotContainKey("tls.peer-identity");
    // without TLS there is no peer check
    tls.setMode(io.aiondb.operator.api.TlsSpec.Mode.Disabled);
    tls.setSecretName(null);
    tls.setPeerIdentity(io.aiondb.operator.api.TlsSpec.PeerIdentity.Uri);
    assertThat(EngineConfigBuilder.settings(Defaults.resolve(cluster, null))).doesNotContainKey("tls.peer-identity");
  }
}
