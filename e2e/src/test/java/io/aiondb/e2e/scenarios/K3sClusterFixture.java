package io.aiondb.e2e.scenarios;

import io.aiondb.e2e.cluster.OperatorInstall;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.containers.Container;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * k3s in Docker (Testcontainers), for machines with Docker. The images are the Jib tarballs (no registry): the
 * operator's ({@code ./mvnw -pl operator -Pimage package}) and the engine's ({@code ./mvnw -f images/pom.xml
 * -Pengine-image package}), imported into k3s' containerd; the engine image is also tagged with the example's
 * {@code spec.version}. The operator is installed from the chart, Deployment included, and runs as a pod; engine
 * pods are reached through port-forwards.
 */
final class K3sClusterFixture implements ClusterFixture {
  static final String IMAGE = System.getProperty("aion.e2e.k3sImage", "rancher/k3s:v1.34.1-k3s1");
  private static final String VERSION = System.getProperty("aion.e2e.imageTag", "0.1.0-SNAPSHOT");

  private final K3sContainer k3s;
  private final KubernetesClient client;
  private final Path kubeconfig;
  private final Map<String, LocalPortForward> forwards = new HashMap<>();

  private K3sClusterFixture(K3sContainer k3s, KubernetesClient client, Path kubeconfig) {
    this.k3s = k3s;
    this.client = client;
    this.kubeconfig = kubeconfig;
  }

  static K3sClusterFixture start() throws Exception {
    Path operatorImage = Repo.root().resolve("operator/target/jib-image.tar");
    Path engineImage = Repo.root().resolve("images/target/aion-server-image.tar");
    Assumptions.assumeTrue(Files.exists(operatorImage) && Files.exists(engineImage),
        "build the image tarballs first: ./mvnw -pl operator -Pimage package -DskipTests; "
            + "./mvnw -f images/pom.xml -Pengine-image package");
    K3sContainer k3s = new K3sContainer(DockerImageName.parse(IMAGE));
    k3s.start();
    importImage(k3s, operatorImage);
    importImage(k3s, engineImage);
    String example = (String) AionClusterScenarios.spec(AionClusterScenarios.example()).get("version");
    exec(k3s, "ctr", "-n", "k8s.io", "images", "tag", "--force", "ghcr.io/aiondb/aion-server:" + VERSION,
        "ghcr.io/aiondb/aion-server:" + example);

    Path kubeconfig = Files.createTempFile("k3s", ".kubeconfig");
    Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
    KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml())).build();
    OperatorInstall.applyCrds(client, Repo.root().resolve("operator/target/kubernetes"));
    String version = client.getKubernetesVersion().getGitVersion().replaceFirst("^v", "").replaceFirst("\\+.*", "");
    OperatorInstall install = OperatorInstall.render(Repo.root().resolve("charts/aion-operator"), client, version,
        Map.of("image.tag", VERSION, "image.pullPolicy", "Never"));
    install.apply(client, true);
    client.apps().deployments().inNamespace(OperatorInstall.NAMESPACE).withName(OperatorInstall.RELEASE)
        .waitUntilReady(5, TimeUnit.MINUTES);
    return new K3sClusterFixture(k3s, client, kubeconfig);
  }

  private static void importImage(K3sContainer k3s, Path tarball) throws Exception {
    String inside = "/tmp/" + tarball.getFileName();
    k3s.copyFileToContainer(MountableFile.forHostPath(tarball), inside);
    exec(k3s, "ctr", "-n", "k8s.io", "images", "import", inside);
  }

  private static void exec(K3sContainer k3s, String... command) throws Exception {
    Container.ExecResult r = k3s.execInContainer(command);
    if (r.getExitCode() != 0) throw new IOException(String.join(" ", command) + ": " + r.getStderr());
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  public Path kubeconfig() {
    return kubeconfig;
  }

  @Override
  public synchronized URI engine(Pod pod) {
    LocalPortForward f = forwards.computeIfAbsent(pod.getMetadata().getUid(), uid -> client.pods()
        .inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).portForward(7070));
    return URI.create("http://127.0.0.1:" + f.getLocalPort());
  }

  @Override
  public String podLog(Pod pod) {
    return client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).getLog();
  }

  @Override
  public String operatorLog() {
    return client.apps().deployments().inNamespace(OperatorInstall.NAMESPACE).withName(OperatorInstall.RELEASE).getLog();
  }

  @Override
  public String operatorUser() {
    String sa = client.apps().deployments().inNamespace(OperatorInstall.NAMESPACE).withName(OperatorInstall.RELEASE).get()
        .getSpec().getTemplate().getSpec().getServiceAccountName();
    return "system:serviceaccount:" + OperatorInstall.NAMESPACE + ":" + sa;
  }

  @Override
  public Optional<Path> volumeDirectory(PersistentVolumeClaim claim) {
    return Optional.empty();
  }

  @Override
  public void close() throws IOException {
    for (LocalPortForward f : forwards.values()) f.close();
    client.close();
    k3s.stop();
    Files.deleteIfExists(kubeconfig);
  }
}
