package io.aiondb.e2e.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Installs the operator the way its Helm chart would: the CRDs the operator build generated
 * ({@code operator/target/kubernetes/*.aiondb.io-v1.yml}, which a test keeps equal to the chart's
 * {@code crds/}), and every object {@code helm template charts/aion-operator} renders except the Deployment
 * (ServiceAccount, ClusterRole, ClusterRoleBinding): the chart is rendered with the Helm library embedded in
 * helm-java ({@link RenderChart}, in a child JVM), no helm binary. The operator itself then runs as a local
 * process with a token of that ServiceAccount.
 */
public final class OperatorInstall {
  public static final String RELEASE = "aion-operator";
  public static final String NAMESPACE = "aion-system";
  public static final String FIELD_MANAGER = "aion-dev-cluster";

  private final List<HasMetadata> rendered;

  private OperatorInstall(List<HasMetadata> rendered) {
    this.rendered = rendered;
  }

  /** Renders the chart with its default values (all namespaces: a ClusterRole), plus {@code values}. */
  public static OperatorInstall render(Path chart, KubernetesClient client, String kubeVersion,
      Map<String, String> values) throws IOException, InterruptedException {
    String manifests = RenderChart.render(chart, RELEASE, NAMESPACE, kubeVersion, values);
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : manifests.split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
        objects.add(client.getKubernetesSerialization().unmarshal(
            new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8))));
      }
    }
    return new OperatorInstall(objects);
  }

  public List<HasMetadata> rendered() {
    return rendered;
  }

  /** The chart's operator Deployment (not applied: its container's env and resources are used for the process). */
  public Deployment deployment() {
    return rendered.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst().orElseThrow();
  }

  public String serviceAccountName() {
    return rendered.stream().filter(ServiceAccount.class::isInstance).findFirst().orElseThrow().getMetadata().getName();
  }

  /**
   * Applies every CRD the operator build generated in {@code dir} (operator/target/kubernetes: one per kind the
   * operator serves; it refuses to start while one of them is missing).
   */
  public static void applyCrds(KubernetesClient client, Path dir) throws IOException {
    List<Path> crds;
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      crds = files.filter(p -> p.getFileName().toString().endsWith(".aiondb.io-v1.yml")).sorted().toList();
    }
    if (crds.isEmpty()) throw new IOException("no CRD in " + dir + ": build the operator first");
    for (Path crd : crds) applyCrd(client, crd);
  }

  public static void applyCrd(KubernetesClient client, Path crdFile) throws IOException {
    CustomResourceDefinition crd;
    try (InputStream in = Files.newInputStream(crdFile)) {
      crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
    }
    client.resource(crd).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
        .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
            && c.getStatus().getConditions().stream().anyMatch(
                k -> k.getType().equals("Established") && k.getStatus().equals("True")), 60, TimeUnit.SECONDS);
  }

  /** Applies the namespace and every rendered object but the Deployment (with it if {@code withDeployment}). */
  public void apply(KubernetesClient client, boolean withDeployment) {
    client.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    for (HasMetadata o : rendered) {
      if (o instanceof Deployment && !withDeployment) continue;
      client.resource(o).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }
  }

  /**
   * A kubeconfig for the operator: the API server and CA of {@code admin}, and a token of the chart's
   * ServiceAccount (TokenRequest API, valid for {@code validity}).
   */
  public Path writeOperatorKubeconfig(KubernetesClient client, Config admin, Path file, Duration validity)
      throws IOException {
    String token = client.serviceAccounts().inNamespace(NAMESPACE).withName(serviceAccountName())
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(validity.toSeconds()).endSpec().build())
        .getStatus().getToken();
    String ca = admin.getCaCertFile();
    String caLine = ca != null ? "    certificate-authority: " + ca + "\n"
        : "    certificate-authority-data: " + admin.getCaCertData() + "\n";
    String user = "system:serviceaccount:" + NAMESPACE + ":" + serviceAccountName();
    String yaml = "apiVersion: v1\nkind: Config\n"
        + "clusters:\n- name: aion-local\n  cluster:\n    server: " + admin.getMasterUrl().replaceAll("/$", "") + "\n" + caLine
        + "users:\n- name: " + user + "\n  user:\n    token: " + token + "\n"
        + "contexts:\n- name: aion-operator\n  context:\n    cluster: aion-local\n    user: " + user + "\n"
        + "current-context: aion-operator\n";
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
