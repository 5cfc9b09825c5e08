package io.aiondb.operator.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.operator.packaging.Chart;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd + kube-apiserver started by fabric8 kube-api-test from the binaries {@code e2e/control-plane/build.sh}
 * lays out ({@link ControlPlaneBinaries}), with an audit log of every request the operator's ServiceAccount makes.
 * There is no controller-manager, scheduler or kubelet: no pods, no garbage collection of owned objects, no
 * StatefulSet status unless a test writes it.
 *
 * <p>Tests install the CRD ({@link #installCrd}) and the operator's ServiceAccount with exactly the RBAC of the Helm
 * chart ({@link #installOperatorServiceAccount}: charts/aion-operator rendered by helm-java).
 */
public final class ControlPlane implements AutoCloseable {
  /** Where the chart is installed (Chart renders with this release namespace). */
  public static final String OPERATOR_NAMESPACE = "aion-system";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<Class<?>> RBAC_KINDS = Set.of(ServiceAccount.class, ClusterRole.class,
      ClusterRoleBinding.class, Role.class, RoleBinding.class);

  private final KubeAPIServer server;
  private final String version;
  private final Path stateDir;
  private final Thread stopper;
  private final Config adminConfig;
  private final KubernetesClient admin;
  private String operatorUser;

  private ControlPlane(KubeAPIServer server, String version, Path stateDir, Thread stopper) {
    this.server = server;
    this.version = version;
    this.stateDir = stateDir;
    this.stopper = stopper;
    this.adminConfig = Config.fromKubeconfig(server.getKubeConfigYaml());
    this.admin = client(adminConfig, "aion-operator-test");
  }

  /** Starts etcd and kube-apiserver; fails with what to run if the binaries are missing. */
  public static ControlPlane start() {
    ControlPlaneBinaries binaries = ControlPlaneBinaries.pinned().check();
    Path dir;
    try {
      dir = Files.createTempDirectory("aion-kube-api-test");
      // Records every request of a ServiceAccount, without bodies: who did what and the answer's status code.
      Files.writeString(dir.resolve("audit-policy.yaml"), """
          apiVersion: audit.k8s.io/v1
          kind: Policy
          omitStages: [RequestReceived]
          rules:
            - level: Metadata
              userGroups: ["system:serviceaccounts"]
            - level: None
          """);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withApiServerVersion(binaries.version())
        .withTestDir(binaries.testDir().toString())
        .withOfflineMode(true)
        .withUpdateKubeConfig(false)
        .withApiServerFlag("--audit-policy-file", dir.resolve("audit-policy.yaml").toString())
        .withApiServerFlag("--audit-log-path", dir.resolve("audit.log").toString())
        .build());
    // etcd and kube-apiserver are child processes: make sure they never outlive this JVM, even if a test run dies
    // without stopping them (close() removes the hook).
    Thread stopper = new Thread(() -> stopQuietly(server), "stop-kube-api-test");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      server.start();
      return new ControlPlane(server, binaries.version(), dir, stopper);
    } catch (RuntimeException e) {
      stopQuietly(server);
      Runtime.getRuntime().removeShutdownHook(stopper);
      throw e;
    }
  }

  private static void stopQuietly(KubeAPIServer server) {
    try {
      server.stop();
    } catch (RuntimeException e) {
      // partly started: whatever runs was stopped before the failure
    }
  }

  /** A client with cluster-admin rights (group system:masters): the test's own hands. */
  public KubernetesClient admin() {
    return admin;
  }

  /** The Kubernetes version of the API server (e.g. 1.34.4). */
  public String version() {
    return version;
  }

  public String apiServerUrl() {
    return adminConfig.getMasterUrl();
  }

  /**
   * Applies a CRD and waits until the API server serves it, watch cache included: until then, lists from the cache
   * (resourceVersion=0, what informers send first) are answered 429.
   */
  public void installCrd(Path file) {
    CustomResourceDefinition crd = admin.apiextensions().v1().customResourceDefinitions().load(file.toFile()).item();
    admin.resource(crd).serverSideApply();
    admin.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
        .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null && c.getStatus().getConditions().stream()
            .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())), 30, TimeUnit.SECONDS);
    String apiVersion = crd.getSpec().getGroup() + "/" + crd.getSpec().getVersions().get(0).getName();
    // 429 means "not yet"; any other error fails at once
    org.awaitility.Awaitility.await("the API server serves " + crd.getMetadata().getName() + " from its watch cache")
        .atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> {
          try {
            admin.genericKubernetesResources(apiVersion, crd.getSpec().getNames().getKind()).inAnyNamespace()
                .list(new ListOptionsBuilder().withResourceVersion("0").build());
            return true;
          } catch (KubernetesClientException e) {
            if (e.getCode() != 429) throw e;
            return false;
          }
        });
  }

  public void createNamespace(String name) {
    admin.resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).serverSideApply();
  }

  /**
   * Installs the chart's ServiceAccount and RBAC (not its Deployment), rendered with {@code chartValues} (e.g.
   * {@code watchNamespaces[0]=team-a} for a Role per namespace instead of the ClusterRole), and returns a client config
   * authenticated with a token of that ServiceAccount: the operator's identity in production.
   */
  public Config installOperatorServiceAccount(Map<String, Object> chartValues) {
    List<HasMetadata> chart = Chart.render(chartValues);
    createNamespace(OPERATOR_NAMESPACE);
    Chart.ofKind(chart, Role.class).forEach(r -> createNamespace(r.getMetadata().getNamespace()));
    for (HasMetadata o : chart) {
      if (RBAC_KINDS.contains(o.getClass())) {
        admin.resource(o).serverSideApply();
      }
    }
    ServiceAccount account = Chart.ofKind(chart, ServiceAccount.class).get(0);
    String token = admin.serviceAccounts().inNamespace(OPERATOR_NAMESPACE).withName(account.getMetadata().getName())
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(24 * 3600L).endSpec().build())
        .getStatus().getToken();
    operatorUser = "system:serviceaccount:" + OPERATOR_NAMESPACE + ":" + account.getMetadata().getName();
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(adminConfig.getMasterUrl())
        .withCaCertFile(adminConfig.getCaCertFile())
        .withCaCertData(adminConfig.getCaCertData())
        .withOauthToken(token)
        .build();
  }

  /** The user name the API server sees for the operator ({@code system:serviceaccount:<ns>:<name>}). */
  public String operatorUser() {
    return operatorUser;
  }

  /** One request in the API server's audit log. */
  public record AuditEvent(String user, String verb, String group, String resource, String subresource,
      String namespace, String name, int code, String uri) {
    /** {@code verb group/resource[/subresource]}, as in {@link io.aiondb.operator.packaging.Rule#toString()}. */
    public String permission() {
      return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource
          + (subresource.isEmpty() ? "" : "/" + subresource);
    }
  }

  /** Every completed request of {@code user} so far (the audit log backend writes synchronously). */
  public List<AuditEvent> audit(String user) {
    List<AuditEvent> events = new ArrayList<>();
    Path log = stateDir.resolve("audit.log");
    if (!Files.exists(log)) {
      return events;
    }
    try (Stream<String> lines = Files.lines(log)) {
      for (String line : (Iterable<String>) lines::iterator) {
        JsonNode e = JSON.readTree(line);
        String stage = e.path("stage").asText();
        if (!user.equals(e.at("/user/username").asText()) || !(stage.equals("ResponseComplete")
            || stage.equals("ResponseStarted") || stage.equals("Panic"))) {
          continue;
        }
        JsonNode ref = e.path("objectRef");
        events.add(new AuditEvent(user, e.path("verb").asText(), ref.path("apiGroup").asText(""),
            ref.path("resource").asText(""), ref.path("subresource").asText(""), ref.path("namespace").asText(""),
            ref.path("name").asText(""), e.at("/responseStatus/code").asInt(0), e.path("requestURI").asText()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return events;
  }

  static KubernetesClient client(Config config, String userAgent) {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder(config).withUserAgent(userAgent).build()).build();
  }

  @Override
  public void close() {
    admin.close();
    server.stop();
    try {
      Runtime.getRuntime().removeShutdownHook(stopper);
    } catch (IllegalStateException e) {
      // closed from a shutdown hook (the JVM is exiting): the stopper may run again, stopping nothing
    }
    try (Stream<Path> files = Files.walk(stateDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
