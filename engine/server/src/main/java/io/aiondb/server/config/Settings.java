package io.aiondb.server.config;

import java.util.List;

/** Every setting: its name, type, default and one line of documentation. The single source for docs/configuration.md. */
public final class Settings {
  private Settings() {}

  public enum Type { STRING, INT, BOOL, SIZE, DURATION, PATH, OPTIONAL_PATH }

  public record Setting(String name, Type type, String defaultValue, String doc) {
    /** The environment variable: AION_ + the name upper-cased, dots and dashes as underscores. */
    public String envName() {
      return "AION_" + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }
  }

  public static final List<Setting> ALL = List.of(
      new Setting("node.id", Type.STRING, "aion-1", "This node's name, unique in its cluster."),
      new Setting("data.dir", Type.PATH, "aion-data", "RocksDB directory (WAL, manifest, and SST files)."),
      new Setting("data.cold-dir", Type.OPTIONAL_PATH, "",
          "Optional second path for cold levels (tiered storage). Empty: one path."),
      new Setting("data.hot-target-size", Type.SIZE, "64GiB",
          "With data.cold-dir: bytes of SST files kept in data.dir before lower levels move to the cold path."),
      new Setting("data.cold-target-size", Type.SIZE, "1TiB", "With data.cold-dir: target size of the cold path."),
      new Setting("http.host", Type.STRING, "127.0.0.1", "Address the HTTP API listens on (0.0.0.0 for all)."),
      new Setting("http.port", Type.INT, "7070", "HTTP API port; 0 picks a free port (see http.port-file)."),
      new Setting("http.port-file", Type.OPTIONAL_PATH, "",
          "If set, the bound HTTP port is written to this file once the server is ready."),
      new Setting("protocol.port", Type.INT, "7071",
          "Binary protocol port (docs/protocol.md), on http.host; 0 picks a free port; -1 turns it off. Clients "
              + "assume every member of a cluster uses the same protocol port."),
      new Setting("protocol.max-connections", Type.INT, "1024",
          "Binary protocol connections this node accepts at once; one more gets an ERROR frame "
              + "TOO_MANY_CONNECTIONS and is closed."),
      new Setting("protocol.idle-timeout", Type.DURATION, "5m",
          "A binary protocol connection that sends no frame for this long, with no request in flight and no watch "
              + "open, gets an ERROR frame CONNECTION_IDLE and is closed (nothing sent after it is processed)."),
      new Setting("protocol.max-connection-memory", Type.SIZE, "32MiB",
          "Bytes one binary protocol connection may hold (request payloads in flight plus answers not yet sent); "
              + "the server stops reading from it while over. Node worst case: this times protocol.max-connections."),
      new Setting("http.max-connections", Type.INT, "1024",
          "HTTP connections this node accepts at once; more are closed at once (probes and /metrics count too)."),
      new Setting("http.idle-timeout", Type.DURATION, "60s",
          "An HTTP connection is closed when no request head completes within this long after it opened or after "
              + "its last answer (covers idle keep-alive and headers sent slowly), or when no byte moves for this long."),
      new Setting("http.read-timeout", Type.DURATION, "30s",
          "Once a request's headers arrived, its whole body must arrive within this long, else 408 and the "
              + "connection closes."),
      new Setting("cluster.name", Type.STRING, "aion",
          "Cluster name; the Raft group id is derived from it. Every member of a cluster uses the same name."),
      new Setting("cluster.peers", Type.STRING, "",
          "The cluster's members as id=host:raftPort[:httpPort], comma-separated, e.g. "
              + "aion-0=aion-0.aion-peers.db.svc:7072,aion-1=…; httpPort defaults to http.port. "
              + "Empty: a one-member cluster of this node at raft.host:raft.port."),
      new Setting("cluster.bootstrap", Type.BOOL, "true",
          "With no Raft storage in data.dir (first start, or lost data): form the cluster from cluster.peers, unless "
              + "another member lists this node as a voter that acknowledged entries (its data was lost): then Raft "
              + "is not started until it is removed (/v1/status dataState; docs/cluster-api.md). false: start "
              + "without a configuration once a member answers, never vote, and wait to be added as a learner "
              + "(POST /v1/cluster/nodes on a member)."),
      new Setting("cluster.initial-members", Type.STRING, "",
          "The node ids that form the cluster at its first start, comma-separated (etcd's --initial-cluster): a node "
              + "with no Raft storage forms the cluster with the members listed here only if its own id is listed "
              + "(and cluster.bootstrap=true and no member remembers it); any other node starts as a joiner, as with "
              + "cluster.bootstrap=false. Each id must be in cluster.peers. Keep it unchanged for the cluster's life; "
              + "cluster.peers may grow. Empty: every member of cluster.peers forms the cluster."),
      new Setting("cluster.caught-up-lag", Type.INT, "1000",
          "A member whose commit index is at most this many entries behind the leader's counts as caught up."),
      new Setting("raft.host", Type.STRING, "127.0.0.1",
          "Address the Raft transport listens on (0.0.0.0 for all); peers reach it at the address in cluster.peers."),
      new Setting("raft.port", Type.INT, "7072", "Raft transport port; 0 picks a free port (one-member clusters only)."),
      new Setting("raft.transport", Type.STRING, "grpc", "Raft transport: grpc or netty (see docs/design/replication.md)."),
      new Setting("raft.election-timeout", Type.DURATION, "300ms",
          "Minimum election timeout (the maximum is twice this). Lower fails over faster; too low causes needless "
              + "elections under GC pauses or load."),
      new Setting("raft.snapshot-interval", Type.INT, "20000",
          "Take a snapshot (a RocksDB checkpoint) every this many applied log entries; the log is purged behind it."),
      new Setting("raft.snapshot-log-size", Type.SIZE, "1GiB",
          "Also take a snapshot once the log entries applied since the last one add up to this many bytes (bulk loads"
              + " write few, large entries and would otherwise keep a log as large as the data)."),
      new Setting("raft.segment-size", Type.SIZE, "32MiB",
          "Raft log segment size; the log is purged behind a snapshot one closed segment at a time."),
      new Setting("raft.leader-lease", Type.BOOL, "true",
          "Serve linearizable reads on the leader from its lease (no heartbeat round) while the lease is valid."),
      new Setting("raft.batch.max-commands", Type.INT, "256",
          "Most commands one Raft entry carries. Concurrent writes that queue while earlier entries wait for the log are "
              + "proposed together as one entry (one append, fsync, replication round and RocksDB write); each keeps "
              + "its own result. 1 (with a raft.batch.max-in-flight as high as the writes you expect at once) turns "
              + "batching off: with 1 and the default 2 in flight, at most 2 writes are on their way at a time."),
      new Setting("raft.batch.max-bytes", Type.SIZE, "4MiB",
          "Most bytes of commands in one batched entry (a single larger command is still proposed alone). 64KiB-4MiB."),
      new Setting("raft.batch.max-in-flight", Type.INT, "2",
          "Entries of batched writes this node has waiting for the log at once; the next one forms meanwhile. A node "
              + "that forwards writes to the leader keeps one in flight, so a connection's writes commit in order."),
      new Setting("storage.sync", Type.BOOL, "true",
          "fsync the Raft log before acknowledging a write. Off trades durability on power loss for speed."),
      new Setting("storage.block-cache-size", Type.SIZE, "64MiB", "RocksDB block cache (shared by all column families)."),
      new Setting("storage.write-buffer-size", Type.SIZE, "32MiB", "RocksDB memtable size per column family."),
      new Setting("cache.size", Type.SIZE, "32MiB", "Read cache of current values (Caffeine), by bytes; 0 turns it off."),
      new Setting("history.keep-versions", Type.INT, "0",
          "Keep this many newest versions of each key (0: no count limit)."),
      new Setting("history.keep-duration", Type.DURATION, "0",
          "Keep versions that were current within this duration, e.g. 24h or 7d (0: no time limit). With both "
              + "limits 0, all history is kept; with both set, a version is kept if either keeps it."),
      new Setting("history.compaction-interval", Type.DURATION, "5m", "How often retention compaction runs."),
      new Setting("history.compaction-chunk", Type.INT, "1000",
          "Keys examined per compaction step; steps interleave with writes so neither blocks the other long."),
      new Setting("request.timeout", Type.DURATION, "30s",
          "Longest a request waits for its write to apply. A write not committed by then is answered 504 TIMEOUT "
              + "(outcome unknown) and is no longer resent to the leader."),
      new Setting("admission.max-pending-writes", Type.INT, "4096",
          "Writes this node accepts and has not yet answered; beyond it a write is refused at once with 503 "
              + "OVERLOADED and Retry-After (nothing written)."),
      new Setting("admission.max-pending-bytes", Type.SIZE, "256MiB",
          "Bytes of those pending writes (keys and values); beyond it writes are refused the same way. At least 4MiB."),
      new Setting("watch.max", Type.INT, "10000",
          "Watches open on this node at once; beyond it a new watch is refused with 503 UNAVAILABLE (try another member)."),
      new Setting("watch.max-per-client", Type.INT, "1000",
          "Watches one client address may hold on this node (over all its connections); beyond it 429 TOO_MANY_WATCHES."),
      new Setting("watch.max-per-connection", Type.INT, "100",
          "Watches one binary-protocol connection may hold; beyond it TOO_MANY_WATCHES for that request."),
      new Setting("watch.send-timeout", Type.DURATION, "30s",
          "Longest a watch waits for its client to take the next event or progress mark; then the watch is cut with a "
              + "resumable UNAVAILABLE error naming the revision to resume from (HTTP: the stream is closed)."),
      new Setting("query.max-examined", Type.INT, "100000",
          "Keys, versions and index entries one query page may look at (live or deleted, current or history, "
              + "matching or not); then the page ends early with a cursor and \"truncated\": \"budget\"."),
      new Setting("query.max-read", Type.SIZE, "64MiB",
          "Bytes of stored values one query page may read (every version read, not only rows returned); then the "
              + "page ends early with a cursor."),
      new Setting("query.max-evaluations", Type.INT, "1000000",
          "where-condition evaluations one query page may make (one per condition per version checked); then the "
              + "page ends early with a cursor."),
      new Setting("query.timeout", Type.DURATION, "5s",
          "Wall-clock time one query page may run; then it ends early with a cursor and \"truncated\": \"deadline\"."),
      new Setting("query.max-concurrent", Type.INT, "8",
          "Query pages running at once on this node; more answer 503 UNAVAILABLE at once (retry), so queries never "
              + "hold every worker thread that point reads need."),
      new Setting("shutdown.grace", Type.DURATION, "30s",
          "On SIGTERM: how long in-flight requests may take to finish before the server closes."),
      new Setting("log.level", Type.STRING, "info", "Log level: error, warn, info, debug or trace."),
      new Setting("tls.cert-file", Type.OPTIONAL_PATH, "",
          "PEM certificate (chain) of this node. Set with tls.key-file and tls.ca-file to turn TLS on for the HTTP "
              + "API, the binary protocol and the Raft transport (peers authenticate each other with certificates). "
              + "It must name every address peers and clients use, e.g. the pod DNS name. See docs/security.md."),
      new Setting("tls.key-file", Type.OPTIONAL_PATH, "",
          "PEM private key of tls.cert-file: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), not encrypted."),
      new Setting("tls.ca-file", Type.OPTIONAL_PATH, "",
          "PEM CA certificates trusted for peers and, with tls.client-auth, for clients."),
      new Setting("tls.client-auth", Type.STRING, "none",
          "Client certificates on the HTTP API and binary protocol: none, request (verified when sent) or require. "
              + "Raft peers always need a certificate from tls.ca-file."),
      new Setting("tls.peer-identity", Type.STRING, "any",
          "Which certificates from tls.ca-file the Raft port accepts from peers, and a node from the peers it dials: "
              + "any, or uri: only one whose subject alternative names include the URI aion://peer or "
              + "aion://peer/<id>, so that a client certificate from the same CA cannot speak Raft (docs/security.md)."),
      new Setting("tls.reload-interval", Type.DURATION, "30s",
          "How often the TLS files are checked for changes; new connections use a rotated certificate without a "
              + "restart."),
      new Setting("auth.enabled", Type.BOOL, "false",
          "Require authentication and check every request against the users' roles (docs/security.md "
              + "\"Authentication and access control\"). Off: every request may do everything (keep such a node on "
              + "loopback or behind a trusted network). Turn it on only once every member runs a version that has it."),
      new Setting("auth.root-password-file", Type.OPTIONAL_PATH, "",
          "File holding the password of the user 'root' (role root). Read at start: root is created with it, or given it "
              + "when its password differs (the file is the source of truth: a password changed only through the API is "
              + "set back at the next start)."),
      new Setting("auth.operator-key-file", Type.OPTIONAL_PATH, "",
          "File holding an API key (aion_<id>_<secret>) for the service account 'aion-operator' (built-in role "
              + "aion-operator: cluster-read, cluster-admin, backup; no data). Read at start: the account is created with "
              + "it, or the key is added when the account does not accept it (a cluster restored from another's backup). "
              + "The Kubernetes operator writes it. A malformed key stops the start."),
      new Setting("auth.token-ttl", Type.DURATION, "1h",
          "How long a token from POST /v1/auth/login stays valid (1s-30d)."),
      new Setting("audit.file", Type.OPTIONAL_PATH, "",
          "Audit log file: one hash-chained JSON line per privileged operation (namespace, index, membership, "
              + "leadership, backup, compaction), whatever its outcome (docs/security.md \"Audit log\"). Empty: none."),
      new Setting("audit.stdout", Type.BOOL, "false",
          "Also write the audit records to standard output (kubectl logs), one JSON line each."),
      new Setting("audit.max-file-size", Type.SIZE, "100MiB",
          "Rotate audit.file when it would grow past this (audit.file.1 is the newest rotated file)."),
      new Setting("audit.max-files", Type.INT, "10", "Rotated audit files kept besides the current one, 0-1000."),
      new Setting("audit.data-namespaces", Type.STRING, "",
          "Namespaces (comma-separated names or globs with *) whose data accesses are audited too: every get, history, "
              + "query, watch, put, delete, batch and transaction on them, whatever its outcome, one record each (who, "
              + "operation, namespace and key or prefix). A record per request: for sensitive namespaces only. Needs "
              + "audit.file or audit.stdout."),
      new Setting("metrics.enabled", Type.BOOL, "true",
          "Keep metrics: the request histograms, Raft, storage and JVM series on /metrics, and RocksDB's statistics. "
              + "false: /metrics answers 404 and RocksDB keeps no statistics; only to measure what metrics cost "
              + "(docs/benchmarks.md \"Metrics and tracing\"), never in production."),
      new Setting("tracing.otlp-endpoint", Type.STRING, "",
          "OTLP/HTTP traces endpoint (e.g. http://otel-collector:4318/v1/traces) that turns OpenTelemetry tracing on: "
              + "each request's spans, from the transport through the Raft leader to RocksDB, sent in batches "
              + "(docs/tracing.md). Empty: tracing off."),
      new Setting("tracing.sample-ratio", Type.STRING, "1.0",
          "Share (0-1) of the traces this node starts that are recorded; a request with a W3C traceparent keeps its "
              + "caller's sampling decision. 0.01 keeps the cost low under heavy load (docs/benchmarks.md)."),
      new Setting("tracing.service-name", Type.STRING, "aion-db",
          "service.name of this node's spans (service.instance.id is node.id)."),
      new Setting("encryption.key-file", Type.OPTIONAL_PATH, "",
          "Key-encryption key (32 bytes as 64 hex digits or base64, e.g. openssl rand -hex 32) that turns encryption at "
              + "rest on: every value this member stores and every Raft log entry is sealed with AES-256-GCM under keys "
              + "derived from or wrapped by it (docs/security.md \"Encryption at rest\"). Every member needs the same "
              + "key. Keys, index entries and revisions stay in clear. Once on, a member does not start without it."),
      new Setting("encryption.old-key-files", Type.STRING, "",
          "Earlier key-encryption keys (comma-separated files), still used to open what they sealed while a new "
              + "encryption.key-file takes over (each member re-wraps its data keys under the new key at start). Alone, "
              + "without encryption.key-file: the member opens what these keys sealed and seals nothing, the first step "
              + "of turning encryption on in a running cluster."),
      new Setting("encryption.data-key-rotation-period", Type.DURATION, "30d",
          "How old the oldest data key of this member's key ring may grow: past it, a new key becomes active and a "
              + "background pass re-encrypts every value the older keys sealed (rewriting each once), then drops them. A "
              + "new key also comes at every start, without a pass. 0: passes only by POST /v1/encryption/rotate."),
      new Setting("backup.s3.bucket", Type.STRING, "",
          "Bucket backups go to (docs/backup.md); it must exist. Empty: backups are off. Credentials come from the "
              + "AWS SDK's default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, profile files, web identity)."),
      new Setting("backup.s3.endpoint", Type.STRING, "",
          "S3 endpoint URL, e.g. http://minio.storage.svc:9000. Empty: AWS's endpoint for backup.s3.region."),
      new Setting("backup.s3.prefix", Type.STRING, "",
          "Key prefix of this cluster's backups in the bucket (a/b/c, no leading or trailing slash). Empty: cluster.name."),
      new Setting("backup.s3.region", Type.STRING, "us-east-1", "Region the S3 requests are signed for."),
      new Setting("backup.s3.path-style", Type.BOOL, "false",
          "Path-style URLs (endpoint/bucket/key), as MinIO, Ceph and s3proxy need; false: virtual-hosted buckets."),
      new Setting("backup.transfers", Type.INT, "4",
          "Files a backup hashes and uploads (a restore or deep verification downloads and checks) at once, 1-32."),
      new Setting("backup.encryption-key-file", Type.OPTIONAL_PATH, "",
          "File with the 32-byte key that encrypts backups (64 hex digits or base64, e.g. from openssl rand -hex 32); "
              + "set: every backup is encrypted client-side (docs/backup.md). Empty: backups are not encrypted."),
      new Setting("backup.stores-file", Type.OPTIONAL_PATH, "",
          "Properties file of named stores besides the default one, <name>.bucket, .endpoint, .prefix, .region, "
              + ".path-style, .credentials-dir, .encryption-key-file, .encryption-old-key-files (docs/backup.md \"Named "
              + "stores\"); a backup picks one with ?store=NAME. Empty: the default store only."),
      new Setting("backup.encryption-old-key-files", Type.STRING, "",
          "Comma-separated files with earlier backup keys, to verify and restore backups taken before a key rotation."));

  public static Setting byName(String name) {
    for (Setting s : ALL) if (s.name().equals(name)) return s;
    return null;
  }

  /** docs/configuration.md, generated. */
  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Configuration\n\n")
        .append("<!-- Generated from engine/server/src/main/java/io/aiondb/server/config/Settings.java by\n")
        .append("     `bin/aion-server --config-doc > docs/configuration.md`; a test fails when this file is stale. -->\n\n")
        .append("Every setting can be given, from lowest to highest precedence:\n\n")
        .append("1. in a properties file passed with `--config FILE` (`name=value` lines),\n")
        .append("2. as an environment variable (`AION_` + the name in capitals, `.` and `-` as `_`),\n")
        .append("3. as a flag: `--name=value` or `--name value`.\n\n")
        .append("Sizes take `B`, `KiB`, `MiB`, `GiB`, `TiB` (or plain bytes); durations take `ms`, `s`, `m`, `h`, `d`\n")
        .append("(or `0`). An unknown name or a malformed value stops the server with a message naming it.\n\n")
        .append("```sh\nbin/aion-server --http.port=7071 --data.dir=/var/lib/aion --history.keep-duration=7d\n")
        .append("AION_CACHE_SIZE=256MiB bin/aion-server\n```\n\n")
        .append("| Setting | Environment | Type | Default | Description |\n")
        .append("|---|---|---|---|---|\n");
    for (Setting s : ALL) {
      sb.append("| `").append(s.name()).append("` | `").append(s.envName()).append("` | ")
          .append(s.type().name().toLowerCase(java.util.Locale.ROOT).replace("optional_", "")).append(" | ")
          .append(s.defaultValue().isEmpty() ? "(none)" : "`" + s.defaultValue() + "`").append(" | ")
          .append(s.doc()).append(" |\n");
    }
    return sb.toString();
  }
}
