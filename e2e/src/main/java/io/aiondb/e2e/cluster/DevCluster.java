package io.aiondb.e2e.cluster;

import io.aiondb.e2e.kubelet.Images;
import io.aiondb.e2e.kubelet.KubeletConfig;
import io.aiondb.e2e.kubelet.ProcessKubelet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * A whole local Kubernetes with the Aion operator: control plane ({@link ControlPlane}), CRD and the chart's RBAC
 * ({@link OperatorInstall}), the process kubelet, and the operator as a process ({@link OperatorProcess}). Used by
 * {@code bin/aion-dev-cluster} (its {@link #main}) and by the e2e tests.
 *
 * <p>State directory layout: {@code control-plane/} (certificates, etcd, {@code kubeconfig}), {@code kubelet/}
 * (pods, volumes, pod logs, hosts files), {@code operator.kubeconfig}, {@code logs/} (control-plane.log,
 * operator.log).
 */
public final class DevCluster implements AutoCloseable {
  /**
   * @param repo the work tree (engine/server/target, operator/target, charts/, e2e/control-plane)
   * @param stateDir kept between runs unless deleted
   * @param binDir the control-plane binaries (build.sh's output), or null to let start.sh find or build them
   * @param images image → engine build rules for the kubelet (null: every tag of the engine image → this tree's)
   */
  public record Options(Path repo, Path stateDir, String binDir, Images images, Duration startTimeout) {
    public Options {
      repo = repo.toAbsolutePath().normalize();
      stateDir = stateDir.toAbsolutePath().normalize();
      if (images == null) images = Images.engine(repo.resolve("engine/server/target"));
    }
  }

  private final Options options;
  private final List<AutoCloseable> started = new ArrayList<>();
  private ControlPlane controlPlane;
  private KubernetesClient client;
  private OperatorInstall install;
  private ProcessKubelet kubelet;
  private OperatorProcess operator;
  private Path operatorKubeconfig;

  private DevCluster(Options options) {
    this.options = options;
  }

  public static DevCluster start(Options options, Consumer<String> progress) throws IOException, InterruptedException {
    DevCluster c = new DevCluster(options);
    try {
      c.startAll(progress);
      return c;
    } catch (IOException | InterruptedException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private void startAll(Consumer<String> progress) throws IOException, InterruptedException {
    Path repo = options.repo();
    Path state = options.stateDir();
    Path engineJar = repo.resolve("engine/server/target/aion-server.jar");
    Path operatorJar = repo.resolve("operator/target/quarkus-app/quarkus-run.jar");
    Path crd = repo.resolve("operator/target/kubernetes/aionclusters.aiondb.io-v1.yml");
    for (Path p : List.of(engineJar, operatorJar, crd)) {
      if (!Files.exists(p)) throw new IOException(p + " is missing: build the engine and the operator first");
    }
    progress.accept("starting etcd, kube-apiserver and kube-controller-manager (log: " + state.resolve("logs/control-plane.log") + ")");
    controlPlane = ControlPlane.start(repo, state.resolve("control-plane"), options.binDir(),
        state.resolve("logs/control-plane.log"), options.startTimeout());
    started.add(controlPlane);
    Config admin = Config.fromKubeconfig(Files.readString(controlPlane.kubeconfig(), StandardCharsets.UTF_8));
    client = new KubernetesClientBuilder().withConfig(admin).build();
    started.add(client);
    String version = client.getKubernetesVersion().getGitVersion().replaceFirst("^v", "");

    progress.accept("installing the CRDs and the Helm chart's RBAC (ServiceAccount, ClusterRole, ClusterRoleBinding)");
    OperatorInstall.applyCrds(client, crd.getParent());
    install = OperatorInstall.render(repo.resolve("charts/aion-operator"), client, version, java.util.Map.of());
    install.apply(client, false);

    // The process kubelet's volumes: one class that can grow (it plays the resizer), one that cannot. Neither is the
    // default: a claim without a class gets a volume as before.
    for (var sc : List.of(storageClass(EXPANDABLE_CLASS, true), storageClass(FIXED_CLASS, false))) {
      client.resource(sc).serverSideApply();
    }

    progress.accept("starting the process kubelet (node " + KubeletConfig.DEFAULT_NODE + ")");
    KubeletConfig kc = KubeletConfig.defaults(state.resolve("kubelet"), repo.resolve("engine/server/target"))
        .withImages(options.images());
    kubelet = ProcessKubelet.start(client, kc);
    started.add(kubelet);

    operatorKubeconfig = install.writeOperatorKubeconfig(client, admin, state.resolve("operator.kubeconfig"),
        Duration.ofDays(365));
    progress.accept("starting the operator as ServiceAccount " + OperatorInstall.NAMESPACE + "/"
        + install.serviceAccountName() + " (log: " + state.resolve("logs/operator.log") + ")");
    operator = OperatorProcess.start(operatorJar, install.deployment(), operatorKubeconfig, kubelet.globalHostsFile(),
        state.resolve("logs/operator.log"), options.startTimeout());
    started.add(operator);
  }

  /** StorageClass of process kubelet volumes with allowVolumeExpansion: true. */
  public static final String EXPANDABLE_CLASS = "process-kubelet";
  /** StorageClass of process kubelet volumes that cannot grow. */
  public static final String FIXED_CLASS = "process-kubelet-fixed";

  private static io.fabric8.kubernetes.api.model.storage.StorageClass storageClass(String name, boolean expandable) {
    return new io.fabric8.kubernetes.api.model.storage.StorageClassBuilder().withNewMetadata().withName(name)
        .endMetadata().withProvisioner("aiondb.io/process-kubelet").withAllowVolumeExpansion(expandable)
        .withReclaimPolicy("Retain").withVolumeBindingMode("Immediate").build();
  }

  public KubernetesClient client() {
    return client;
  }

  public Path kubeconfig() {
    return controlPlane.kubeconfig();
  }

  public Path operatorKubeconfig() {
    return operatorKubeconfig;
  }

  public Path operatorLog() {
    return operator.log();
  }

  /** The operator started with the cluster (replica {@code aion-operator-local-0}). */
  public OperatorProcess operator() {
    return operator;
  }

  /**
   * Stops the operator (SIGTERM), runs {@code whileDown}, and starts it again with the same identity, as a container
   * restarted in its pod would: the same name in the leader-election Lease, its log appended to the same file.
   */
  public OperatorProcess restartOperator(Runnable whileDown) throws IOException, InterruptedException {
    operator.close();
    started.remove(operator);
    whileDown.run();
    operator = OperatorProcess.start(options.repo().resolve("operator/target/quarkus-app/quarkus-run.jar"),
        install.deployment(), operatorKubeconfig, kubelet.globalHostsFile(), options.stateDir().resolve("logs/operator.log"),
        options.startTimeout());
    started.add(operator);
    return operator;
  }

  /**
   * Starts one more operator replica, as a Deployment with {@code replicas: 2} would: same credentials and chart
   * environment, its own identity {@code name} in the leader-election Lease, log in logs/{@code name}.log.
   */
  public OperatorProcess startOperatorReplica(String name) throws IOException, InterruptedException {
    OperatorProcess replica = OperatorProcess.start(options.repo().resolve("operator/target/quarkus-app/quarkus-run.jar"),
        install.deployment(), operatorKubeconfig, kubelet.globalHostsFile(), options.stateDir().resolve("logs/" + name + ".log"),
        options.startTimeout(), name);
    started.add(replica);
    return replica;
  }

  public OperatorInstall install() {
    return install;
  }

  public ProcessKubelet kubelet() {
    return kubelet;
  }

  public Path stateDir() {
    return options.stateDir();
  }

  /** Null while everything runs, else what stopped. */
  public String whatDied() {
    if (controlPlane != null && !controlPlane.isAlive()) return "the control plane (see " + controlPlane.log() + ")";
    if (operator != null && !operator.isAlive()) return "the operator (see " + operator.log() + ")";
    return null;
  }

  /** Stops, in reverse order: operator, kubelet (and its pods), API client, control plane. */
  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        System.err.println("aion-dev-cluster: stopping " + started.get(i).getClass().getSimpleName() + ": " + e);
      }
    }
    started.clear();
  }

  // --- bin/aion-dev-cluster ----------------------------------------------------------------------------------------

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.io.aiondb.e2e", "info");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss");
    Path repo = Path.of(System.getProperty("aion.repo.root", ".")).toAbsolutePath().normalize();
    String stateHome = System.getenv("XDG_STATE_HOME");
    Path state = (stateHome != null && !stateHome.isBlank() ? Path.of(stateHome)
        : Path.of(System.getProperty("user.home"), ".local", "state")).resolve("aion/dev-cluster");
    Images images = Images.engine(repo.resolve("engine/server/target"));
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--state-dir" -> state = Path.of(args[++i]);
        case "--image" -> images.add(args[++i]);
        default -> {
          System.err.println("usage: aion-dev-cluster [--state-dir DIR] [--image IMAGE=ENGINE_TARGET_DIR]...");
          System.exit(2);
        }
      }
    }
    String binDir = System.getenv("AION_K8S_BIN_DIR");
    Consumer<String> say = s -> System.out.println("aion-dev-cluster: " + s);
    DevCluster cluster = start(new Options(repo, state, binDir, images, Duration.ofMinutes(15)), say);
    CountDownLatch stopped = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping.set(true);
      System.out.println("\naion-dev-cluster: stopping (pods, operator, control plane)...");
      cluster.close();
      System.out.println("aion-dev-cluster: stopped; state kept in " + cluster.stateDir());
      stopped.countDown();
    }, "aion-dev-cluster-stop"));
    cluster.kubelet().onPodStarted(s -> {
      String[] f = s.split(" ", 3);
      say.accept("pod " + f[0] + " running on " + f[1] + "  (engine: curl http://" + f[1] + ":7070/v1/status; log: "
          + f[2] + ")");
    });
    String kc = cluster.kubeconfig().toString();
    System.out.println();
    System.out.println("Aion dev cluster is ready. Kubeconfig:");
    System.out.println(kc);
    System.out.println();
    System.out.println("  export KUBECONFIG=" + kc);
    System.out.println("  kubectl apply -f " + repo.relativize(repo.resolve("docs/examples/aioncluster.yaml")));
    System.out.println("  kubectl get aionclusters -w");
    System.out.println("  kubectl get pods -o wide        # each pod's IP: curl http://<IP>:7070/...");
    System.out.println();
    System.out.println("Operator log: " + cluster.operatorLog() + "; pod logs: " + cluster.stateDir().resolve("kubelet/logs"));
    System.out.println("Ctrl-C stops everything.");
    System.out.flush();
    while (!stopped.await(2, java.util.concurrent.TimeUnit.SECONDS)) {
      String died = cluster.whatDied();
      if (died != null && !stopping.get()) {
        System.err.println("aion-dev-cluster: " + died + " stopped unexpectedly");
        System.exit(1);
      }
    }
  }
}
