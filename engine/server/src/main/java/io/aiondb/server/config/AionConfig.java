package io.aiondb.server.config;

import io.aiondb.server.storage.StorageOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The server's whole configuration, typed. Built by {@link ConfigLoader} from defaults, a properties file,
 * {@code AION_*} environment variables and {@code --name=value} flags (later sources win). Every field is listed
 * with its default and documentation in {@link Settings}; docs/configuration.md is generated from there.
 */
public record AionConfig(
    String nodeId,
    Path dataDir,
    Path coldDir,
    long hotTargetBytes,
    long coldTargetBytes,
    String httpHost,
    int httpPort,
    Path portFile,
    int protocolPort,
    ConnectionLimits connections,
    String clusterName,
    String clusterPeers,
    boolean clusterBootstrap,
    java.util.List<String> initialMembers,
    int caughtUpLag,
    String raftHost,
    int raftPort,
    String raftTransport,
    Duration electionTimeout,
    int snapshotInterval,
    long snapshotLogBytes,
    long segmentBytes,
    boolean leaderLease,
    boolean sync,
    long blockCacheBytes,
    long writeBufferBytes,
    long readCacheBytes,
    int historyKeepVersions,
    Duration historyKeepDuration,
    Duration compactionInterval,
    int compactionChunkKeys,
    Duration requestTimeout,
    int admissionMaxPendingWrites,
    long admissionMaxPendingBytes,
    Batching batching,
    io.aiondb.server.query.QueryLimits query,
    io.aiondb.server.watch.WatchLimits watch,
    Duration shutdownGrace,
    String logLevel,
    Path tlsCertFile,
    Path tlsKeyFile,
    Path tlsCaFile,
    String tlsClientAuth,
    Duration tlsReloadInterval,
    String tlsPeerIdentity,
    io.aiondb.server.backup.BackupTarget backupTarget,
    io.aiondb.server.backup.BackupKeys backupKeys,
    int backupTransfers,
    java.util.Map<String, io.aiondb.server.backup.NamedStore> backupStores,
    Audit audit,
    Auth auth,
    Encryption encryption,
    Tracing tracing,
    boolean metricsEnabled) {

  /**
   * docs/tracing.md: OpenTelemetry traces sent over OTLP/HTTP to {@code otlpEndpoint} (null: tracing off), sampling
   * {@code sampleRatio} of the traces this node starts (a request with a traceparent keeps its caller's decision).
   */
  public record Tracing(String otlpEndpoint, double sampleRatio, String serviceName) {
    public boolean enabled() {
      return otlpEndpoint != null;
    }
  }

  /**
   * docs/security.md "Encryption at rest": seals with {@code keyFile}; with only {@code oldKeyFiles}, opens what they
   * sealed and seals nothing (the first step of turning it on in a running cluster); off with neither.
   */
  public record Encryption(Path keyFile, java.util.List<Path> oldKeyFiles, Duration rotationPeriod) {
    public Encryption {
      oldKeyFiles = java.util.List.copyOf(oldKeyFiles);
    }

    public boolean enabled() {
      return keyFile != null || !oldKeyFiles.isEmpty();
    }
  }

  /** docs/security.md "Authentication and access control". */
  public record Auth(boolean enabled, Path rootPasswordFile, Path operatorKeyFile, Duration tokenTtl) {}

  /** docs/security.md "Audit log": where records go (no file and no stdout: off). */
  public record Audit(Path file, boolean stdout, long maxFileBytes, int maxFiles, java.util.List<String> dataNamespaces) {
    public Audit {
      dataNamespaces = java.util.List.copyOf(dataNamespaces);
    }

    public boolean enabled() {
      return file != null || stdout;
    }
  }

  /** TLS is on when a certificate is configured (ConfigLoader requires the key and CA files with it). */
  public boolean tls() {
    return tlsCertFile != null;
  }

  /** The scheme of this node's HTTP API and of its peers'. */
  public String httpScheme() {
    return tls() ? "https" : "http";
  }

  /**
   * RocksDB lives in {@code data.dir/db}, the Raft log and snapshots in {@code data.dir/raft} (same filesystem, so
   * snapshots are hard-linked checkpoints). RocksDB's own WAL is not fsynced: the Raft log is the durable record and
   * is replayed from the last applied index after a crash.
   */
  public StorageOptions storage() {
    return new StorageOptions(dataDir.resolve("db"), coldDir, hotTargetBytes, coldTargetBytes, false, blockCacheBytes,
        writeBufferBytes, readCacheBytes, metricsEnabled);
  }

  /**
   * Whether this node, finding no Raft storage, may form the cluster: {@code cluster.bootstrap} and, when
   * {@code cluster.initial-members} is set, its own id listed there. Otherwise it starts as a joiner.
   */
  public boolean formsCluster() {
    return clusterBootstrap && (initialMembers.isEmpty() || initialMembers.contains(nodeId));
  }

  public Path raftDir() {
    return dataDir.resolve("raft");
  }

  /** The configuration with every default: what {@code bin/aion-server} runs with no flags. */
  public static AionConfig defaults() {
    return ConfigLoader.load(new String[0], java.util.Map.of(), null);
  }

  /**
   * Command batching (raft.batch.*): how many commands, and how many bytes of them, one Raft entry carries at most, and
   * how many entries this node has waiting for the log at once (the next one forms meanwhile).
   */
  public record Batching(int maxCommands, long maxBytes, int maxInFlight) {}
}
