package io.aiondb.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default way to the members, {@code --connect proxy}, through a real kube-apiserver's {@code pods/proxy}: the
 * e2e clusters run their pods on 127.0.0.N, which the API server refuses to proxy to, so this test gives a Pod the
 * address of this machine's own network interface, where an HTTPS server plays the member's API (what the engine
 * answers is the engine's business, tested elsewhere; here: the path, the TLS scheme, the login, and the credentials
 * arriving in {@code X-Aion-Authorization} since the API server keeps {@code Authorization}).
 */
class ApiServerProxyTest {
  @TempDir Path dir;

  record Seen(String method, String path, String authorization, String proxiedAuthorization, String body) {}

  @Test
  void statusAndSwitchoverReachTheMemberThroughTheApiServersPodsProxy() throws Exception {
    Optional<InetAddress> address = routableAddress();
    Assumptions.assumeTrue(address.isPresent(), "this machine has no non-loopback IPv4 address for a pod");
    String ip = address.get().getHostAddress();

    ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    HttpsServer member = HttpsServer.create(new InetSocketAddress(address.get(), 0), 8);
    member.setHttpsConfigurator(new HttpsConfigurator(selfSigned(ip)));
    member.createContext("/", x -> answer(x, seen));
    member.start();

    Path root = Path.of(System.getProperty("user.dir")).getParent();
    String version = pinnedVersion(root.resolve("e2e/control-plane/gomod/go.mod"));
    String home = System.getenv("KUBE_API_TEST_DIR");
    KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withApiServerVersion(version)
        .withTestDir(home != null && !home.isBlank() ? home : Path.of(System.getProperty("user.home"), ".kubeapitest").toString())
        .withOfflineMode(true).withUpdateKubeConfig(false).build());
    server.start();
    try (KubernetesClient admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(server.getKubeConfigYaml())).build()) {
      Path kubeconfig = dir.resolve("kubeconfig");
      Files.writeString(kubeconfig, server.getKubeConfigYaml());
      try (InputStream crd = Files.newInputStream(root.resolve("crds/aionclusters.aiondb.io-v1.yml"))) {
        admin.load(crd).serverSideApply();
      }
      admin.resource(new NamespaceBuilder().withNewMetadata().withName("db").endMetadata().build()).create();
      org.awaitility.Awaitility.await().ignoreExceptions().until(() -> {
        admin.genericKubernetesResources(Target.API_VERSION, "AionCluster").inNamespace("db").list();
        return true;
      });
      var cluster = new io.fabric8.kubernetes.api.model.GenericKubernetesResource();
      cluster.setApiVersion(Target.API_VERSION);
      cluster.setKind("AionCluster");
      cluster.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("aion").withNamespace("db").build());
      cluster.setAdditionalProperty("spec", Map.of("replicas", 1, "version", "0.1.0"));
      admin.resource(cluster).create();
      admin.resource(new SecretBuilder().withNewMetadata().withName("aion-root").withNamespace("db").endMetadata()
          .addToStringData("password", "root-secret-pw").build()).create();
      int port = member.getAddress().getPort();
      Pod pod = admin.resource(new PodBuilder().withNewMetadata().withName("aion-0").withNamespace("db")
          .addToLabels("app.kubernetes.io/name", "aion-db").addToLabels("app.kubernetes.io/instance", "aion").endMetadata()
          .withNewSpec().addNewContainer().withName("aion").withImage("aion:test")
          .addNewPort().withName("http").withContainerPort(port).endPort()
          .withNewReadinessProbe().withNewHttpGet().withPath("/ready").withNewPort("http").withScheme("HTTPS").endHttpGet()
          .endReadinessProbe().endContainer().endSpec().build()).create();
      pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").withPodIP(ip)
          .addNewPodIP(ip).addNewCondition().withType("Ready").withStatus("True").endCondition().build());
      admin.pods().inNamespace("db").resource(pod).updateStatus();

      var status = run("status", "aion", "-n", "db", "--kubeconfig", kubeconfig.toString());
      assertThat(status.code).as(status.err).isZero();
      assertThat(status.out).contains("Leader:      aion-0", "Raft:        term 4, commit index 17");
      assertThat(status.out.lines().filter(l -> l.startsWith("aion-0 ")).findFirst().orElseThrow().split("\\s{2,}"))
          .startsWith("aion-0", "Leader", "Voter", "true", "0");
      Seen login = seen.stream().filter(s -> s.path().equals("/v1/auth/login")).findFirst().orElseThrow();
      assertThat(login.method()).isEqualTo("POST");
      assertThat(login.body()).contains("\"user\":\"root\"", "\"password\":\"root-secret-pw\"");
      Seen nodes = seen.stream().filter(s -> s.path().equals("/v1/cluster/nodes")).findFirst().orElseThrow();
      assertThat(nodes.proxiedAuthorization()).isEqualTo("Bearer token-from-login");
      assertThat(nodes.authorization()).as("the API server keeps its own credentials").isNull();

      seen.clear();
      var token = run("switchover", "aion", "-n", "db", "--kubeconfig", kubeconfig.toString(), "--token", "aion_key");
      assertThat(token.code).as(token.err).isEqualTo(1); // one member: the engine says so, and the plugin passes it on
      assertThat(token.err).contains("drain-leadership on aion-0: NOT_CAUGHT_UP: no other voter");
      Seen drain = seen.stream().filter(s -> s.path().endsWith("/drain-leadership")).findFirst().orElseThrow();
      assertThat(drain.path()).isEqualTo("/v1/cluster/nodes/aion-0/drain-leadership");
      assertThat(drain.proxiedAuthorization()).isEqualTo("Bearer aion_key");
      assertThat(seen).noneMatch(s -> s.path().equals("/v1/auth/login")); // a token given: no login
    } finally {
      server.stop();
      member.stop(0);
    }
  }

  record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = KubectlAion.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static void answer(HttpExchange x, ConcurrentLinkedQueue<Seen> seen) throws java.io.IOException {
    String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String path = x.getRequestURI().getPath();
    seen.add(new Seen(x.getRequestMethod(), path, x.getRequestHeaders().getFirst("Authorization"),
        x.getRequestHeaders().getFirst("X-Aion-Authorization"), body));
    int code = 200;
    String reply;
    if (path.equals("/v1/auth/login")) {
      reply = "{\"token\":\"token-from-login\",\"expiresAt\":\"2030-01-01T00:00:00Z\"}";
    } else if (path.equals("/v1/cluster/nodes")) {
      reply = "{\"groups\":[{\"groupId\":\"g\",\"leader\":\"aion-0\",\"term\":4,\"commitIndex\":17}],\"nodes\":[{\"id\":\"aion-0\","
          + "\"membership\":\"Voter\",\"reachable\":true,\"version\":\"0.1.0\",\"caughtUp\":true,\"lag\":0,\"leads\":1,"
          + "\"safeToRestart\":false,\"reason\":\"the only voter\",\"groups\":[{\"role\":\"LEADER\"}]}]}";
    } else if (path.endsWith("/drain-leadership")) {
      code = 409;
      reply = "{\"code\":\"NOT_CAUGHT_UP\",\"message\":\"no other voter\"}";
    } else {
      code = 404;
      reply = "{\"code\":\"NOT_FOUND\",\"message\":\"" + path + "\"}";
    }
    byte[] b = reply.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(code, b.length);
    x.getResponseBody().write(b);
    x.close();
  }

  /** An IPv4 address of this machine that is not loopback or link-local: one the API server proxies to. */
  private static Optional<InetAddress> routableAddress() throws java.net.SocketException {
    for (NetworkInterface n : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!n.isUp() || n.isLoopback()) continue;
      for (InetAddress a : java.util.Collections.list(n.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  private SSLContext selfSigned(String ip) throws Exception {
    Path store = dir.resolve("member.p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
        "-alias", "member", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=aion-0", "-ext", "SAN=ip:" + ip,
        "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
        .redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(log).isZero();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  private static String pinnedVersion(Path goMod) throws java.io.IOException {
    Matcher m = Pattern.compile("^\\s*(?:require\\s+)?k8s\\.io/kubernetes\\s+v(\\d+\\.\\d+\\.\\d+)\\b", Pattern.MULTILINE)
        .matcher(Files.readString(goMod));
    assertThat(m.find()).as("the pinned Kubernetes version in " + goMod).isTrue();
    return m.group(1);
  }
}
