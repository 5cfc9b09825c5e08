package io.aiondb.e2e.scenarios;

import io.aiondb.e2e.cluster.DevCluster;
import io.aiondb.e2e.kubelet.Images;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The local control plane (etcd, kube-apiserver, kube-controller-manager from e2e/control-plane), the operator as a
 * process with the chart's RBAC, and the process kubelet: {@link DevCluster}, in a fresh state directory under
 * e2e/target/e2e.
 */
final class LocalClusterFixture implements ClusterFixture {
  private final DevCluster cluster;

  private LocalClusterFixture(DevCluster cluster) {
    this.cluster = cluster;
  }

  static LocalClusterFixture start(String name) throws IOException, InterruptedException {
    return start(name, null);
  }

  /** With the process kubelet's image → engine build rules (null: every engine tag runs this tree's build). */
  static LocalClusterFixture start(String name, Images images) throws IOException, InterruptedException {
    Path state = Repo.stateDir().resolve(name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("MMdd-HHmmss")));
    DevCluster c = DevCluster.start(new DevCluster.Options(Repo.root(), state, Repo.k8sBinDir(), images,
        Duration.ofMinutes(12)), s -> System.out.println("[e2e] " + s));
    return new LocalClusterFixture(c);
  }

  DevCluster devCluster() {
    return cluster;
  }

  @Override
  public KubernetesClient client() {
    return cluster.client();
  }

  @Override
  public Path kubeconfig() {
    return cluster.kubeconfig();
  }

  /** The pods are on 127.0.0.N, which the API server's pods/proxy refuses ("address not allowed"): direct. */
  @Override
  public java.util.List<String> kubectlAionOptions() {
    return java.util.List.of("--connect", "direct");
  }

  @Override
  public URI engine(Pod pod) {
    return URI.create("http://" + pod.getStatus().getPodIP() + ":7070");
  }

  @Override
  public String podLog(Pod pod) {
    var md = pod.getMetadata();
    return read(cluster.stateDir().resolve("kubelet/logs")
        .resolve(md.getNamespace() + "_" + md.getName() + "_" + md.getUid() + ".log"));
  }

  @Override
  public String operatorLog() {
    return read(cluster.operatorLog());
  }

  /** Asks the API server who the operator's token belongs to (TokenReview). */
  @Override
  public String operatorUser() {
    try {
      Config config = Config.fromKubeconfig(Files.readString(cluster.operatorKubeconfig()));
      TokenReview review = client().resource(new TokenReviewBuilder().withNewSpec()
          .withToken(config.getOauthToken() != null ? config.getOauthToken() : config.getAutoOAuthToken())
          .endSpec().build()).create();
      return review.getStatus().getUser().getUsername();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Optional<Path> volumeDirectory(PersistentVolumeClaim claim) {
    var md = claim.getMetadata();
    return Optional.of(cluster.stateDir().resolve("kubelet/volumes")
        .resolve(md.getNamespace() + "_" + md.getName() + "_" + md.getUid()));
  }

  @Override
  public void close() {
    cluster.close();
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
