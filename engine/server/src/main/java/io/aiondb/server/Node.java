package io.aiondb.server;

import io.aiondb.server.config.AionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import io.aiondb.server.consensus.raft.RaftNode;
import io.aiondb.server.history.Compactor;
import io.aiondb.server.query.QueryExecutor;
import io.aiondb.server.state.KvStateMachine;
import io.aiondb.server.storage.RocksStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;

/**
 * One Aion node's services, wired: storage → state machine → consensus (the proposer) → query and compaction.
 * The transports reach keys, namespaces, indexes, queries and watches only through {@link #service()}; the admin and
 * cluster routes use the status pieces and {@link #clusterAdmin()}. Closing it drains writes and closes RocksDB.
 */
public final class Node implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Node.class);
  private final AionConfig config;
  private final io.aiondb.server.security.TlsMaterial tls;
  private final RocksStore store;
  private final KvStateMachine stateMachine;
  private final RaftNode proposer;
  private final io.aiondb.server.consensus.raft.ClusterAdmin clusterAdmin;
  private final QueryExecutor queries;
  private final Compactor compactor;
  private final io.aiondb.server.watch.WatchHub watches;
  private final io.aiondb.server.index.IndexBuilder indexBuilder;
  private final io.aiondb.server.service.KvService service;
  /** Null when backup.s3.bucket is not set. */
  private final io.aiondb.server.backup.Backups backups;
  private final java.util.Map<String, io.aiondb.server.backup.Backups> namedBackups;
  private final io.aiondb.server.audit.AuditLog audit;
  private final io.aiondb.server.service.AuthService auth;
  private final io.aiondb.server.service.KeyRotation keyRotation;
  private final char[] rootPassword;
  /** auth.operator-key-file's key, checked at start; null without the setting. */
  private final io.aiondb.server.auth.ApiKeys.Presented operatorKey;
  private volatile boolean closing;
  /** Latency histograms carry exemplars (trace and span ids) of traced requests: {@link io.aiondb.server.trace.Exemplars}. */
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT,
      new io.prometheus.metrics.model.registry.PrometheusRegistry(), io.micrometer.core.instrument.Clock.SYSTEM,
      new io.aiondb.server.trace.Exemplars());
  private io.aiondb.server.consensus.raft.RatisMetricsBridge ratisMetrics;
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final io.aiondb.server.trace.Tracing tracing;

  public Node(AionConfig config, Clock clock) {
    this.config = config;
    // metrics.enabled=false (to measure what metrics cost): every meter is a no-op from the first one on
    if (!config.metricsEnabled()) metrics.config().meterFilter(io.micrometer.core.instrument.config.MeterFilter.deny());
    this.protocolTimers = new io.aiondb.server.api.RequestTimers(metrics,
        "aion.protocol.requests", "Binary protocol requests by operation and outcome (ok, or the error code)");
    io.aiondb.server.backup.BackupCrypto backupCrypto = backupCrypto(config); // before anything is opened
    java.util.Map<String, io.aiondb.server.backup.BackupCrypto> namedCrypto = new java.util.HashMap<>();
    for (var ns : config.backupStores().values()) {
      if (ns.keys() != null) namedCrypto.put(ns.name(), loadKeys(ns.keys()));
    }
    this.tls = config.tls() ? new io.aiondb.server.security.TlsMaterial(config.tlsCertFile(), config.tlsKeyFile(),
        config.tlsCaFile(), config.tlsReloadInterval()) : null;
    this.tracing = config.tracing().enabled()
        ? io.aiondb.server.trace.Tracing.otlp(config.tracing().otlpEndpoint(), config.tracing().sampleRatio(),
            config.tracing().serviceName(), config.nodeId(), Version.VALUE, java.time.Duration.ofSeconds(1))
        : io.aiondb.server.trace.Tracing.off();
    this.store = new RocksStore(config.storage(), atRest(config, clock));
    this.keyRotation = new io.aiondb.server.service.KeyRotation(store, clock);
    this.stateMachine = new KvStateMachine(store);
    try {
      this.proposer = new RaftNode(config, store, stateMachine, clock, tls, tracing);
    } catch (java.io.IOException e) {
      keyRotation.close();
      store.close();
      tracing.close();
      throw new IllegalStateException("cannot start the raft server: " + e.getMessage(), e);
    }
    this.clusterAdmin = new io.aiondb.server.consensus.raft.ClusterAdmin(proposer, config.caughtUpLag(), tls);
    this.queries = new QueryExecutor(store, config.query());
    this.compactor = new Compactor(store, proposer, clock, config.historyKeepVersions(), config.historyKeepDuration(),
        config.compactionChunkKeys(), config.compactionInterval(), () -> proposer.division().getInfo().isLeader());
    this.watches = new io.aiondb.server.watch.WatchHub(store, java.time.Duration.ofSeconds(10), config.watch());
    this.indexBuilder = new io.aiondb.server.index.IndexBuilder(store, proposer,
        () -> proposer.division().getInfo().isLeader(), config.compactionChunkKeys());
    int readerThreads = Math.max(8, Runtime.getRuntime().availableProcessors() * 4) + config.query().maxConcurrent();
    java.util.concurrent.atomic.AtomicInteger readerIds = new java.util.concurrent.atomic.AtomicInteger();
    this.audit = openAudit(config, clock);
    this.auth = new io.aiondb.server.service.AuthService(config.auth().enabled(), store, proposer, clock,
        config.auth().tokenTtl(), config.requestTimeout(), audit);
    this.rootPassword = readRootPassword(config);
    this.operatorKey = readOperatorKey(config);
    this.service = new io.aiondb.server.service.KvService(proposer, store, queries, watches, indexBuilder::wake,
        config.requestTimeout(), java.util.concurrent.Executors.newFixedThreadPool(readerThreads, r -> {
          Thread t = new Thread(r, "aion-reader-" + readerIds.incrementAndGet());
          t.setDaemon(true);
          return t;
        }), audit, auth);
    var backupLock = new java.util.concurrent.atomic.AtomicReference<io.aiondb.server.backup.Operation>();
    this.backups = config.backupTarget() == null ? null : new io.aiondb.server.backup.Backups(
        new io.aiondb.server.backup.S3ObjectStore(config.backupTarget()), backupCrypto, this::copyGroups,
        config.clusterName(), config.nodeId(), Version.VALUE, config.dataDir().resolve("backup-work"), clock,
        config.backupTransfers(), backupLock);
    java.util.Map<String, io.aiondb.server.backup.Backups> named = new java.util.LinkedHashMap<>();
    for (var ns : config.backupStores().values()) {
      named.put(ns.name(), new io.aiondb.server.backup.Backups(
          new io.aiondb.server.backup.S3ObjectStore(ns.target(), ns.credentialsDir()), namedCrypto.get(ns.name()),
          this::copyGroups, config.clusterName(), config.nodeId(), Version.VALUE,
          config.dataDir().resolve("backup-work-store-" + ns.name()), clock, config.backupTransfers(), backupLock));
    }
    this.namedBackups = java.util.Collections.unmodifiableMap(named);
    if (backups != null) registerBackupMetrics(backups);
    io.micrometer.core.instrument.FunctionCounter.builder("aion.audit.records", audit, io.aiondb.server.audit.AuditLog::written)
        .description("Audit records written (docs/security.md \"Audit log\")").register(metrics);
    io.micrometer.core.instrument.FunctionCounter.builder("aion.audit.dropped", audit, io.aiondb.server.audit.AuditLog::dropped)
        .description("Audit records lost: the writer's queue was full or the file could not be written; alert on any")
        .register(metrics);
    for (var state : io.aiondb.server.storage.IndexDef.State.values()) {
      Gauge.builder("aion.indexes", indexBuilder, b -> b.count(state)).tag("state", state.name().toLowerCase(java.util.Locale.ROOT))
          .description("Secondary indexes by state: building (backfilling existing keys), ready, failed").register(metrics);
    }
    io.micrometer.core.instrument.FunctionCounter.builder("aion.index.backfilled.keys", indexBuilder,
            io.aiondb.server.index.IndexBuilder::backfilledKeys)
        .description("Existing keys this node indexed while building indexes, as the leader: a build's progress").register(metrics);
    String[] branches = {"success", "failure", "error"};
    for (int i = 0; i < branches.length; i++) {
      final int slot = i;
      io.micrometer.core.instrument.FunctionCounter.builder("aion.transactions", service, s -> s.transactionCounts()[slot])
          .tag("branch", branches[i])
          .description("Transactions this node answered: the success branch ran, the failure branch ran (a compare did "
              + "not hold: a conflict), or an error").register(metrics);
    }
    Gauge.builder("aion.watches.active", watches, io.aiondb.server.watch.WatchHub::active)
        .description("Watches open on this node").register(metrics);
    Gauge.builder("aion.watches.live", watches, io.aiondb.server.watch.WatchHub::live)
        .description("Watches caught up and fed by the node's one live feed (the others read the change feed themselves)")
        .register(metrics);
    if (store.cache() != null) CaffeineCacheMetrics.monitor(metrics, store.cache(), "current_values");
    Gauge.builder("aion.admission.pending.writes", proposer, RaftNode::pendingWrites)
        .description("Writes accepted by this node and not yet answered (bounded by admission.max-pending-writes)")
        .register(metrics);
    io.micrometer.core.instrument.FunctionCounter.builder("aion.raft.proposals", proposer, p -> p.proposalCounts()[0])
        .description("Raft entries this node proposed for writes (a batch of commands is one)").register(metrics);
    io.micrometer.core.instrument.FunctionCounter.builder("aion.raft.proposed.commands", proposer, p -> p.proposalCounts()[1])
        .description("Write commands this node proposed; divided by aion.raft.proposals: commands per Raft entry")
        .register(metrics);
    io.micrometer.core.instrument.FunctionCounter.builder("aion.raft.applied.entries", proposer, p -> p.stateMachine().dataEntriesApplied())
        .description("Data entries this node applied since start").register(metrics);
    io.micrometer.core.instrument.FunctionCounter.builder("aion.raft.applied.commands", proposer, p -> p.stateMachine().commandsApplied())
        .description("Commands in the data entries this node applied since start").register(metrics);
    Gauge.builder("aion.revision.waiters", store, RocksStore::revisionWaiters)
        .description("Reads waiting for a revision not yet applied here (minRevision)").register(metrics);
    Gauge.builder("aion.applied.revision", store, RocksStore::appliedRevision)
        .description("Latest revision applied on this node").register(metrics);
    Gauge.builder("aion.applied.index", store, RocksStore::appliedIndex)
        .description("Latest log index applied on this node").register(metrics);
    if (tls != null) {
      Gauge.builder("aion.tls.certificate.expiry", tls, t -> t.certificate().getNotAfter().getTime() / 1000.0)
          .description("When the certificate this node presents expires (Unix seconds); alert well before it")
          .baseUnit("seconds").register(metrics);
    }
    io.aiondb.server.consensus.raft.RaftGauges.register(metrics, proposer,
        3 * config.electionTimeout().toMillis());
    registerDiskMetrics(config.dataDir(), "data");
    if (config.coldDir() != null) registerDiskMetrics(config.coldDir(), "cold");
    io.aiondb.server.storage.RocksMetrics.register(metrics, store);
    if (store.atRest().enabled()) {
      Gauge.builder("aion.encryption.data.keys", keyRotation, k -> k.ring().size())
          .description("Data keys in this member's key ring (encryption at rest); old ones leave after a re-encryption pass")
          .register(metrics);
      Gauge.builder("aion.encryption.active.key.created", keyRotation, k -> k.atRest().activeKey().createdMillis() / 1000.0)
          .baseUnit("seconds").description("When this member's active data key was made (Unix seconds)").register(metrics);
      io.micrometer.core.instrument.FunctionCounter.builder("aion.encryption.resealed", keyRotation,
              io.aiondb.server.service.KeyRotation::resealedTotal)
          .description("Values re-encrypted under a newer data key by re-encryption passes since start").register(metrics);
    }
    ratisMetrics = new io.aiondb.server.consensus.raft.RatisMetricsBridge(metrics, proposer.selfId().toString(),
        proposer::knownPeerIds);
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    gcMetrics.bindTo(metrics);
  }

  public AionConfig config() {
    return config;
  }

  /** This node's TLS certificate and trust, or null when TLS is off. */
  public io.aiondb.server.security.TlsMaterial tls() {
    return tls;
  }

  public RocksStore store() {
    return store;
  }

  /** The service layer: the transports' only way to keys, namespaces, indexes, queries and watches. */
  public io.aiondb.server.service.KvService service() {
    return service;
  }

  /** Space on the file system that holds data.dir (RocksDB, the Raft log, snapshots) or the cold path: alert before it fills. */
  private void registerDiskMetrics(java.nio.file.Path dataDir, String path) {
    java.nio.file.FileStore fs;
    try {
      fs = java.nio.file.Files.getFileStore(dataDir);
    } catch (java.io.IOException e) {
      LOG.warn("no disk metrics: cannot read the file system of {}: {}", dataDir, e.toString());
      return;
    }
    diskGauge("aion.data.free", fs, path, true, "Bytes still usable on the file system holding data.dir (path=\"data\") "
        + "or data.cold-dir (path=\"cold\")");
    diskGauge("aion.data.capacity", fs, path, false, "Size of the file system holding data.dir or data.cold-dir");
  }

  private void diskGauge(String name, java.nio.file.FileStore fs, String path, boolean usable, String help) {
    // a Supplier: Micrometer holds it strongly (a gauge's state object is held weakly: a FileStore kept by nobody
    // else was collected and the gauge turned NaN)
    Gauge.builder(name, () -> {
      try {
        return usable ? fs.getUsableSpace() : fs.getTotalSpace();
      } catch (java.io.IOException e) {
        return Double.NaN;
      }
    }).baseUnit("bytes").tag("path", path).description(help).register(metrics);
  }

  /** docs/backup.md "Metrics": what backups this node ran since it started. */
  private void registerBackupMetrics(io.aiondb.server.backup.Backups b) {
    Gauge.builder("aion.backup.last.success.timestamp", b, x -> x.lastBackup() == null ? Double.NaN
            : x.lastBackup().completedAt().toEpochMilli() / 1000.0)
        .baseUnit("seconds").description("When the last backup this node took completed (Unix seconds; absent: none"
            + " since it started). Alert on the newest over all members: time() - max(...) > your interval")
        .register(metrics);
    Gauge.builder("aion.backup.last.duration", b, x -> x.lastBackup() == null ? Double.NaN : x.lastBackup().seconds())
        .baseUnit("seconds").description("How long the last backup this node took ran").register(metrics);
    Gauge.builder("aion.backup.last.size", b, x -> x.lastBackup() == null ? Double.NaN : x.lastBackup().bytes())
        .baseUnit("bytes").description("Bytes of data the last backup this node took holds (all its files)")
        .register(metrics);
    Gauge.builder("aion.backup.last.uploaded", b, x -> x.lastBackup() == null ? Double.NaN : x.lastBackup().bytesUploaded())
        .baseUnit("bytes").description("Bytes the last backup this node took uploaded (its files not already stored)")
        .register(metrics);
    for (var kind : io.aiondb.server.backup.Operation.Kind.values()) {
      for (boolean ok : new boolean[] {true, false}) {
        // over every store of the node: the default and the named ones
        io.micrometer.core.instrument.FunctionCounter.builder("aion.backup.operations", b, x -> x.finished(kind, ok)
                + namedBackups.values().stream().mapToLong(n -> n.finished(kind, ok)).sum())
            .tag("kind", kind.toString()).tag("outcome", ok ? "succeeded" : "failed")
            .description("Backup operations (create, verify, prune) this node finished, by outcome").register(metrics);
      }
    }
  }

  /** The backup encryption keys, read now so that a missing or malformed key file stops the start with its reason. */
  static io.aiondb.server.backup.BackupCrypto backupCrypto(AionConfig config) {
    return config.backupKeys() == null ? null : loadKeys(config.backupKeys());
  }

  private static io.aiondb.server.backup.BackupCrypto loadKeys(io.aiondb.server.backup.BackupKeys keys) {
    try {
      return keys.load();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** encryption.key-file's keys, read now so that a missing or malformed file stops the start with its reason. */
  private static io.aiondb.server.storage.AtRest atRest(AionConfig config, Clock clock) {
    AionConfig.Encryption e = config.encryption();
    if (!e.enabled()) return io.aiondb.server.storage.AtRest.none();
    try {
      return io.aiondb.server.storage.AtRest.load(e.keyFile(), e.oldKeyFiles(), e.rotationPeriod(), clock);
    } catch (java.io.IOException ex) {
      throw new IllegalStateException(ex.getMessage(), ex);
    }
  }

  /** Encryption at rest: this member's data keys and their rotation (docs/security.md "Encryption at rest"). */
  public io.aiondb.server.service.KeyRotation keyRotation() {
    return keyRotation;
  }

  /** Backups to object storage (docs/backup.md); null when this node has no backup target. */
  public io.aiondb.server.backup.Backups backups() {
    return backups;
  }

  /** Authentication and authorization (docs/security.md); every check passes with auth.enabled=false. */
  public io.aiondb.server.service.AuthService auth() {
    return auth;
  }

  private static char[] readRootPassword(AionConfig config) {
    Path f = config.auth().rootPasswordFile();
    if (f == null) return null;
    try {
      String p = Files.readString(f).strip();
      if (p.isEmpty()) throw new IllegalStateException("auth.root-password-file " + f + " is empty");
      io.aiondb.server.auth.Passwords.validateNew(p.toCharArray());
      return p.toCharArray();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read auth.root-password-file " + f + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("auth.root-password-file " + f + ": " + e.getMessage(), e);
    }
  }

  private static io.aiondb.server.auth.ApiKeys.Presented readOperatorKey(AionConfig config) {
    Path f = config.auth().operatorKeyFile();
    if (f == null) return null;
    String key;
    try {
      key = Files.readString(f).strip();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read auth.operator-key-file " + f + ": " + e.getMessage(), e);
    }
    try {
      return io.aiondb.server.auth.ApiKeys.parse(key);
    } catch (io.aiondb.server.auth.AuthException e) {
      // never the file's content in the message: it is a credential
      throw new IllegalStateException("auth.operator-key-file " + f + " does not hold an API key (" + key.length()
          + " characters; expected " + io.aiondb.server.auth.ApiKeys.LENGTH + ": " + io.aiondb.server.auth.ApiKeys.PREFIX
          + "<12 id chars>_<43 secret chars>)", e);
    }
  }

  /**
   * With auth.enabled: in the background, until the cluster has a token signing key and what this node's
   * auth.root-password-file and auth.operator-key-file say (root with that password, aion-operator accepting that key),
   * proposes them ({@link io.aiondb.server.service.AuthService#bootstrap}).
   */
  public void startAuthBootstrap() {
    if (!auth.enabled()) return;
    Thread.ofVirtual().name("aion-auth-bootstrap").start(() -> {
      while (!closing) {
        var s = auth.snapshot();
        if (s.signer() != null && (rootPassword == null || auth.rootPasswordHolds(s, rootPassword))
            && (operatorKey == null || auth.operatorKeyHolds(s, operatorKey))) {
          return;
        }
        try {
          if (raft().ready()) auth.bootstrap(rootPassword, operatorKey).get(config.requestTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          LOG.debug("auth bootstrap not done yet: {}", e.toString());
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }

  /** The audit log (docs/security.md "Audit log"); {@link io.aiondb.server.audit.AuditLog#OFF} when not configured. */
  public io.aiondb.server.audit.AuditLog audit() {
    return audit;
  }

  private static io.aiondb.server.audit.AuditLog openAudit(AionConfig config, Clock clock) {
    var a = config.audit();
    if (!a.enabled()) return io.aiondb.server.audit.AuditLog.OFF;
    try {
      return new io.aiondb.server.audit.AuditLog(a.file(), a.stdout() ? System.out : null, a.maxFileBytes(), a.maxFiles(),
          config.nodeId(), clock, a.dataNamespaces());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot open the audit log " + a.file() + ": " + e.getMessage(), e);
    }
  }

  /** The named stores' Backups (backup.stores-file), by name; empty when there are none. */
  public java.util.Map<String, io.aiondb.server.backup.Backups> namedBackups() {
    return namedBackups;
  }

  /**
   * A consistent copy of every Raft group this node holds, for a backup: today the one group, a RocksDB checkpoint
   * (hard links, after a flush) at its applied index. Writes go on meanwhile.
   */
  private java.util.List<io.aiondb.server.backup.Backups.GroupCopy> copyGroups(java.nio.file.Path dir) throws java.io.IOException {
    java.nio.file.Files.createDirectories(dir);
    String group = proposer.groupId().getUuid().toString();
    java.nio.file.Path copy = dir.resolve(group);
    store.checkpoint(copy);
    return java.util.List.of(new io.aiondb.server.backup.Backups.GroupCopy(group, "", "", copy));
  }

  public io.aiondb.server.consensus.raft.ClusterAdmin clusterAdmin() {
    return clusterAdmin;
  }

  public RaftNode raft() {
    return proposer;
  }

  public QueryExecutor queries() {
    return queries;
  }

  public Compactor compactor() {
    return compactor;
  }

  public io.aiondb.server.index.IndexBuilder indexBuilder() {
    return indexBuilder;
  }

  public io.aiondb.server.watch.WatchHub watches() {
    return watches;
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  /** Made in the constructor, after metrics.enabled had its say (its in-flight gauge registers at once). */
  private final io.aiondb.server.api.RequestTimers protocolTimers;

  /** Latency timers of the binary protocol's requests (aion_protocol_requests_seconds). */
  public io.aiondb.server.api.RequestTimers protocolTimers() {
    return protocolTimers;
  }

  /** The Prometheus text format's content type (version 0.0.4). */
  public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  /** The OpenMetrics text format's content type; only it carries exemplars. */
  public static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  /** Every metric of this node in the Prometheus text format, Ratis's own brought up to date first. */
  public String scrapeMetrics() {
    return scrapeMetrics(PROMETHEUS_TEXT);
  }

  /** Every metric of this node in {@link #PROMETHEUS_TEXT} or {@link #OPENMETRICS_TEXT}. */
  public String scrapeMetrics(String contentType) {
    ratisMetrics.sync();
    return metrics.scrape(contentType);
  }

  /** Ready: storage healthy, a member of a group that has a leader. */
  public boolean ready() {
    return proposer.ready() && !store.failed();
  }

  @Override
  public void close() {
    closing = true;
    if (backups != null) backups.close();
    namedBackups.values().forEach(io.aiondb.server.backup.Backups::close);
    audit.close();
    watches.close();
    service.close();
    indexBuilder.close();
    compactor.close();
    keyRotation.close();
    proposer.close();
    store.close();
    gcMetrics.close();
    tracing.close(); // last: flushes the spans of the requests answered while closing
  }

  /** The node's traces (docs/tracing.md); {@link io.aiondb.server.trace.Tracing#off()} without tracing.otlp-endpoint. */
  public io.aiondb.server.trace.Tracing tracing() {
    return tracing;
  }
}
