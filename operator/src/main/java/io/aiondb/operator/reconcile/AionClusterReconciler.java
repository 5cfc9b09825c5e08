package io.aiondb.operator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.operator.OperatorConfig;
import io.aiondb.operator.api.AionBackup;
import io.aiondb.operator.backup.BackupCatalog;
import io.aiondb.operator.backup.S3BackupCatalog;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AionClusterStatus;
import io.aiondb.operator.api.LastBackup;
import io.aiondb.operator.engine.ClusterView;
import io.aiondb.operator.engine.EngineAddresses;
import io.aiondb.operator.engine.EngineClient;
import io.aiondb.operator.engine.EngineUnavailableException;
import io.aiondb.operator.engine.EngineAccess;
import io.aiondb.operator.engine.OperatorKey;
import io.aiondb.operator.model.Defaults;
import io.aiondb.operator.model.ClusterNames;
import io.aiondb.operator.model.NetworkPolicies;
import io.aiondb.operator.model.DisruptionBudgetBuilder;
import io.aiondb.operator.model.EngineConfigBuilder;
import io.aiondb.operator.model.Labels;
import io.aiondb.operator.model.ServiceBuilders;
import io.aiondb.operator.model.StatefulSetBuilders;
import io.aiondb.operator.model.TlsBuilders;
import io.aiondb.operator.model.Topology;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reconciles an AionCluster. The steps, in order:
 * <ol>
 *   <li>check the spec against what runs ({@link ChangeGate}): a change the operator cannot carry out yet stops here,
 *       leaving the cluster untouched;</li>
 *   <li>configuration: the engine's properties file (ConfigMap);</li>
 *   <li>services: the headless peer Service and the client Service;</li>
 *   <li>volumes ({@link VolumeStep}, decided with step 1, so that its refusal changes nothing): a larger
 *       spec.storage.size grows the claims, then the StatefulSet is recreated (pods orphaned) with the new claim
 *       template; until then step 4 leaves the StatefulSet alone;</li>
 *   <li>StatefulSet;</li>
 *   <li>PodDisruptionBudget;</li>
 *   <li>rollout ({@link RolloutStep}): the one next step that carries the spec out on the members — restart a pod,
 *       move leadership, add, promote or remove a member, resize the StatefulSet — or why it waits;</li>
 *   <li>members: read leader and members from the engine's cluster API;</li>
 *   <li>status ({@link StatusBuilder}), an Event per change of phase or condition, and the next look.</li>
 * </ol>
 * A step that throws ends the reconcile: {@link #updateErrorStatus} turns the error into conditions and an Event.
 * Secrets and certificates ({@link CertificateStep}) come between configuration and services: with spec.tls a
 * user's Secret is checked before anything else (a bad one blocks), a Generated CA and certificate are created or
 * renewed. With spec.paused, steps 1–5 are skipped; so are they when a change is refused, except that a running
 * cluster's generated certificate is still renewed before it expires ({@link CertificateStep#renewRunning}).
 */
@ControllerConfiguration(name = AionClusterReconciler.NAME)
public class AionClusterReconciler implements Reconciler<AionCluster> {
  public static final String NAME = "aioncluster";
  private static final Logger LOG = Logger.getLogger(AionClusterReconciler.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final OperatorConfig config;
  private final EngineClient engine;
  private final EngineAddresses addresses;
  private final Applier applier;
  private final EventRecorder events;
  private final Backoff backoff;
  private final CertificateStep certificates;
  private final AuthStep credentials;
  private final EncryptionStep encryptionKey;
  private final VolumeStep volumes;
  private final RolloutStep rollout;
  private final MonitoringStep monitoring;
  private final BackupCatalog catalog;

  private final io.aiondb.operator.metrics.ClusterMetrics metrics;

  @Inject
  public AionClusterReconciler(KubernetesClient client, OperatorConfig config,
      @ConfigProperty(name = "HOSTNAME", defaultValue = "aion-operator") String instance,
      io.aiondb.operator.metrics.ClusterMetrics metrics) {
    this.client = client;
    this.metrics = metrics;
    this.config = config;
    this.engine = new EngineClient(config.engineTimeout());
    this.addresses = new EngineAddresses(config.engineUrlTemplate(), config.engineMemberUrlTemplate());
    this.applier = new Applier(client);
    this.events = new EventRecorder(client, instance);
    this.backoff = new Backoff(config.backoffInitial(), config.backoffMax());
    this.certificates = new CertificateStep(client, applier);
    this.credentials = new AuthStep(client);
    this.encryptionKey = new EncryptionStep(client);
    this.volumes = new VolumeStep(client, events);
    this.rollout = new RolloutStep(client, engine, applier, events);
    this.monitoring = new MonitoringStep(client);
    this.catalog = new S3BackupCatalog(config.engineTimeout());
  }

  @Override
  public List<EventSource<?, AionCluster>> prepareEventSources(EventSourceContext<AionCluster> context) {
    // A StatefulSet's status (ready pods) changing wakes its cluster up; mapped through the owner reference.
    var statefulSets = InformerEventSourceConfiguration.from(StatefulSet.class, AionCluster.class)
        .withLabelSelector(Labels.MANAGED_SELECTOR)
        .build();
    // An AionBackup of the cluster completing updates status.lastBackup; mapped through its spec.cluster.
    var backups = InformerEventSourceConfiguration.from(AionBackup.class, AionCluster.class)
        .withSecondaryToPrimaryMapper(b -> b.getSpec() == null || b.getSpec().getCluster() == null ? Set.of()
            : Set.of(new ResourceID(b.getSpec().getCluster(), b.getMetadata().getNamespace())))
        .build();
    return List.of(new InformerEventSource<>(statefulSets, context), new InformerEventSource<>(backups, context));
  }

  @Override
  public UpdateControl<AionCluster> reconcile(AionCluster given, Context<AionCluster> context) {
    ClusterNames names = ClusterNames.of(given);
    StatefulSet running = client.apps().statefulSets().inNamespace(names.namespace()).withName(names.statefulSet()).get();
    AionCluster cluster = Defaults.resolve(given, running);
    List<Blocker> blockers = List.of();
    CertificateStep.Outcome tls = metrics.step("tls-check", () -> certificates.check(cluster));
    boolean applied = false;
    VolumeStep.Outcome grow = VolumeStep.Outcome.NONE;
    RolloutStep.Outcome rolled = null;
    Blocker restore = cluster.getSpec().isPaused() ? null : resolveRestore(cluster);
    if (!cluster.getSpec().isPaused()) {
      Topology topology = Topology.of(cluster, running);
      StatefulSet desired = StatefulSetBuilders.statefulSet(cluster, config.engineImageRepository(), topology);
      final StatefulSet before = running;
      final CertificateStep.Outcome checked = tls;
      blockers = metrics.step("checks", () -> {
        List<Blocker> found = new java.util.ArrayList<>(ChangeGate.check(cluster, before, desired));
        found.addAll(checked.blockers());
        found.addAll(credentials.check(cluster));
        found.addAll(encryptionKey.check(cluster));
        return found;
      });
      if (restore != null) blockers.add(0, restore);
      final StatefulSet current = running;
      if (blockers.isEmpty()) blockers.addAll((grow = metrics.step("volumes", () -> volumes.run(cluster, current, desired))).blockers());
      if (blockers.isEmpty()) {
        metrics.step("configuration", () -> applyConfiguration(cluster, topology));
        tls = metrics.step("certificates", () -> certificates.ensure(cluster, Instant.now()));
        for (String action : tls.actions()) events.normal(cluster, "Certificates", action);
        for (String action : metrics.step("credentials", () -> credentials.ensure(cluster))) {
          events.normal(cluster, "Credentials", action);
        }
        for (String action : metrics.step("encryption-key", () -> encryptionKey.ensure(cluster))) {
          events.normal(cluster, "EncryptionKey", action);
        }
        encryptionEvents(cluster, running);
        metrics.step("services", () -> applyServices(cluster));
        if (!grow.holdStatefulSet()) running = metrics.step("statefulset", () -> applyStatefulSet(cluster, desired));
        metrics.step("disruption-budget", () -> applyPodDisruptionBudget(cluster, budgetMembers(cluster, topology)));
        metrics.step("network-policy", () -> applyNetworkPolicy(cluster));
        metrics.step("monitoring", () -> applyMonitoring(cluster));
        applied = true;
        // while volume growth holds the StatefulSet (deleted with its pods orphaned, not yet recreated) nothing rolls
        if (!grow.holdStatefulSet()) {
          final StatefulSet applied0 = running;
          final EngineAccess engineAccess = access(cluster, tls);
          rolled = metrics.step("rollout", () -> rollOut(cluster, applied0, topology, engineAccess));
        }
      }
    }
    if (!applied) {
      // Paused or refused: nothing changes, except that the members' certificate must not run out meanwhile.
      for (String action : certificates.renewRunning(cluster, running, Instant.now())) {
        events.normal(cluster, "Certificates", action);
      }
    }
    final StatefulSet observed = running;
    final List<Blocker> blocking = blockers;
    final EngineAccess observeAccess = access(cluster, tls);
    Observation seen = metrics.step("observe", () -> readMembers(cluster, observed, blocking, observeAccess)).with(rolled);
    AionClusterStatus status = grow.report(cluster, StatusBuilder.build(cluster, seen, Instant.now()), Instant.now());
    status.setLastBackup(LastBackup.newest(context.getSecondaryResources(AionBackup.class)));
    if (cluster.getStatus() != null) status.setRestoreSource(cluster.getStatus().getRestoreSource());
    reportRestore(cluster, status, running);
    recordTransitions(cluster, status);
    metrics.record(cluster, status, context.getPrimaryCache().list().toList());
    UpdateControl<AionCluster> control = updateStatus(cluster, status, rolled);
    return grow.inProgress() ? control.rescheduleAfter(config.backoffInitial()) : control;
  }

  /**
   * A reconcile that threw: Degraded/Progressing say {@link StatusBuilder#RECONCILE_ERROR} with the error, a Warning
   * Event too, and the cluster is looked at again with the operator's backoff (JOSDK's own retry, which gives up after
   * a few attempts, is not used: the error may be fixed by hand at any time, e.g. a conflicting object deleted).
   */
  @Override
  public ErrorStatusUpdateControl<AionCluster> updateErrorStatus(AionCluster cluster, Context<AionCluster> context,
      Exception e) {
    if (staleWrite(e)) {
      // Optimistic locking did its job: this reconcile started from a copy the API server has since changed (often the
      // status this operator wrote a moment before). Nothing is wrong: look again at once with a fresh copy, without
      // a Warning or a ReconcileError condition (RolloutIT saw ~14 per run, each a false alarm for the user).
      LOG.debugf("%s/%s: stale copy (%s); reconciling again", cluster.getMetadata().getNamespace(),
          cluster.getMetadata().getName(), describe(e));
      return ErrorStatusUpdateControl.<AionCluster>noStatusUpdate().withNoRetry().rescheduleAfter(STALE_RETRY);
    }
    String error = describe(e);
    LOG.warnf(e, "%s/%s: reconcile failed: %s", cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(),
        error);
    Instant now = Instant.now();
    AionClusterStatus status = StatusBuilder.failed(cluster, error, now);
    metrics.record(cluster, status, context.getPrimaryCache().list().toList());
    events.warning(cluster, StatusBuilder.RECONCILE_ERROR, error);
    Condition degraded = Conditions.find(status.getConditions(), Conditions.DEGRADED);
    Duration failingFor = Duration.between(Instant.parse(degraded.getLastTransitionTime()), now);
    ErrorStatusUpdateControl<AionCluster> control;
    if (JSON.valueToTree(status).equals(JSON.valueToTree(cluster.getStatus()))) {
      control = ErrorStatusUpdateControl.noStatusUpdate();
    } else {
      cluster.setStatus(status);
      control = ErrorStatusUpdateControl.patchStatus(cluster);
    }
    return control.withNoRetry().rescheduleAfter(backoff.next(failingFor));
  }

  static final Duration STALE_RETRY = Duration.ofMillis(200);

  /**
   * The API server refused a write because the object changed since it was read (409 with reason Conflict), anywhere
   * in the cause chain. Not AlreadyExists (also 409), which is a real problem to report.
   */
  static boolean staleWrite(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() == 409 && k.getStatus() != null
          && "Conflict".equals(k.getStatus().getReason())) {
        return true;
      }
    }
    return false;
  }

  /** What went wrong, in a sentence: the API server's own message when it refused a request. */
  static String describe(Exception e) {
    String text;
    if (e instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
      text = "the API server answered " + k.getCode() + " (" + k.getStatus().getReason() + "): "
          + k.getStatus().getMessage() + ".";
    } else {
      text = e.getClass().getSimpleName() + (e.getMessage() == null ? "." : ": " + e.getMessage());
    }
    return text.length() > 900 ? text.substring(0, 900) + "..." : text;
  }

  private void applyConfiguration(AionCluster cluster, Topology topology) {
    report(cluster, applier.apply(EngineConfigBuilder.configMap(cluster, topology)));
  }

  /** Says when the members move to another encryption phase, and when spec.encryption asks for what cannot be. */
  private void encryptionEvents(AionCluster cluster, StatefulSet running) {
    if (running == null) return;
    var now = io.aiondb.operator.model.EncryptionBuilders.running(running);
    var next = io.aiondb.operator.model.EncryptionBuilders.phase(cluster);
    if (now == next) {
      if (next == io.aiondb.operator.model.EncryptionBuilders.Phase.SEALING
          && !io.aiondb.operator.model.EncryptionBuilders.wanted(cluster)) {
        events.warning(cluster, "EncryptionStaysOn", "spec.encryption.enabled is not true, but the members seal their "
            + "data: encryption at rest cannot be turned off (the data could no longer be read); they keep their key.");
      }
      return;
    }
    events.normal(cluster, "Encryption", switch (next) {
      case OPENING -> "Rolling out members that open sealed data (encryption.old-key-files); once all run, a second "
          + "rollout makes them seal.";
      case SEALING -> "Every member opens sealed data: rolling out members that seal (encryption.key-file).";
      case OFF -> "Encryption at rest turned off before any member sealed: rolling out members without the key.";
    });
  }

  /**
   * spec.bootstrap.restore.backup (an AionBackup by name): resolved once, before anything is created, into the backup
   * id and its cluster's store, kept in status.restoreSource (set here on the object in memory, written with the
   * status), so that the members' pod template stays the same when the AionBackup or its cluster goes later. A
   * Blocker while it cannot be resolved: nothing is created.
   */
  private Blocker resolveRestore(AionCluster cluster) {
    var bootstrap = cluster.getSpec().getBootstrap();
    var wanted = bootstrap == null ? null : bootstrap.getRestore();
    if (wanted == null || !wanted.needsResolving()) return null;
    if (cluster.getStatus() != null && cluster.getStatus().getRestoreSource() != null) return null;
    if (wanted.getBackup() == null) return resolveLatest(cluster, wanted);
    String ns = cluster.getMetadata().getNamespace();
    AionBackup backup = client.resources(AionBackup.class).inNamespace(ns).withName(wanted.getBackup()).get();
    if (backup == null) {
      return new Blocker("RestoreSourceNotFound", "spec.bootstrap.restore.backup: AionBackup " + wanted.getBackup()
          + " does not exist in namespace " + ns + ".");
    }
    var phase = backup.getStatus() == null ? null : backup.getStatus().getPhase();
    if (phase != io.aiondb.operator.api.AionBackupStatus.Phase.Completed) {
      return new Blocker("RestoreSourceNotReady", "spec.bootstrap.restore.backup: AionBackup " + wanted.getBackup()
          + " is " + (phase == null ? "Pending" : phase) + "; the cluster is created from it once it is Completed.");
    }
    AionCluster source = client.resources(AionCluster.class).inNamespace(ns).withName(backup.getSpec().getCluster()).get();
    if (source == null || source.getSpec().getBackup() == null) {
      return new Blocker("RestoreSourceNotFound", "spec.bootstrap.restore.backup: the store of AionBackup "
          + wanted.getBackup() + " is not known any more (AionCluster " + backup.getSpec().getCluster() + " is gone or"
          + " has no spec.backup): give restore.backupId " + backup.getStatus().getBackupId() + " and restore.source"
          + " (that cluster's store, with its prefix) instead.");
    }
    String storeName = backup.getSpec().getStore();
    var named = source.getSpec().getBackup().store(storeName);
    if (storeName != null && named == null) {
      return new Blocker("RestoreSourceNotFound", "spec.bootstrap.restore.backup: AionCluster "
          + backup.getSpec().getCluster() + " no longer has store '" + storeName + "' that AionBackup " + wanted.getBackup()
          + " went to: give restore.backupId " + backup.getStatus().getBackupId() + " and restore.source (that store,"
          + " with its prefix) instead.");
    }
    io.aiondb.operator.api.BackupSpec store;
    if (named == null) {
      store = JSON.convertValue(source.getSpec().getBackup(), io.aiondb.operator.api.BackupSpec.class);
      store.setStores(null);
      store.getS3().setPrefix(EngineConfigBuilder.backupPrefix(source));
    } else {
      store = new io.aiondb.operator.api.BackupSpec();
      store.setS3(JSON.convertValue(named.getS3(), io.aiondb.operator.api.BackupSpec.S3.class));
      store.getS3().setPrefix(EngineConfigBuilder.storePrefix(source, named));
      store.setEncryption(named.getEncryption());
    }
    var resolved = new io.aiondb.operator.api.RestoreSource();
    resolved.setBackup(wanted.getBackup());
    resolved.setBackupId(backup.getStatus().getBackupId());
    resolved.setSource(store);
    if (cluster.getStatus() == null) cluster.setStatus(new AionClusterStatus());
    cluster.getStatus().setRestoreSource(resolved);
    events.normal(cluster, "RestoreSourceResolved", "Restoring backup " + resolved.getBackupId() + " of AionCluster "
        + source.getMetadata().getName() + " (AionBackup " + wanted.getBackup() + ") from " + store.getS3().getBucket()
        + "/" + store.getS3().getPrefix() + ".");
    return null;
  }

  /**
   * spec.bootstrap.restore.backupId latest: the newest complete backup in the source store (the engine's order:
   * started first, then id), listed once with the source's credentials and kept in status.restoreSource, so every
   * member restores the same backup even when newer ones arrive while they restore. A Blocker while the Secret, the
   * store or a backup in it is missing: nothing is created, and the cluster looks again.
   */
  private Blocker resolveLatest(AionCluster cluster, io.aiondb.operator.api.BootstrapSpec.Restore wanted) {
    String ns = cluster.getMetadata().getNamespace();
    var s3 = wanted.getSource().getS3();
    String where = s3.getBucket() + "/" + s3.getPrefix();
    var ref = s3.getCredentialsSecret();
    var secret = client.secrets().inNamespace(ns).withName(ref.getName()).get();
    String keyId = secretValue(secret, ref.getAccessKeyIdKey());
    String secretKey = secretValue(secret, ref.getSecretAccessKeyKey());
    if (keyId == null || secretKey == null) {
      return new Blocker("RestoreSourceNotFound", "spec.bootstrap.restore.source.s3.credentialsSecret: "
          + (secret == null ? "Secret " + ref.getName() + " does not exist in namespace " + ns
              : "Secret " + ref.getName() + " has no key " + (keyId == null ? ref.getAccessKeyIdKey() : ref.getSecretAccessKeyKey()))
          + "; the latest backup in " + where + " is looked up with it.");
    }
    List<BackupCatalog.Stored> stored;
    try {
      stored = catalog.list(s3, keyId, secretKey);
    } catch (java.io.IOException e) {
      return new Blocker("RestoreSourceUnreadable", "spec.bootstrap.restore: cannot list the backups in " + where
          + ": " + e.getMessage() + " (give restore.backupId to restore a known backup)");
    }
    if (stored.isEmpty()) {
      return new Blocker("RestoreSourceNotFound", "spec.bootstrap.restore.backupId latest: there is no complete backup"
          + " in " + where + " (a backup is complete once its manifest is written); the cluster is created when there is.");
    }
    BackupCatalog.Stored newest = stored.get(stored.size() - 1);
    var resolved = new io.aiondb.operator.api.RestoreSource();
    resolved.setBackupId(newest.id());
    resolved.setSource(wanted.getSource());
    if (cluster.getStatus() == null) cluster.setStatus(new AionClusterStatus());
    cluster.getStatus().setRestoreSource(resolved);
    events.normal(cluster, "RestoreSourceResolved", "Restoring backup " + newest.id() + " (started " + newest.createdAt()
        + "), the latest of " + stored.size() + " in " + where + ".");
    return null;
  }

  private static String secretValue(io.fabric8.kubernetes.api.model.Secret secret, String key) {
    if (secret == null) return null;
    if (secret.getData() != null && secret.getData().get(key) != null) {
      return new String(java.util.Base64.getDecoder().decode(secret.getData().get(key)),
          java.nio.charset.StandardCharsets.UTF_8).trim();
    }
    return secret.getStringData() == null ? null : secret.getStringData().get(key);
  }

  /** While a cluster created from a backup is Creating: Progressing says how far its members' restores are. */
  private void reportRestore(AionCluster cluster, AionClusterStatus status, StatefulSet running) {
    var restore = StatefulSetBuilders.restore(cluster);
    if (restore == null || running == null || status.getPhase() != AionClusterStatus.Phase.Creating) return;
    var pods = client.pods().inNamespace(cluster.getMetadata().getNamespace()).withLabels(Labels.selector(cluster))
        .list().getItems();
    String message = RestoreProgress.describe(restore.getBackupId(), pods, cluster.getSpec().getReplicas());
    Condition progressing = Conditions.find(status.getConditions(), Conditions.PROGRESSING);
    if (message != null && progressing != null && "Creating".equals(progressing.getReason())) {
      progressing.setReason("Restoring");
      progressing.setMessage(message);
    }
  }

  /** The rollout step, once the engine can be asked (with TLS: once the cluster's CA is known). */
  private RolloutStep.Outcome rollOut(AionCluster cluster, StatefulSet running, Topology topology, EngineAccess access) {
    if (running == null || (TlsBuilders.enabled(cluster) && access.caPem() == null)) {
      return null;
    }
    return rollout.run(cluster, running, topology, config.engineImageRepository(), addresses.cluster(cluster),
        pod -> addresses.member(cluster, pod), access, Instant.now());
  }

  /** How to reach the members: the CA to trust (with TLS) and the operator's API key (when its Secret exists). */
  private EngineAccess access(AionCluster cluster, CertificateStep.Outcome tls) {
    return new EngineAccess(tls.caPem(), OperatorKey.read(client, cluster));
  }

  private URI engineBase(AionCluster cluster) {
    return addresses.cluster(cluster);
  }

  private void applyServices(AionCluster cluster) {
    report(cluster, applier.apply(ServiceBuilders.peerService(cluster)));
    report(cluster, applier.apply(ServiceBuilders.clientService(cluster)));
  }

  private StatefulSet applyStatefulSet(AionCluster cluster, StatefulSet desired) {
    Applier.Result<StatefulSet> result = applier.apply(desired);
    report(cluster, result);
    return result.object();
  }

  /**
   * The members the disruption budget protects: the smaller of spec.replicas and the pods, and, while members are
   * being added, only the voters the last status saw (a learner that is catching up adds no tolerance: 4 voters and a
   * joining fifth may lose 1, not 2).
   */
  static int budgetMembers(AionCluster cluster, Topology topology) {
    int members = Math.min(cluster.getSpec().replicasOrDefault(), topology.podReplicas());
    var seen = cluster.getStatus() == null ? null : cluster.getStatus().getMembers();
    long voters = seen == null ? 0 : seen.stream().filter(m -> "Voter".equals(m.getMembership())).count();
    return voters > 0 ? (int) Math.min(members, voters) : members;
  }

  /** spec.networkPolicy: kept as built, or deleted when turned off. */
  private void applyNetworkPolicy(AionCluster cluster) {
    var desired = NetworkPolicies.networkPolicy(cluster, config.leaseNamespace());
    if (desired != null) {
      report(cluster, applier.apply(desired));
      return;
    }
    ClusterNames names = ClusterNames.of(cluster);
    if (applier.deleteIfExists(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class, names.namespace(),
        names.networkPolicy()) == Applier.Action.DELETED) {
      events.normal(cluster, "Deleted", "Deleted NetworkPolicy " + names.networkPolicy() + ": spec.networkPolicy.enabled is false.");
    }
  }

  private void applyMonitoring(AionCluster cluster) {
    String name = ClusterNames.of(cluster).name();
    switch (monitoring.run(cluster)) {
      case CREATED -> events.normal(cluster, "Created", "Created PodMonitor " + name + ".");
      case UPDATED -> events.normal(cluster, "Updated", "Updated PodMonitor " + name + ".");
      case DELETED -> events.normal(cluster, "Deleted", "Deleted PodMonitor " + name + ": spec.monitoring.podMonitor is"
          + " not true.");
      case UNAVAILABLE -> events.warning(cluster, "MonitoringUnavailable", "spec.monitoring.podMonitor is true but the"
          + " API server has no PodMonitor kind (monitoring.coreos.com/v1): install the Prometheus Operator, or scrape"
          + " the members' /metrics another way. The cluster is not affected.");
      default -> { }
    }
  }

  private void applyPodDisruptionBudget(AionCluster cluster, int members) {
    PodDisruptionBudget desired = DisruptionBudgetBuilder.podDisruptionBudget(cluster, members);
    if (desired != null) {
      report(cluster, applier.apply(desired));
      return;
    }
    ClusterNames names = ClusterNames.of(cluster);
    if (applier.deleteIfExists(PodDisruptionBudget.class, names.namespace(), names.podDisruptionBudget())
        == Applier.Action.DELETED) {
      events.normal(cluster, "Deleted", "Deleted PodDisruptionBudget " + names.podDisruptionBudget()
          + ": a single member has no quorum to protect.");
    }
  }

  private Observation readMembers(AionCluster cluster, StatefulSet running, List<Blocker> blockers, EngineAccess access) {
    if (running == null) {
      return new Observation(null, null, "no members exist yet", blockers);
    }
    URI base = engineBase(cluster);
    if (TlsBuilders.enabled(cluster) && access.caPem() == null) {
      return new Observation(running, null, "TLS is on but the cluster's CA is not known yet", blockers);
    }
    try {
      ClusterView view = engine.members(base, access);
      return new Observation(running, view, null, blockers);
    } catch (EngineUnavailableException e) {
      LOG.debugf("%s/%s: engine unavailable: %s", cluster.getMetadata().getNamespace(),
          cluster.getMetadata().getName(), e.getMessage());
      return new Observation(running, null, e.getMessage(), blockers);
    }
  }

  private void recordTransitions(AionCluster cluster, AionClusterStatus next) {
    AionClusterStatus old = cluster.getStatus();
    AionClusterStatus.Phase oldPhase = old == null ? null : old.getPhase();
    if (oldPhase != next.getPhase()) {
      events.normal(cluster, "Phase" + next.getPhase(), "Phase " + (oldPhase == null ? "(none)" : oldPhase)
          + " -> " + next.getPhase() + ".");
    }
    List<Condition> oldConditions = old == null ? List.of() : old.getConditions();
    for (String type : List.of(Conditions.PROGRESSING, Conditions.DEGRADED)) {
      Condition was = Conditions.find(oldConditions, type);
      Condition now = Conditions.find(next.getConditions(), type);
      boolean changed = was == null || !Objects.equals(was.getStatus(), now.getStatus())
          || !Objects.equals(was.getReason(), now.getReason());
      boolean bad = (type.equals(Conditions.DEGRADED) && "True".equals(now.getStatus()))
          || (type.equals(Conditions.PROGRESSING) && isBlocker(now.getReason()));
      if (changed && bad) {
        events.warning(cluster, now.getReason(), now.getMessage());
      }
    }
    if (!Objects.equals(oldLeader(old), next.getLeader()) && next.getLeader() != null) {
      events.normal(cluster, "LeaderObserved", "Leader is " + next.getLeader() + ".");
    }
  }

  private static String oldLeader(AionClusterStatus old) {
    return old == null ? null : old.getLeader();
  }

  private static boolean isBlocker(String reason) {
    return reason != null && (reason.endsWith("NotSupported") || reason.startsWith("TLS"));
  }

  private UpdateControl<AionCluster> updateStatus(AionCluster cluster, AionClusterStatus status,
      RolloutStep.Outcome rolled) {
    UpdateControl<AionCluster> control;
    if (JSON.valueToTree(status).equals(JSON.valueToTree(cluster.getStatus()))) {
      control = UpdateControl.noUpdate();
    } else {
      cluster.setStatus(status);
      control = UpdateControl.patchStatus(cluster);
    }
    Duration next = nextLook(status);
    if (rolled != null && !rolled.done() && !(rolled.action() instanceof io.aiondb.operator.rollout.Action.Halt)
        && rolled.requeueAfter().compareTo(next) < 0) {
      next = rolled.requeueAfter();
    }
    return control.rescheduleAfter(next);
  }

  private Duration nextLook(AionClusterStatus status) {
    Condition degraded = Conditions.find(status.getConditions(), Conditions.DEGRADED);
    if (degraded != null && "True".equals(degraded.getStatus()) && "EngineUnreachable".equals(degraded.getReason())) {
      Duration failingFor = Duration.between(Instant.parse(degraded.getLastTransitionTime()), Instant.now());
      return backoff.next(failingFor);
    }
    if (status.getPhase() == AionClusterStatus.Phase.Running || status.getPhase() == AionClusterStatus.Phase.Paused) {
      return config.resyncInterval();
    }
    return config.backoffInitial().multipliedBy(5);
  }

  private void report(AionCluster cluster, Applier.Result<? extends HasMetadata> result) {
    if (result.action() == Applier.Action.UNCHANGED) {
      return;
    }
    HasMetadata object = result.object();
    String verb = result.action() == Applier.Action.CREATED ? "Created" : "Updated";
    events.normal(cluster, verb, verb + " " + object.getKind() + " " + object.getMetadata().getName() + ".");
  }
}
