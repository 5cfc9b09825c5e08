package io.aiondb.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real cluster of separate server JVMs on this machine, for fault tests. Node {@code i} (1-based) runs the
 * packaged server on its own loopback address {@code 127.0.2.i}; all nodes use the same two ports. Peers are
 * addressed by name ({@code n1}, {@code n2}, …) as pods are on Kubernetes; each node's JVM gets its own hosts file
 * ({@code -Djdk.net.hosts.file}) mapping {@code nJ} to {@code 127.1.I.J}, where a {@link TcpProxy} forwards to node
 * J. Cutting the proxies between two sides is a network partition; {@link #kill} is kill -9; {@link #pause} is
 * SIGSTOP.
 */
public final class LocalCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final int size;
  private final int raftPort;
  private final int httpPort;
  private final int protocolPort;
  private final List<String> extraFlags;
  private final Map<String, TcpProxy> proxies = new HashMap<>(); // "i>j:port"
  private final Process[] processes;
  private final Map<Integer, Map<String, String>> env = new HashMap<>();
  private final HttpClient http;

  private final int initialVoters;
  /** With TLS: the PKI each node's certificate comes from (tests may swap one for a rogue CA), else null. */
  private final io.aiondb.server.security.TestPki[] pkiOf;
  private final io.aiondb.server.security.TestPki pki;

  public LocalCluster(Path dir, int size, String... extraFlags) throws Exception {
    this(dir, size, size, extraFlags);
  }

  public LocalCluster(Path dir, int size, int initialVoters, String... extraFlags) throws Exception {
    this(dir, size, initialVoters, null, extraFlags);
  }

  /**
   * @param size          nodes the hosts files and proxies are laid out for
   * @param initialVoters nodes started now, forming the cluster; the rest can be started later as joiners
   */
  public LocalCluster(Path dir, int size, int initialVoters, io.aiondb.server.security.TestPki pki,
      String... extraFlags) throws Exception {
    this(dir, size, initialVoters, pki, Map.of(), extraFlags);
  }

  /**
   * @param env extra environment variables of node i's JVM, by i (e.g. a power-loss shim); its data directory is
   *            {@code dir/n<i>}
   */
  public LocalCluster(Path dir, int size, Map<Integer, Map<String, String>> env, String... extraFlags) throws Exception {
    this(dir, size, size, null, env, extraFlags);
  }

  private LocalCluster(Path dir, int size, int initialVoters, io.aiondb.server.security.TestPki pki,
      Map<Integer, Map<String, String>> env, String... extraFlags) throws Exception {
    this.env.putAll(env);
    this.dir = Files.createDirectories(dir);
    this.pki = pki;
    this.pkiOf = new io.aiondb.server.security.TestPki[size + 1];
    java.util.Arrays.fill(pkiOf, pki);
    HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1));
    if (pki != null) hb.sslContext(trust());
    this.http = hb.build();
    this.size = size;
    this.initialVoters = initialVoters;
    this.extraFlags = List.of(extraFlags);
    this.processes = new Process[size + 1];
    // below Linux's ephemeral range (32768 and up): there any client socket of this or another process may hold the
    // port, and a node that cannot bind it never starts (CI, 2026-12-06: LinearizabilityIT's first request to n1 was
    // refused after the others elected a leader; bin/lib/free-port-pair avoids the range for the same reason)
    int base = 20000 + ThreadLocalRandom.current().nextInt(12000);
    this.raftPort = base;
    this.httpPort = base + 1;
    this.protocolPort = base + 2;
    for (int i = 1; i <= size; i++) {
      StringBuilder hosts = new StringBuilder();
      for (int j = 1; j <= size; j++) {
        hosts.append(i == j ? nodeIp(j) : proxyIp(i, j)).append(' ').append(name(j)).append('\n');
        if (i != j) {
          for (int port : new int[] {raftPort, httpPort}) {
            proxies.put(i + ">" + j + ":" + port, new TcpProxy(proxyIp(i, j), port, nodeIp(j)));
          }
        }
      }
      Files.writeString(hostsFile(i), hosts.toString());
    }
    for (int i = 1; i <= initialVoters; i++) start(i);
  }

  public static String name(int i) {
    return "n" + i;
  }

  public static String nodeIp(int i) {
    return "127.0.2." + i;
  }

  static String proxyIp(int from, int to) {
    return "127.1." + from + "." + to;
  }

  private Path hostsFile(int i) {
    return dir.resolve("hosts-" + i);
  }

  public Path log(int i) {
    return dir.resolve(name(i) + ".log");
  }

  public int size() {
    return size;
  }

  public String url(int i) {
    return (pki != null ? "https://" : "http://") + nodeIp(i) + ":" + httpPort;
  }

  /** With TLS: a client context trusting the cluster's CA. */
  public javax.net.ssl.SSLContext trust() {
    return io.aiondb.client.ClientTls.fromPem(pki.caFile, null, null);
  }

  /** With TLS: node i's certificate comes from {@code from} at its next start (a rogue CA, or back to the cluster's). */
  public void usePki(int i, io.aiondb.server.security.TestPki from) {
    pkiOf[i] = from;
  }

  /** TLS flags for node i: a fresh certificate naming its peer name, address and aion://peer/<name>, from its PKI. */
  private List<String> tlsFlags(int i) throws IOException {
    if (pkiOf[i] == null) return List.of();
    try {
      // a peer identity (tls.peer-identity=uri) besides the names peers and clients dial
      var issued = pkiOf[i].issue(name(i), name(i), nodeIp(i), "aion://peer/" + name(i));
      return List.of("--tls.cert-file=" + issued.cert(), "--tls.key-file=" + issued.key(),
          "--tls.ca-file=" + pkiOf[i].caFile);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  /** Node i's binary-protocol address (direct, not through the proxies). */
  public String protocolAddress(int i) {
    return nodeIp(i) + ":" + protocolPort;
  }

  /** Every node's protocol address, comma-separated (client seeds). */
  public String protocolSeeds() {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= size; i++) out.add(protocolAddress(i));
    return String.join(",", out);
  }

  /** Members advertise their peer names (nJ); a client outside the nodes' hosts files maps them to 127.0.2.J. */
  public static String mapAddress(String advertised) {
    int colon = advertised.lastIndexOf(':');
    String host = advertised.substring(0, colon);
    if (host.matches("n\\d+")) return nodeIp(Integer.parseInt(host.substring(1))) + advertised.substring(colon);
    return advertised;
  }

  public String peersSpec(int upTo) {
    List<String> parts = new ArrayList<>();
    for (int j = 1; j <= upTo; j++) parts.add(name(j) + "=" + name(j) + ":" + raftPort + ":" + httpPort);
    return String.join(",", parts);
  }

  public int raftPort() {
    return raftPort;
  }

  public String raftAddress(int i) {
    return name(i) + ":" + raftPort;
  }

  public String httpAddress(int i) {
    return name(i) + ":" + httpPort;
  }

  /** Sets node i's extra environment variables for its next start (e.g. AION_ENCRYPTION_KEY_FILE). */
  public void env(int i, Map<String, String> vars) {
    env.put(i, Map.copyOf(vars));
  }

  /** Node i's data directory ({@code data.dir}). */
  public Path dataDir(int i) {
    return dir.resolve(name(i));
  }

  /** Starts (or restarts) node i on its data directory; nodes beyond the initial voters start as joiners. */
  public void start(int i) throws IOException {
    boolean joiner = i > initialVoters;
    Path jar = Path.of("target/aion-server.jar").toAbsolutePath();
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Djdk.net.hosts.file=" + hostsFile(i), "-jar", jar.toString(),
        "--node.id=" + name(i), "--data.dir=" + dataDir(i),
        "--cluster.peers=" + (joiner ? peersSpec(size) : peersSpec(initialVoters)), "--cluster.bootstrap=" + !joiner,
        "--raft.host=" + nodeIp(i), "--raft.port=" + raftPort, "--http.host=" + nodeIp(i), "--http.port=" + httpPort,
        "--protocol.port=" + protocolPort,
        "--log.level=info"));
    cmd.addAll(tlsFlags(i));
    cmd.addAll(extraFlags);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env.getOrDefault(i, Map.of()));
    processes[i] = pb.redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(i).toFile())).start();
  }

  /** Waits until every running node answers /health and some node reports a leader that all running nodes agree on. */
  public String awaitLeader(Duration timeout) {
    try {
      return org.awaitility.Awaitility.await("a leader").atMost(timeout).pollInterval(Duration.ofMillis(100))
          .until(this::leader, java.util.Objects::nonNull);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new IllegalStateException("no leader within " + timeout + "\n" + tails(), e);
    }
  }

  /**
   * The leader as reported by a running node that can see one, once the leader's own HTTP API answers too and every
   * other running, not paused node's (null otherwise): a node elected before its HTTP listener opened would refuse the
   * caller's first request, and so would a follower still starting (AdmissionIT's first request to a follower was
   * refused that way in a CI run).
   */
  public String leader() {
    for (int i = 1; i <= size; i++) {
      if (alive(i) && !paused.contains(i) && get(i, "/v1/status") == null) return null;
    }
    for (int i = 1; i <= size; i++) {
      if (!alive(i)) continue;
      JsonNode m = get(i, "/v1/cluster/members");
      if (m == null || !m.hasNonNull("leader")) continue;
      String leader = m.get("leader").asText();
      int index = leader.startsWith("n") && leader.substring(1).chars().allMatch(Character::isDigit)
          ? Integer.parseInt(leader.substring(1)) : -1;
      if (index >= 1 && index <= size && (index == i || get(index, "/v1/status") != null)) return leader;
    }
    return null;
  }

  private static final HttpClient TEXT_HTTP = HttpClient.newHttpClient();

  /** PUT of a text/plain value to namespace {@code a} through the node at {@code url}, not awaited. */
  public static java.util.concurrent.CompletableFuture<HttpResponse<String>> putText(String url, String key, String value) {
    return TEXT_HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/ns/a/keys/" + key))
        .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString(value)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The newest retained value of key {@code k} in namespace {@code a}, read stale from the node at {@code url}. */
  public static String newestValue(String url) throws IOException, InterruptedException {
    JsonNode h = JSON.readTree(TEXT_HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/ns/a/history/k?consistency=stale"))
        .build(), HttpResponse.BodyHandlers.ofString()).body());
    return h.path("versions").path(0).path("value").asText();
  }

  public int leaderIndex(Duration timeout) {
    return Integer.parseInt(awaitLeader(timeout).substring(1));
  }

  public JsonNode get(int i, String path) {
    try {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url(i) + path)).timeout(Duration.ofSeconds(3)).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  public boolean alive(int i) {
    return processes[i] != null && processes[i].isAlive();
  }

  public long pid(int i) {
    return processes[i].pid();
  }

  /** kill -9. */
  public void kill(int i) throws InterruptedException {
    if (processes[i] == null) return;
    resume(i);
    processes[i].destroyForcibly();
    processes[i].waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM and wait. */
  public void stop(int i) throws InterruptedException {
    if (processes[i] == null) return;
    resume(i);
    processes[i].destroy();
    if (!processes[i].waitFor(60, TimeUnit.SECONDS)) processes[i].destroyForcibly();
  }

  public void pause(int i) throws IOException, InterruptedException {
    signal("STOP", i);
    paused.add(i);
  }

  /** Nodes stopped with SIGSTOP ({@link #pause}): alive, but not expected to answer. */
  private final java.util.Set<Integer> paused = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public void resume(int i) throws InterruptedException {
    paused.remove(i);
    try {
      signal("CONT", i);
    } catch (IOException ignored) {
      // not running
    }
  }

  private void signal(String sig, int i) throws IOException, InterruptedException {
    if (!alive(i)) return;
    new ProcessBuilder("kill", "-" + sig, Long.toString(pid(i))).start().waitFor(10, TimeUnit.SECONDS);
  }

  /** Cuts every link between the two sides (both directions, Raft and HTTP). */
  public void partition(Set<Integer> side) {
    for (var e : proxies.entrySet()) {
      String[] ij = e.getKey().split("[>:]");
      boolean a = side.contains(Integer.parseInt(ij[0]));
      boolean b = side.contains(Integer.parseInt(ij[1]));
      if (a != b) e.getValue().cut();
    }
  }

  /**
   * Node {@code from}'s Raft connections to every other node stay open but carry nothing either way (a peer that
   * accepts TCP and never answers) until {@link #heal()}.
   */
  public void blackholeRaftFrom(int from) {
    for (var e : proxies.entrySet()) {
      String[] ij = e.getKey().split("[>:]");
      if (Integer.parseInt(ij[0]) == from && Integer.parseInt(ij[2]) == raftPort) e.getValue().blackhole();
    }
  }

  public void heal() {
    proxies.values().forEach(TcpProxy::heal);
  }

  public String tails() {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= size; i++) {
      try {
        List<String> lines = Files.readAllLines(log(i));
        sb.append("--- ").append(name(i)).append(" (last lines)\n");
        lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> sb.append(l).append('\n'));
      } catch (IOException e) {
        sb.append("--- ").append(name(i)).append(": no log\n");
      }
    }
    return sb.toString();
  }

  /** Keeps the node logs in target/cluster-logs/&lt;label&gt;/ after the cluster is gone (for failures in CI). */
  public void keepLogs(String label) {
    try {
      Path out = Path.of("target/cluster-logs", label);
      Files.createDirectories(out);
      for (int i = 1; i <= size; i++) {
        if (Files.exists(log(i))) Files.copy(log(i), out.resolve(name(i) + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      System.err.println("could not keep logs: " + e);
    }
  }

  @Override
  public void close() throws Exception {
    for (int i = 1; i <= size; i++) kill(i);
    proxies.values().forEach(TcpProxy::close);
    keepLogs(label);
  }

  private String label = "cluster";

  public LocalCluster label(String l) {
    this.label = l;
    return this;
  }
}
