package io.aiondb.operator.model;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AionClusterSpec;
import io.aiondb.operator.api.PodOverrides;
import io.aiondb.operator.api.StorageSpec;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The StatefulSet running a cluster's members. Update strategy OnDelete: the operator, not the StatefulSet
 * controller, decides which pod restarts when (the leader last); podManagementPolicy Parallel, because members must
 * all start to elect a leader and none is ready before that. The engine image's entry point reads
 * {@code /etc/aion/aion.properties}, where the ConfigMap is mounted; {@code node.id} comes from the pod name.
 */
public final class StatefulSetBuilders {
  public static final String CONTAINER = "aion";
  public static final String DATA_VOLUME = "data";
  public static final String CONFIG_VOLUME = "config";
  public static final String TLS_VOLUME = "tls";
  public static final String BACKUP_KEY_VOLUME = "backup-key";
  /** spec.backup.stores: volume name prefixes (a store name has at most 40 characters: the names stay under 63). */
  public static final String STORE_VOLUME = "bstore-cred-";
  public static final String STORE_KEY_VOLUME = "bstore-key-";
  /** spec.bootstrap.restore: the init container that restores the backup before a member's first start. */
  public static final String RESTORE_CONTAINER = "restore";
  public static final String RESTORE_KEY_VOLUME = "restore-key";
  public static final String RESTORE_KEY_PATH = "/etc/aion-restore-key";
  /** Where the engine image keeps its jar (images/pom.xml): the restore init container runs it with its own command. */
  public static final String ENGINE_JAR = "/app/aion-server.jar";
  public static final String CONFIG_HASH_ANNOTATION = "aiondb.io/config-hash";
  /** User and group of the engine image (images/pom.xml). */
  public static final long ENGINE_UID = 1000;
  /** Engine shutdown.grace (30 s) plus time to leave the Raft group. */
  public static final long TERMINATION_GRACE_SECONDS = 45;

  private StatefulSetBuilders() {}

  /** The engine image: {@code spec.image} if set, otherwise {@code repository:version}. */
  public static String image(AionClusterSpec spec, String defaultRepository) {
    return spec.getImage() != null ? spec.getImage() : defaultRepository + ":" + spec.getVersion();
  }

  /** A new cluster's StatefulSet ({@link Topology#atCreation}). */
  public static StatefulSet statefulSet(AionCluster cluster, String defaultImageRepository) {
    return statefulSet(cluster, defaultImageRepository, Topology.atCreation(cluster));
  }

  /**
   * The StatefulSet with {@code topology.podReplicas()} pods: spec.replicas only at creation, after that the value
   * the roller last set (it alone scales, one member at a time). The initial members are recorded in
   * {@link Topology#INITIAL_MEMBERS_ANNOTATION}.
   */
  public static StatefulSet statefulSet(AionCluster cluster, String defaultImageRepository, Topology topology) {
    ClusterNames names = ClusterNames.of(cluster);
    AionClusterSpec spec = cluster.getSpec();
    PodOverrides pod = spec.getPod() != null ? spec.getPod() : new PodOverrides();
    StorageSpec storage = spec.getStorage() != null ? spec.getStorage() : new StorageSpec();

    Map<String, String> podLabels = new LinkedHashMap<>();
    if (pod.getLabels() != null) {
      podLabels.putAll(pod.getLabels());
    }
    podLabels.putAll(Labels.of(cluster)); // ours win: the selector depends on them
    Map<String, String> podAnnotations = new LinkedHashMap<>();
    if (pod.getAnnotations() != null) {
      podAnnotations.putAll(pod.getAnnotations());
    }
    podAnnotations.put(CONFIG_HASH_ANNOTATION, EngineConfigBuilder.hash(cluster));
    podAnnotations.remove(EncryptionBuilders.MEMBERS_ANNOTATION); // the operator's records, not the user's
    podAnnotations.putAll(EncryptionBuilders.podAnnotations(cluster));
    podAnnotations.remove(TlsBuilders.PEER_ANNOTATION);
    if (TlsBuilders.peersByUri(cluster)) podAnnotations.put(TlsBuilders.PEER_ANNOTATION, "uri");
    String whenDeleted = storage.getReclaimPolicy() == StorageSpec.ReclaimPolicy.Delete ? "Delete" : "Retain";
    var metadata = Owners.metadata(cluster, names.statefulSet());
    Map<String, String> annotations = new LinkedHashMap<>();
    if (metadata.getAnnotations() != null) annotations.putAll(metadata.getAnnotations());
    annotations.put(Topology.INITIAL_MEMBERS_ANNOTATION, topology.initialMembersValue());
    metadata.setAnnotations(annotations);

    return new StatefulSetBuilder()
        .withMetadata(metadata)
        .withNewSpec()
        .withReplicas(topology.podReplicas())
        .withServiceName(names.peerService())
        .withPodManagementPolicy("Parallel")
        .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
        .withNewPersistentVolumeClaimRetentionPolicy()
        .withWhenDeleted(whenDeleted)
        // A member removed by scaling down was decommissioned first; with Retain its old volume would come back
        // at the next scale-up holding a stale log, so its volume follows reclaimPolicy like at deletion.
        .withWhenScaled(whenDeleted)
        .endPersistentVolumeClaimRetentionPolicy()
        .withNewSelector().withMatchLabels(Labels.selector(cluster)).endSelector()
        .withNewTemplate()
        .withNewMetadata().withLabels(podLabels).withAnnotations(podAnnotations).endMetadata()
        .withNewSpec()
        // absent, not empty, without spec.bootstrap.restore: an existing cluster's template stays as it was
        .withInitContainers(restore(cluster) == null ? null : restoreContainers(cluster, defaultImageRepository))
        .withContainers(container(cluster, defaultImageRepository))
        .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
        // The engine image runs as 1000:1000; fsGroup makes the data volume writable for it.
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(ENGINE_UID)
        .withRunAsGroup(ENGINE_UID)
        .withFsGroup(ENGINE_UID)
        .withFsGroupChangePolicy("OnRootMismatch")
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .endSecurityContext()
        .withAffinity(pod.getAffinity() != null ? pod.getAffinity() : defaultAffinity(cluster))
        .withTolerations(pod.getTolerations())
        .withTopologySpreadConstraints(pod.getTopologySpreadConstraints())
        .withNodeSelector(pod.getNodeSelector())
        .addNewVolume()
        .withName(CONFIG_VOLUME)
        .withNewConfigMap().withName(names.configMap()).endConfigMap()
        .endVolume()
        .addAllToVolumes(tlsVolumes(cluster))
        .addAllToVolumes(AuthBuilders.volumes(cluster))
        .addAllToVolumes(EncryptionBuilders.volumes(cluster))
        .addAllToVolumes(backupKeyVolumes(cluster))
        .addAllToVolumes(storeVolumes(cluster))
        .addAllToVolumes(restoreKeyVolumes(cluster))
        .endSpec()
        .endTemplate()
        .withVolumeClaimTemplates(dataClaim(storage))
        .endSpec()
        .build();
  }

  /** With TLS, the Secret (tls.crt, tls.key, ca.crt) readable by the engine's group only. */
  private static java.util.List<io.fabric8.kubernetes.api.model.Volume> tlsVolumes(AionCluster cluster) {
    String secret = TlsBuilders.secretName(cluster);
    if (secret == null) return java.util.List.of();
    return java.util.List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName(TLS_VOLUME)
        .withNewSecret().withSecretName(secret).withDefaultMode(0440).endSecret().build());
  }

  /**
   * spec.backup.stores: per store its credentials Secret's two keys as the files the engine reads
   * ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}) and its key Secret's key as {@code backup.key}, readable
   * by the engine's group only. Files, not environment variables: the engine reads them at every request, so a rotated
   * Secret counts once the kubelet has updated the volume, without a restart.
   */
  private static java.util.List<io.fabric8.kubernetes.api.model.Volume> storeVolumes(AionCluster cluster) {
    var backup = cluster.getSpec().getBackup();
    if (backup == null || backup.getStores() == null) return java.util.List.of();
    java.util.List<io.fabric8.kubernetes.api.model.Volume> out = new java.util.ArrayList<>();
    for (var st : backup.getStores()) {
      var creds = st.getS3().getCredentialsSecret();
      out.add(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName(STORE_VOLUME + st.getName())
          .withNewSecret().withSecretName(creds.getName()).withDefaultMode(0440)
          .addNewItem().withKey(creds.getAccessKeyIdKey()).withPath("AWS_ACCESS_KEY_ID").endItem()
          .addNewItem().withKey(creds.getSecretAccessKeyKey()).withPath("AWS_SECRET_ACCESS_KEY").endItem()
          .endSecret().build());
      if (st.getEncryption() != null) {
        out.add(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName(STORE_KEY_VOLUME + st.getName())
            .withNewSecret().withSecretName(st.getEncryption().getSecretName()).withDefaultMode(0440)
            .addNewItem().withKey(st.getEncryption().getKey()).withPath(EngineConfigBuilder.BACKUP_KEY_FILE).endItem()
            .endSecret().build());
      }
    }
    return out;
  }

  /** With backup encryption, the key Secret's one key as a file readable by the engine's group only. */
  private static java.util.List<io.fabric8.kubernetes.api.model.Volume> backupKeyVolumes(AionCluster cluster) {
    var backup = cluster.getSpec().getBackup();
    if (backup == null || backup.getEncryption() == null) return java.util.List.of();
    return java.util.List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName(BACKUP_KEY_VOLUME)
        .withNewSecret().withSecretName(backup.getEncryption().getSecretName()).withDefaultMode(0440)
        .addNewItem().withKey(backup.getEncryption().getKey()).withPath(EngineConfigBuilder.BACKUP_KEY_FILE).endItem()
        .endSecret().build());
  }

  /**
   * The backup the members restore: spec.bootstrap.restore with a backup id and a store, or, when it names an
   * AionBackup or asks for the latest backup in a store, what that resolved to (status.restoreSource; absent until
   * resolved: no restore container, and the reconciler creates no StatefulSet before it is resolved).
   */
  public static io.aiondb.operator.api.BootstrapSpec.Restore restore(AionCluster cluster) {
    var bootstrap = cluster.getSpec().getBootstrap();
    var r = bootstrap == null ? null : bootstrap.getRestore();
    if (r == null || !r.needsResolving()) return r;
    var resolved = cluster.getStatus() == null ? null : cluster.getStatus().getRestoreSource();
    if (resolved == null) return null;
    var out = new io.aiondb.operator.api.BootstrapSpec.Restore();
    out.setBackupId(resolved.getBackupId());
    out.setSource(resolved.getSource());
    return out;
  }

  /** With spec.bootstrap.restore.source.encryption, the source's key Secret as a file readable by the engine's group. */
  private static java.util.List<io.fabric8.kubernetes.api.model.Volume> restoreKeyVolumes(AionCluster cluster) {
    var r = restore(cluster);
    if (r == null || r.getSource().getEncryption() == null) return java.util.List.of();
    var enc = r.getSource().getEncryption();
    return java.util.List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName(RESTORE_KEY_VOLUME)
        .withNewSecret().withSecretName(enc.getSecretName()).withDefaultMode(0440)
        .addNewItem().withKey(enc.getKey()).withPath(EngineConfigBuilder.BACKUP_KEY_FILE).endItem()
        .endSecret().build());
  }

  /**
   * spec.bootstrap.restore: {@code aion-server restore --init} before every start of a member (docs/backup.md
   * "Restore"). It restores only into an empty data directory of a member that forms the cluster (listed in
   * cluster.initial-members), so a restarted member keeps its data and a member added by scaling starts empty and
   * joins. The source store's settings are flags that override the member's configuration file; its credentials and
   * key come from the source's Secrets. Same image, volumes, resources and security as the engine container.
   */
  static java.util.List<Container> restoreContainers(AionCluster cluster, String defaultImageRepository) {
    var r = restore(cluster);
    if (r == null) return java.util.List.of();
    Container engine = container(cluster, defaultImageRepository);
    var s3 = r.getSource().getS3();
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("java", "--enable-native-access=ALL-UNNAMED",
        "-jar", ENGINE_JAR, "restore", "--init", "--backup", r.getBackupId(),
        "--config", EngineConfigBuilder.MOUNT_PATH + "/" + EngineConfigBuilder.FILE_NAME,
        "--backup.s3.bucket=" + s3.getBucket(),
        "--backup.s3.endpoint=" + (s3.getEndpoint() == null ? "" : s3.getEndpoint()),
        "--backup.s3.prefix=" + s3.getPrefix(),
        "--backup.s3.region=" + (s3.getRegion() == null ? "us-east-1" : s3.getRegion()),
        "--backup.s3.path-style=" + Boolean.TRUE.equals(s3.getPathStyle())));
    if (r.getSource().getEncryption() != null) {
      command.add("--backup.encryption-key-file=" + RESTORE_KEY_PATH + "/" + EngineConfigBuilder.BACKUP_KEY_FILE);
      command.add("--backup.encryption-old-key-files=");
    }
    ContainerBuilder b = new ContainerBuilder()
        .withName(RESTORE_CONTAINER)
        .withImage(engine.getImage())
        .withImagePullPolicy(engine.getImagePullPolicy())
        .withCommand(command)
        .addNewEnv().withName("AION_NODE_ID")
        .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom()
        .endEnv()
        .withResources(engine.getResources())
        .withVolumeMounts(engine.getVolumeMounts())
        .withSecurityContext(engine.getSecurityContext());
    var creds = s3.getCredentialsSecret();
    b.addNewEnv().withName("AWS_ACCESS_KEY_ID").withNewValueFrom().withNewSecretKeyRef()
        .withName(creds.getName()).withKey(creds.getAccessKeyIdKey()).endSecretKeyRef().endValueFrom().endEnv();
    b.addNewEnv().withName("AWS_SECRET_ACCESS_KEY").withNewValueFrom().withNewSecretKeyRef()
        .withName(creds.getName()).withKey(creds.getSecretAccessKeyKey()).endSecretKeyRef().endValueFrom().endEnv();
    if (r.getSource().getEncryption() != null) {
      b.addNewVolumeMount().withName(RESTORE_KEY_VOLUME).withMountPath(RESTORE_KEY_PATH).withReadOnly(true).endVolumeMount();
    }
    return java.util.List.of(b.build());
  }

  static Container container(AionCluster cluster, String defaultImageRepository) {
    String scheme = TlsBuilders.enabled(cluster) ? "HTTPS" : "HTTP";
    ContainerBuilder b = new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(image(cluster.getSpec(), defaultImageRepository))
        .withImagePullPolicy("IfNotPresent")
        .addNewEnv().withName("AION_NODE_ID")
        .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom()
        .endEnv()
        .addNewPort().withName("http").withContainerPort(ClusterNames.HTTP_PORT).withProtocol("TCP").endPort()
        .addNewPort().withName("raft").withContainerPort(ClusterNames.RAFT_PORT).withProtocol("TCP").endPort()
        .withResources(cluster.getSpec().getResources())
        // Opening RocksDB after a crash can take a while: the startup probe gives it 5 minutes before liveness counts.
        .withStartupProbe(probe("/health", scheme, 5, 60))
        .withLivenessProbe(probe("/health", scheme, 10, 6))
        .withReadinessProbe(probe("/ready", scheme, 5, 3))
        .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(EngineConfigBuilder.DATA_PATH).endVolumeMount()
        .addNewVolumeMount().withName(CONFIG_VOLUME).withMountPath(EngineConfigBuilder.MOUNT_PATH)
        .withReadOnly(true).endVolumeMount()
        .withNewSecurityContext().withAllowPrivilegeEscalation(false).endSecurityContext();
    b.addAllToVolumeMounts(AuthBuilders.mounts(cluster));
    b.addAllToVolumeMounts(EncryptionBuilders.mounts(cluster));
    if (TlsBuilders.enabled(cluster)) {
      b.addNewVolumeMount().withName(TLS_VOLUME).withMountPath(TlsBuilders.MOUNT_PATH).withReadOnly(true).endVolumeMount();
    }
    var backup = cluster.getSpec().getBackup();
    if (backup != null && backup.getS3() != null && backup.getS3().getCredentialsSecret() != null) {
      // the engine's S3 client reads these (the AWS SDK's default chain); a rotated Secret takes effect at the next restart
      var creds = backup.getS3().getCredentialsSecret();
      b.addNewEnv().withName("AWS_ACCESS_KEY_ID").withNewValueFrom().withNewSecretKeyRef()
          .withName(creds.getName()).withKey(creds.getAccessKeyIdKey()).endSecretKeyRef().endValueFrom().endEnv();
      b.addNewEnv().withName("AWS_SECRET_ACCESS_KEY").withNewValueFrom().withNewSecretKeyRef()
          .withName(creds.getName()).withKey(creds.getSecretAccessKeyKey()).endSecretKeyRef().endValueFrom().endEnv();
    }
    if (backup != null && backup.getEncryption() != null) {
      b.addNewVolumeMount().withName(BACKUP_KEY_VOLUME).withMountPath(EngineConfigBuilder.BACKUP_KEY_PATH)
          .withReadOnly(true).endVolumeMount();
    }
    if (backup != null && backup.getStores() != null) {
      for (var st : backup.getStores()) {
        String dir = EngineConfigBuilder.STORES_PATH + "/" + st.getName();
        b.addNewVolumeMount().withName(STORE_VOLUME + st.getName()).withMountPath(dir + "/credentials")
            .withReadOnly(true).endVolumeMount();
        if (st.getEncryption() != null) {
          b.addNewVolumeMount().withName(STORE_KEY_VOLUME + st.getName()).withMountPath(dir + "/key")
              .withReadOnly(true).endVolumeMount();
        }
      }
    }
    return b.build();
  }

  private static Probe probe(String path, String scheme, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet().withPath(path).withPort(new IntOrString("http")).withScheme(scheme).endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(3)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  /** Prefer one member per node (weight 100) and spreading across zones (weight 50); never required. */
  public static Affinity defaultAffinity(AionCluster cluster) {
    return new AffinityBuilder()
        .withNewPodAntiAffinity()
        .withPreferredDuringSchedulingIgnoredDuringExecution(
            spread(cluster, "kubernetes.io/hostname", 100), spread(cluster, "topology.kubernetes.io/zone", 50))
        .endPodAntiAffinity()
        .build();
  }

  private static WeightedPodAffinityTerm spread(AionCluster cluster, String topologyKey, int weight) {
    return new WeightedPodAffinityTermBuilder()
        .withWeight(weight)
        .withNewPodAffinityTerm()
        .withTopologyKey(topologyKey)
        .withNewLabelSelector().withMatchLabels(Labels.selector(cluster)).endLabelSelector()
        .endPodAffinityTerm()
        .build();
  }

  static PersistentVolumeClaim dataClaim(StorageSpec storage) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(DATA_VOLUME).endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(storage.getStorageClassName())
        .withNewResources().addToRequests("storage", new Quantity(storage.getSize())).endResources()
        .endSpec()
        .build();
  }
}
