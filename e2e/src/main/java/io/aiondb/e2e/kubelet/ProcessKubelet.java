package io.aiondb.e2e.kubelet;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kubelet that runs pods as local processes: a <b>test harness</b> for the e2e tests and the dev cluster, not a
 * container runtime (no isolation, no images, no resource limits; see docs/dev-cluster.md).
 *
 * <p>It registers one Node and keeps it Ready ({@link NodeAgent}); binds the pending pods matching its label selector
 * to that node (there is no scheduler); runs each as a {@link PodWorker}; provisions a directory per claim
 * ({@link VolumeProvisioner}); and keeps the hosts files that stand in for cluster DNS ({@link HostsFile}). Every pod
 * gets its own loopback address 127.0.0.N, so all pods can listen on the same ports.
 *
 * <p>Threads: informers wake one loop thread, which does all the work; probes run on a small pool and wake the loop
 * when they finish. It starts processes only through {@link Launcher} and signals only those.
 */
public final class ProcessKubelet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessKubelet.class);
  static final String HOST_IP = "127.0.0.1";

  private final KubernetesClient client;
  private final KubeletConfig config;
  private final NodeAgent node;
  private final IpPool ips;
  private final HostsFile hosts;
  private final SharedIndexInformer<Pod> pods;
  private final SharedIndexInformer<PersistentVolumeClaim> claims;
  private final SharedIndexInformer<Service> services;
  private final VolumeProvisioner provisioner;
  private final Volumes volumes;
  private final ExecutorService probeExecutor = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "probe");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient probeHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private final Map<String, PodWorker> workers = new LinkedHashMap<>(); // by pod uid; loop thread only
  private final LogServer logs;
  private final Semaphore wakeups = new Semaphore(0);
  private final Thread loop;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean closing;
  private volatile Consumer<String> onPodStarted = s -> {};
  private Instant lastHeartbeat = Instant.EPOCH;
  private Instant lastCollect = Instant.EPOCH;

  private ProcessKubelet(KubernetesClient client, KubeletConfig config) throws IOException {
    this.client = client;
    this.config = config;
    Path state = config.stateDir();
    for (String d : List.of("pods", "volumes", "logs", "dns")) Files.createDirectories(state.resolve(d));
    this.logs = new LogServer(state, config.java());
    this.node = new NodeAgent(client, config.nodeName(), logs.port());
    this.ips = new IpPool(state.resolve("pod-ips"), config.firstAddress(), config.lastAddress());
    this.hosts = new HostsFile(state.resolve("dns"));
    hosts.update(List.of(), List.of(), Set.of());
    ResourceEventHandler<Object> wake = new ResourceEventHandler<>() {
      @Override public void onAdd(Object o) { wake(); }
      @Override public void onUpdate(Object a, Object b) { wake(); }
      @Override public void onDelete(Object o, boolean unknown) { wake(); }
    };
    node.register();
    this.pods = client.pods().inAnyNamespace().withLabelSelector(config.podSelector()).inform(wake, 0);
    this.claims = client.persistentVolumeClaims().inAnyNamespace().inform(wake, 0);
    this.services = client.services().inAnyNamespace().inform(wake, 0);
    this.provisioner = new VolumeProvisioner(client, claims, state.resolve("volumes"), config.nodeName());
    this.volumes = new Volumes(client, provisioner);
    this.loop = new Thread(this::run, "process-kubelet");
    loop.setDaemon(true);
  }

  /** Registers the node and starts running pods. */
  public static ProcessKubelet start(KubernetesClient client, KubeletConfig config) throws IOException {
    ProcessKubelet k = new ProcessKubelet(client, config);
    k.loop.start();
    LOG.info("process kubelet: node {}, pods {}, state {}, images {}", config.nodeName(), config.podSelector(),
        config.stateDir(), config.images().describe());
    return k;
  }

  /** Called with "namespace/name ip log" whenever a pod's process starts (the dev cluster prints it). */
  public void onPodStarted(Consumer<String> listener) {
    this.onPodStarted = listener;
  }

  public Path globalHostsFile() {
    return hosts.global();
  }

  public Path stateDir() {
    return config.stateDir();
  }

  // --- the loop --------------------------------------------------------------------------------------------

  void wake() {
    wakeups.release();
  }

  private void run() {
    try {
      while (!closing) {
        wakeups.tryAcquire(1, TimeUnit.SECONDS);
        wakeups.drainPermits();
        if (closing) break;
        try {
          syncAll();
        } catch (RuntimeException e) {
          LOG.warn("process kubelet: sync failed (retrying): {}", e.toString(), e);
          Thread.sleep(500);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stopAll();
      stopped.countDown();
    }
  }

  private void syncAll() {
    Instant now = Instant.now();
    if (now.isAfter(lastHeartbeat.plusSeconds(10))) {
      node.heartbeat(false);
      lastHeartbeat = now;
    }
    Map<String, Pod> current = new HashMap<>();
    for (Pod p : pods.getStore().list()) {
      String nodeName = p.getSpec().getNodeName();
      if (nodeName == null || nodeName.isEmpty()) {
        if (p.getMetadata().getDeletionTimestamp() == null) bind(p);
      } else if (nodeName.equals(config.nodeName())) {
        current.put(p.getMetadata().getUid(), p);
      }
    }
    for (Pod p : current.values()) {
      workers.computeIfAbsent(p.getMetadata().getUid(), uid -> {
        PodWorker w = new PodWorker(this, p);
        logs.put(w.namespace, w.name, w);
        return w;
      });
    }
    for (var it = workers.values().iterator(); it.hasNext(); ) {
      PodWorker w = it.next();
      Pod p = current.get(w.uid);
      w.sync(p, p == null && pods.hasSynced());
      if (w.done()) {
        it.remove();
        logs.remove(w.namespace, w.name, w);
      }
    }
    refreshDns();
    provisioner.expand();
    if (now.isAfter(lastCollect.plusSeconds(5))) {
      provisioner.collect();
      lastCollect = now;
    }
  }

  private void bind(Pod p) {
    String ns = p.getMetadata().getNamespace();
    String name = p.getMetadata().getName();
    try {
      client.bindings().inNamespace(ns).resource(new BindingBuilder()
          .withNewMetadata().withName(name).withNamespace(ns).withUid(p.getMetadata().getUid()).endMetadata()
          .withNewTarget().withApiVersion("v1").withKind("Node").withName(config.nodeName()).endTarget()
          .build()).create();
      event(p, "Normal", "Scheduled", "Successfully assigned " + ns + "/" + name + " to " + config.nodeName()
          + " (process kubelet)");
      LOG.info("bound pod {}/{} to {}", ns, name, config.nodeName());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409 && e.getCode() != 404) LOG.warn("cannot bind {}/{}: {}", ns, name, e.getMessage());
    }
  }

  /** Rewrites the hosts files from the workers' addresses and readiness and the Services. */
  void refreshDns() {
    List<HostsFile.PodAddress> addresses = new ArrayList<>();
    Set<String> namespaces = new HashSet<>();
    for (PodWorker w : workers.values()) {
      Pod p = w.pod();
      namespaces.add(w.namespace);
      if (w.ip() == null || p.getMetadata().getDeletionTimestamp() != null) continue;
      addresses.add(new HostsFile.PodAddress(w.namespace, w.name, p.getMetadata().getLabels(),
          p.getSpec().getHostname(), p.getSpec().getSubdomain(), w.ip(), w.ready()));
    }
    try {
      hosts.update(addresses, services.getStore().list(), namespaces);
    } catch (IOException e) {
      LOG.warn("cannot write the hosts files: {}", e.toString());
    }
  }

  // --- services for the workers ------------------------------------------------------------------------------

  String addressOf(Pod p, Collection<Integer> ports) {
    return ips.addressOf(p.getMetadata().getNamespace(), p.getMetadata().getName(), ports);
  }

  void podStarted(PodWorker w) {
    onPodStarted.accept(w.namespace + "/" + w.name + " " + w.ip() + " " + w.logFile());
  }

  /** Deletes the pod object at once; the uid precondition keeps a successor of the same name safe. */
  void removePod(Pod p) {
    String path = "api/v1/namespaces/" + p.getMetadata().getNamespace() + "/pods/" + p.getMetadata().getName();
    String body = "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":0,"
        + "\"preconditions\":{\"uid\":\"" + p.getMetadata().getUid() + "\"}}";
    var http = client.getHttpClient();
    var request = http.newHttpRequestBuilder()
        .uri(client.getConfiguration().getMasterUrl() + path)
        .method("DELETE", "application/json", body).build();
    try {
      var response = http.sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
      int code = response.code();
      if (code >= 300 && code != 404 && code != 409) {
        LOG.warn("pod {}/{}: delete answered {}: {}", p.getMetadata().getNamespace(), p.getMetadata().getName(), code,
            response.body());
      } else {
        LOG.info("pod {}/{}: removed", p.getMetadata().getNamespace(), p.getMetadata().getName());
      }
    } catch (Exception e) {
      LOG.warn("pod {}/{}: delete failed: {}", p.getMetadata().getNamespace(), p.getMetadata().getName(), e.toString());
    }
  }

  /** A core/v1 Event on the pod, as the kubelet (and, for Scheduled, the scheduler) would record it. */
  void event(Pod p, String type, String reason, String message) {
    String now = PodWorker.time(Instant.now());
    try {
      client.v1().events().inNamespace(p.getMetadata().getNamespace()).resource(new EventBuilder()
          .withNewMetadata().withGenerateName(p.getMetadata().getName() + ".").endMetadata()
          .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withNamespace(p.getMetadata().getNamespace())
          .withName(p.getMetadata().getName()).withUid(p.getMetadata().getUid()).endInvolvedObject()
          .withType(type).withReason(reason).withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
          .withNewSource().withComponent("kubelet").withHost(config.nodeName()).endSource()
          .withReportingComponent("process-kubelet").withReportingInstance(config.nodeName())
          .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
          .build()).create();
    } catch (KubernetesClientException e) {
      LOG.debug("event {} on {}: {}", reason, p.getMetadata().getName(), e.getMessage());
    }
  }

  KubernetesClient client() {
    return client;
  }

  KubeletConfig config() {
    return config;
  }

  Volumes volumes() {
    return volumes;
  }

  HostsFile hosts() {
    return hosts;
  }

  ExecutorService probeExecutor() {
    return probeExecutor;
  }

  HttpClient probeHttp() {
    return probeHttp;
  }

  // --- shutdown -------------------------------------------------------------------------------------------

  /** Stops the pods' processes (SIGTERM, then SIGKILL after the shutdown grace) and the informers. */
  @Override
  public void close() {
    closing = true;
    wake();
    try {
      if (!stopped.await(config.shutdownGrace().toSeconds() + 15, TimeUnit.SECONDS)) {
        LOG.warn("process kubelet: loop did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pods.close();
    claims.close();
    services.close();
    probeExecutor.shutdownNow();
    logs.close();
  }

  private void stopAll() {
    List<Process> stopping = new ArrayList<>();
    for (PodWorker w : workers.values()) {
      Process p = w.stopForShutdown();
      if (p != null) {
        LOG.info("pod {}/{}: SIGTERM to pid {} (kubelet stopping)", w.namespace, w.name, p.pid());
        stopping.add(p);
      }
    }
    long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
    for (Process p : stopping) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
          LOG.warn("pid {} did not stop within {}: SIGKILL", p.pid(), config.shutdownGrace());
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  // --- standalone --------------------------------------------------------------------------------------------

  /**
   * {@code ProcessKubelet --kubeconfig FILE --state-dir DIR --engine-dir engine/server/target [--node NAME]
   * [--selector LABELS] [--image IMAGE=DIR]...}: runs until SIGINT/SIGTERM.
   */
  public static void main(String[] args) throws Exception {
    Map<String, List<String>> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.computeIfAbsent(args[i].replaceFirst("^--", ""), k -> new ArrayList<>()).add(args[i + 1]);
    }
    String kubeconfig = opts.getOrDefault("kubeconfig", List.of(System.getenv().getOrDefault("KUBECONFIG", ""))).get(0);
    Path state = Path.of(opts.getOrDefault("state-dir", List.of("process-kubelet")).get(0)).toAbsolutePath();
    Path engine = Path.of(opts.getOrDefault("engine-dir", List.of("engine/server/target")).get(0)).toAbsolutePath();
    KubeletConfig defaults = KubeletConfig.defaults(state, engine);
    Images images = Images.engine(engine);
    opts.getOrDefault("image", List.of()).forEach(images::add);
    KubeletConfig config = new KubeletConfig(opts.getOrDefault("node", List.of(defaults.nodeName())).get(0), state,
        opts.getOrDefault("selector", List.of(defaults.podSelector())).get(0), images, defaults.java(),
        defaults.jvmOptions(), defaults.firstAddress(), defaults.lastAddress(), defaults.shutdownGrace());
    KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(Path.of(kubeconfig), StandardCharsets.UTF_8))).build();
    ProcessKubelet kubelet = start(client, config);
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      kubelet.close();
      client.close();
      done.countDown();
    }));
    done.await();
  }
}
