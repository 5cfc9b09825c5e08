package io.aiondb.e2e.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod bound to this node: its container as a local process, its probes and its status. Only the kubelet's loop
 * thread calls it ({@link #sync}), so it needs no locking.
 *
 * <p>Lifecycle, as a kubelet: materialize volumes and environment, start the process, probe it, report
 * phase/IP/conditions/container status; restart an exited container per {@code restartPolicy} with a back-off
 * (2 s doubling to 60 s, reset after 10 min of running); restart it when its liveness or startup probe fails. When
 * the pod is deleted: SIGTERM, SIGKILL after the deletion grace period, then remove the pod object (grace 0, with
 * the pod's uid as precondition) and its directory. Init containers run first, one after the other, each to exit 0
 * (a failed one is restarted with the same back-off; the pod stays Pending, condition Initialized False, until all
 * succeeded), then the pod's one container; a pod of several containers (sidecars) is refused with a message in its
 * status.
 */
final class PodWorker implements LogServer.PodLog {
  private static final Logger LOG = LoggerFactory.getLogger(PodWorker.class);
  private static final Duration BACKOFF_MIN = Duration.ofSeconds(2);
  private static final Duration BACKOFF_MAX = Duration.ofSeconds(60);
  private static final Duration BACKOFF_RESET = Duration.ofMinutes(10);
  private static final Pattern VAR_REF = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

  private final ProcessKubelet kubelet;
  final String uid;
  final String namespace;
  final String name;
  private final Path podDir;
  private final Path logFile;
  private final Instant startTime = now();
  private Pod pod;
  private String ip;

  private volatile Process process; // read by LogServer threads too
  private Instant startedAt;
  private boolean everStarted;
  private int restartCount;
  private ContainerStateTerminated lastTerminated;
  private String waitingReason = "ContainerCreating";
  private String waitingMessage;
  private Instant restartAt;
  private Duration backoff = Duration.ZERO;
  private boolean finished; // restartPolicy Never/OnFailure and the container will not run again
  private String restartWhy; // set while a probe failure is killing the container
  private Instant killDeadline;

  private Prober startup;
  private Prober readiness;
  private Prober liveness;
  private boolean started;
  private boolean ready;
  private final Map<String, PodCondition> conditions = new LinkedHashMap<>();

  /** Init containers that exited 0, in order; the next one runs as {@link #initProcess}. */
  private int initDone;
  private Process initProcess;
  private Instant initStartedAt;
  private int initRestarts;
  private ContainerStateTerminated initLastTerminated;

  private boolean terminating;
  private boolean removed;
  private String posted;

  PodWorker(ProcessKubelet kubelet, Pod pod) {
    this.kubelet = kubelet;
    this.pod = pod;
    this.uid = pod.getMetadata().getUid();
    this.namespace = pod.getMetadata().getNamespace();
    this.name = pod.getMetadata().getName();
    String id = namespace + "_" + name + "_" + uid;
    this.podDir = kubelet.config().stateDir().resolve("pods").resolve(id);
    this.logFile = kubelet.config().stateDir().resolve("logs").resolve(id + ".log");
  }

  String ip() {
    return ip;
  }

  boolean ready() {
    return ready;
  }

  Pod pod() {
    return pod;
  }

  Path logFile() {
    return logFile;
  }

  @Override
  public Path file() {
    return logFile;
  }

  @Override
  public boolean running() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** The pod object is gone from the API server and its process has exited: the worker can be dropped. */
  boolean done() {
    return removed && (process == null || !process.isAlive());
  }

  /** Called by the loop with the latest pod object (or the last known one, {@code gone}, after it vanished). */
  void sync(Pod latest, boolean gone) {
    if (latest != null) pod = latest;
    Instant now = now();
    if (gone || pod.getMetadata().getDeletionTimestamp() != null) {
      terminate(now, gone);
      return;
    }
    Container c = pod.getSpec().getContainers().get(0);
    if (pod.getSpec().getContainers().size() != 1) {
      waiting("CreateContainerConfigError", "the process kubelet runs pods of exactly one container (and init containers)");
      postStatus(c);
      return;
    }
    if (initDone < inits().size()) {
      initialize(now);
      postStatus(c);
      return;
    }
    if (process != null && !process.isAlive()) exited(now);
    if (process == null && !finished) {
      if (restartAt == null || !now.isBefore(restartAt)) {
        start(c, now);
      }
    }
    if (process != null && process.isAlive()) {
      probe(c, now);
      if (restartWhy != null && killDeadline != null && now.isAfter(killDeadline)) {
        process.destroyForcibly();
      }
    }
    postStatus(c);
  }

  // --- start ------------------------------------------------------------------------------------------

  private List<Container> inits() {
    return pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
  }

  /** Runs the next init container, or notes how the running one ended. */
  private void initialize(Instant now) {
    Container init = inits().get(initDone);
    if (initProcess != null && !initProcess.isAlive()) {
      int code = initProcess.exitValue();
      initLastTerminated = new ContainerStateTerminatedBuilder().withExitCode(code)
          .withReason(code == 0 ? "Completed" : "Error")
          .withStartedAt(time(initStartedAt)).withFinishedAt(time(now)).withContainerID(containerId()).build();
      LOG.info("pod {}/{}: init container {} (pid {}) exited with code {}", namespace, name, init.getName(),
          initProcess.pid(), code);
      initProcess = null;
      if (code == 0) {
        initDone++;
        initRestarts = 0;
        initLastTerminated = null;
        backoff = Duration.ZERO;
        restartAt = null;
        if (initDone == inits().size()) kubelet.wake(); // the container starts at the next sync
        else initialize(now);
        return;
      }
      initRestarts++;
      scheduleRestart(now);
      waiting("Init:CrashLoopBackOff", "back-off " + backoff.toSeconds() + "s restarting failed init container "
          + init.getName() + " (exit " + code + "; log: " + logFile + ")");
      return;
    }
    if (initProcess == null && (restartAt == null || !now.isBefore(restartAt))) {
      try {
        initProcess = launch(init);
        initStartedAt = now;
        waiting("PodInitializing", null);
        kubelet.event(pod, "Normal", "Started", "Started init container " + init.getName() + " as process "
            + initProcess.pid());
        LOG.info("pod {}/{}: started init container {} as pid {} (log: {})", namespace, name, init.getName(),
            initProcess.pid(), logFile);
      } catch (Volumes.NotReady e) {
        waiting(e.reason, e.getMessage());
      } catch (IOException | RuntimeException e) {
        LOG.warn("pod {}/{}: cannot start init container {}: {}", namespace, name, init.getName(), e.toString());
        waiting("RunContainerError", e.toString());
        scheduleRestart(now);
      }
    }
  }

  /**
   * Starts one container's process: its image's files and the pod's volumes mapped to local paths, its environment,
   * its command (the image's entrypoint unless it sets one) with {@code java} replaced by the kubelet's JVM.
   */
  private Process launch(Container c) throws Volumes.NotReady, IOException {
    var image = kubelet.config().images().resolve(c.getImage());
    if (image.isEmpty()) {
      throw new Volumes.NotReady("ErrImagePull", "image " + c.getImage() + " has no local build (process kubelet images: "
          + kubelet.config().images().describe() + ")");
    }
    if (ip == null) {
      ip = kubelet.addressOf(pod, Volumes.ports(pod.getSpec().getContainers().get(0)));
    }
    Files.createDirectories(podDir.resolve("tmp"));
    Files.createDirectories(logFile.getParent());
    PathMap mounts = kubelet.volumes().materialize(pod, c, podDir, this::field);
    image.get().files().forEach(mounts::put);
    Map<String, String> env = environment(c, mounts);
    for (String v : image.get().listenEnv()) env.put(v, ip);

    List<String> command = new ArrayList<>();
    List<String> cmd = c.getCommand() != null && !c.getCommand().isEmpty() ? c.getCommand() : image.get().entrypoint();
    List<String> args = c.getArgs() != null ? c.getArgs() : List.of();
    for (String s : cmd) command.add(mounts.translate(expand(s, env)));
    for (String s : args) command.add(mounts.translate(expand(s, env)));
    if (command.get(0).equals("java")) {
      command.set(0, kubelet.config().java().toString());
      command.addAll(1, jvmOptions(c));
    }
    String workingDir = c.getWorkingDir() != null ? c.getWorkingDir() : image.get().workingDir();
    Path cwd = Path.of(mounts.translate(workingDir));
    if (cwd.toString().equals(workingDir)) cwd = podDir.resolve("root" + workingDir); // not a mount: a private dir
    Files.createDirectories(cwd);

    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    pb.environment().put("HOME", cwd.toString());
    pb.environment().put("HOSTNAME", pod.getSpec().getHostname() != null ? pod.getSpec().getHostname() : name);
    pb.environment().put("LANG", "C.UTF-8");
    pb.environment().putAll(env);
    Files.writeString(logFile, "--- process kubelet: starting " + c.getName() + ": " + String.join(" ", command)
        + " in " + cwd + "\n",
        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    kubelet.refreshDns(); // the pod's names must resolve before any peer of it starts
    return Launcher.start(pb);
  }

  private void start(Container c, Instant now) {
    try {
      process = launch(c);
      if (everStarted) restartCount++;
      everStarted = true;
      startedAt = now;
      waitingReason = null;
      waitingMessage = null;
      restartWhy = null;
      killDeadline = null;
      started = c.getStartupProbe() == null;
      ready = false;
      startup = prober("startup", c, now);
      readiness = prober("readiness", c, now);
      liveness = prober("liveness", c, now);
      kubelet.event(pod, "Normal", "Started", "Started container " + c.getName() + " as process " + process.pid()
          + " on " + ip);
      LOG.info("pod {}/{}: started {} as pid {} on {} (log: {})", namespace, name, c.getName(), process.pid(), ip,
          logFile);
      kubelet.podStarted(this);
    } catch (Volumes.NotReady e) {
      waiting(e.reason, e.getMessage());
    } catch (IOException | RuntimeException e) {
      LOG.warn("pod {}/{}: cannot start: {}", namespace, name, e.toString());
      waiting("RunContainerError", e.toString());
      scheduleRestart(now);
    }
  }

  private List<String> jvmOptions(Container c) {
    List<String> opts = new ArrayList<>();
    opts.add("-Djdk.net.hosts.file=" + kubelet.hosts().forNamespace(namespace));
    opts.add("-Dsun.net.inetaddr.ttl=1");
    opts.add("-Dsun.net.inetaddr.negative.ttl=0");
    opts.add("-Djava.io.tmpdir=" + podDir.resolve("tmp"));
    Quantity memory = c.getResources() != null && c.getResources().getLimits() != null
        ? c.getResources().getLimits().get("memory") : null;
    if (memory != null) {
      // A JVM in a container sizes its heap from the cgroup limit; here MaxRAM stands in for it.
      opts.add("-XX:MaxRAM=" + Quantity.getAmountInBytes(memory).toBigInteger());
    }
    opts.addAll(kubelet.config().jvmOptions());
    return opts;
  }

  private Prober prober(String kind, Container c, Instant now) {
    var probe = switch (kind) {
      case "startup" -> c.getStartupProbe();
      case "readiness" -> c.getReadinessProbe();
      default -> c.getLivenessProbe();
    };
    return probe == null ? null : new Prober(kind, probe, c, kubelet.probeExecutor(), kubelet.probeHttp(), now);
  }

  // --- environment ------------------------------------------------------------------------------------------

  private Map<String, String> environment(Container c, PathMap mounts) throws Volumes.NotReady {
    Map<String, String> env = new LinkedHashMap<>();
    if (c.getEnvFrom() != null) {
      for (EnvFromSource from : c.getEnvFrom()) {
        String prefix = from.getPrefix() == null ? "" : from.getPrefix();
        if (from.getConfigMapRef() != null) {
          ConfigMap cm = kubelet.client().configMaps().inNamespace(namespace).withName(from.getConfigMapRef().getName()).get();
          if (cm == null && !Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
            throw new Volumes.NotReady("CreateContainerConfigError", "configmap \"" + from.getConfigMapRef().getName() + "\" not found");
          }
          if (cm != null && cm.getData() != null) cm.getData().forEach((k, v) -> env.put(prefix + k, v));
        } else if (from.getSecretRef() != null) {
          Secret s = kubelet.client().secrets().inNamespace(namespace).withName(from.getSecretRef().getName()).get();
          if (s == null && !Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
            throw new Volumes.NotReady("CreateContainerConfigError", "secret \"" + from.getSecretRef().getName() + "\" not found");
          }
          if (s != null && s.getData() != null) s.getData().forEach((k, v) -> env.put(prefix + k, decode(v)));
        }
      }
    }
    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
      String value;
      if (e.getValueFrom() == null) {
        value = expand(e.getValue() == null ? "" : e.getValue(), env);
      } else if (e.getValueFrom().getFieldRef() != null) {
        value = field(e.getValueFrom().getFieldRef().getFieldPath());
      } else if (e.getValueFrom().getConfigMapKeyRef() != null) {
        var ref = e.getValueFrom().getConfigMapKeyRef();
        ConfigMap cm = kubelet.client().configMaps().inNamespace(namespace).withName(ref.getName()).get();
        value = cm == null || cm.getData() == null ? null : cm.getData().get(ref.getKey());
        if (value == null && !Boolean.TRUE.equals(ref.getOptional())) {
          throw new Volumes.NotReady("CreateContainerConfigError", "configmap \"" + ref.getName() + "\" has no key " + ref.getKey());
        }
      } else if (e.getValueFrom().getSecretKeyRef() != null) {
        var ref = e.getValueFrom().getSecretKeyRef();
        Secret s = kubelet.client().secrets().inNamespace(namespace).withName(ref.getName()).get();
        String raw = s == null || s.getData() == null ? null : s.getData().get(ref.getKey());
        value = raw == null ? null : decode(raw);
        if (value == null && !Boolean.TRUE.equals(ref.getOptional())) {
          throw new Volumes.NotReady("CreateContainerConfigError", "secret \"" + ref.getName() + "\" has no key " + ref.getKey());
        }
      } else if (e.getValueFrom().getResourceFieldRef() != null) {
        var ref = e.getValueFrom().getResourceFieldRef();
        String[] parts = ref.getResource().split("\\.", 2);
        var map = c.getResources() == null ? null
            : parts[0].equals("limits") ? c.getResources().getLimits() : c.getResources().getRequests();
        Quantity q = map == null ? null : map.get(parts[1]);
        value = q == null ? "" : Quantity.getAmountInBytes(q).toBigInteger().toString();
      } else {
        throw new Volumes.NotReady("CreateContainerConfigError", "env " + e.getName() + ": unsupported valueFrom");
      }
      if (value != null) env.put(e.getName(), mounts.translate(value));
    }
    return env;
  }

  /** Kubernetes' {@code $(VAR)} references to variables defined before; {@code $$} is a literal {@code $}. */
  static String expand(String s, Map<String, String> env) {
    Matcher m = VAR_REF.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = m.group(1) == null ? "$" : env.getOrDefault(m.group(1), m.group());
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  /** The downward API: a field of the pod. */
  private String field(String path) {
    var md = pod.getMetadata();
    Matcher m = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]").matcher(path);
    if (m.matches()) {
      Map<String, String> map = m.group(1).equals("labels") ? md.getLabels() : md.getAnnotations();
      return map == null ? "" : map.getOrDefault(m.group(2), "");
    }
    return switch (path) {
      case "metadata.name" -> md.getName();
      case "metadata.namespace" -> md.getNamespace();
      case "metadata.uid" -> md.getUid();
      case "metadata.labels" -> md.getLabels() == null ? "" : kv(md.getLabels());
      case "metadata.annotations" -> md.getAnnotations() == null ? "" : kv(md.getAnnotations());
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
      case "status.podIP", "status.podIPs" -> ip;
      case "status.hostIP", "status.hostIPs" -> ProcessKubelet.HOST_IP;
      default -> "";
    };
  }

  private static String kv(Map<String, String> map) {
    StringBuilder s = new StringBuilder();
    map.forEach((k, v) -> s.append(k).append("=\"").append(v).append("\"\n"));
    return s.toString();
  }

  // --- running --------------------------------------------------------------------------------------------

  private void probe(Container c, Instant now) {
    Runnable wake = kubelet::wake;
    if (!started) {
      if (startup == null) {
        started = true;
      } else {
        startup.poll(ip, now, wake);
        if (startup.result() == Prober.Result.SUCCESS) {
          started = true;
        } else if (startup.failed() && restartWhy == null) {
          restartFor(c, now, "Startup probe failed: " + startup.lastFailure());
        }
      }
    }
    if (!started) return;
    if (readiness == null) {
      ready = true;
    } else if (readiness.poll(ip, now, wake)) {
      ready = readiness.result() == Prober.Result.SUCCESS;
      if (!ready) kubelet.event(pod, "Warning", "Unhealthy", "Readiness probe failed: " + readiness.lastFailure());
    }
    if (liveness != null) {
      liveness.poll(ip, now, wake);
      if (liveness.failed() && restartWhy == null) {
        restartFor(c, now, "Liveness probe failed: " + liveness.lastFailure());
      }
    }
  }

  private void restartFor(Container c, Instant now, String why) {
    restartWhy = why;
    ready = false;
    long grace = pod.getSpec().getTerminationGracePeriodSeconds() == null ? 30 : pod.getSpec().getTerminationGracePeriodSeconds();
    killDeadline = now.plusSeconds(grace);
    kubelet.event(pod, "Warning", "Unhealthy", why);
    kubelet.event(pod, "Normal", "Killing", "Container " + c.getName() + " failed a probe, will be restarted");
    LOG.warn("pod {}/{}: {}; restarting the container", namespace, name, why);
    process.destroy();
  }

  private void exited(Instant now) {
    int code = process.exitValue();
    lastTerminated = new ContainerStateTerminatedBuilder().withExitCode(code)
        .withReason(code == 0 ? "Completed" : "Error")
        .withMessage(restartWhy)
        .withStartedAt(time(startedAt)).withFinishedAt(time(now))
        .withContainerID(containerId()).build();
    LOG.info("pod {}/{}: process {} exited with code {}", namespace, name, process.pid(), code);
    process = null;
    ready = false;
    started = false;
    String policy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
    if (policy.equals("Never") || policy.equals("OnFailure") && code == 0) {
      finished = true;
      return;
    }
    if (Duration.between(startedAt, now).compareTo(BACKOFF_RESET) > 0) backoff = Duration.ZERO;
    scheduleRestart(now);
    waiting("CrashLoopBackOff", "back-off " + backoff.toSeconds() + "s restarting failed container (log: " + logFile + ")");
  }

  private void scheduleRestart(Instant now) {
    backoff = backoff.isZero() ? BACKOFF_MIN : backoff.multipliedBy(2);
    if (backoff.compareTo(BACKOFF_MAX) > 0) backoff = BACKOFF_MAX;
    restartAt = now.plus(backoff);
  }

  private void waiting(String reason, String message) {
    if (!reason.equals(waitingReason) || message != null && !message.equals(waitingMessage)) {
      if (!reason.equals("ContainerCreating") && !reason.equals("PodInitializing")) {
        LOG.warn("pod {}/{}: {}: {}", namespace, name, reason, message);
        kubelet.event(pod, "Warning", reason.equals("CrashLoopBackOff") ? "BackOff" : "Failed", message);
      }
    }
    waitingReason = reason;
    waitingMessage = message;
  }

  // --- deletion -------------------------------------------------------------------------------------------

  private void terminate(Instant now, boolean gone) {
    ready = false;
    if (!terminating) {
      terminating = true;
      Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
      if (grace == null) grace = pod.getSpec().getTerminationGracePeriodSeconds();
      if (grace == null) grace = 30L;
      if (gone) grace = Math.min(grace, 2L); // force-deleted: the object is gone already
      killDeadline = now.plusSeconds(grace);
      if (initProcess != null && initProcess.isAlive()) {
        LOG.info("pod {}/{}: deleted; SIGTERM to init pid {}", namespace, name, initProcess.pid());
        initProcess.destroy();
      }
      if (process != null && process.isAlive()) {
        LOG.info("pod {}/{}: deleted; SIGTERM to pid {} (grace {} s)", namespace, name, process.pid(), grace);
        kubelet.event(pod, "Normal", "Killing", "Stopping container " + pod.getSpec().getContainers().get(0).getName());
        process.destroy();
      }
    }
    if (initProcess != null && initProcess.isAlive()) {
      if (now.isAfter(killDeadline)) initProcess.destroyForcibly();
      return;
    }
    if (process != null && process.isAlive()) {
      if (now.isAfter(killDeadline)) {
        LOG.warn("pod {}/{}: pid {} still running after the grace period: SIGKILL", namespace, name, process.pid());
        process.destroyForcibly();
      }
      return;
    }
    if (process != null) {
      LOG.info("pod {}/{}: process {} exited with code {}", namespace, name, process.pid(), process.exitValue());
    }
    if (!removed) {
      if (!gone) kubelet.removePod(pod);
      removed = true;
      try {
        VolumeProvisioner.deleteTree(podDir);
      } catch (IOException e) {
        LOG.warn("pod {}/{}: cannot delete {}: {}", namespace, name, podDir, e.toString());
      }
    }
  }

  /** The kubelet is closing: SIGTERM now (the caller waits and SIGKILLs). Leaves the API objects alone. */
  Process stopForShutdown() {
    if (initProcess != null && initProcess.isAlive()) {
      initProcess.destroy();
      return initProcess;
    }
    if (process != null && process.isAlive()) {
      process.destroy();
      return process;
    }
    return null;
  }

  // --- status ----------------------------------------------------------------------------------------------

  private void postStatus(Container c) {
    Instant now = now();
    boolean running = process != null && process.isAlive();
    ContainerState state;
    if (running) {
      state = new ContainerStateBuilder().withNewRunning().withStartedAt(time(startedAt)).endRunning().build();
    } else if (finished) {
      state = new ContainerStateBuilder().withTerminated(lastTerminated).build();
    } else {
      state = new ContainerStateBuilder().withNewWaiting().withReason(waitingReason == null ? "ContainerCreating" : waitingReason)
          .withMessage(waitingMessage).endWaiting().build();
    }
    ContainerStatus cs = new ContainerStatusBuilder()
        .withName(c.getName()).withImage(c.getImage())
        .withImageID(kubelet.config().images().resolve(c.getImage()).map(i -> "process://" + i.files().get("/app")).orElse(""))
        .withContainerID(running ? containerId() : null)
        .withReady(running && ready).withStarted(running && started).withRestartCount(restartCount)
        .withState(state)
        .withLastState(!finished && lastTerminated != null ? new ContainerStateBuilder().withTerminated(lastTerminated).build() : null)
        .build();
    boolean isReady = running && ready;
    String phase = finished ? (lastTerminated.getExitCode() == 0 ? "Succeeded" : "Failed") : everStarted ? "Running" : "Pending";
    List<ContainerStatus> initStatuses = new ArrayList<>();
    for (int i = 0; i < inits().size(); i++) {
      Container init = inits().get(i);
      ContainerState st;
      if (i < initDone) {
        st = new ContainerStateBuilder().withNewTerminated().withExitCode(0).withReason("Completed").endTerminated().build();
      } else if (i == initDone && initProcess != null && initProcess.isAlive()) {
        st = new ContainerStateBuilder().withNewRunning().withStartedAt(time(initStartedAt)).endRunning().build();
      } else {
        st = new ContainerStateBuilder().withNewWaiting().withReason(i == initDone && waitingReason != null
            && !waitingReason.equals("PodInitializing") ? waitingReason : "PodInitializing")
            .withMessage(i == initDone ? waitingMessage : null).endWaiting().build();
      }
      initStatuses.add(new ContainerStatusBuilder().withName(init.getName()).withImage(init.getImage()).withImageID("")
          .withReady(i < initDone).withRestartCount(i == initDone ? initRestarts : 0).withState(st)
          .withLastState(i == initDone && initLastTerminated != null
              ? new ContainerStateBuilder().withTerminated(initLastTerminated).build() : null)
          .build());
    }
    condition("PodReadyToStartContainers", ip != null, now);
    condition("Initialized", initDone >= inits().size(), now);
    condition("Ready", isReady, now);
    condition("ContainersReady", isReady, now);
    condition("PodScheduled", true, now);
    PodStatusBuilder status = new PodStatusBuilder()
        .withPhase(phase)
        .withConditions(new ArrayList<>(conditions.values()))
        .withHostIP(ProcessKubelet.HOST_IP).addNewHostIP(ProcessKubelet.HOST_IP)
        .withStartTime(time(startTime))
        .withContainerStatuses(cs);
    if (!initStatuses.isEmpty()) status.withInitContainerStatuses(initStatuses);
    if (ip != null) status.withPodIP(ip).addNewPodIP(ip);
    PodStatus built = status.build();
    Map<String, Object> patch = Map.of("metadata", Map.of("uid", uid), "status", built);
    String json = kubelet.client().getKubernetesSerialization().asJson(patch);
    if (json.equals(posted)) return;
    try {
      kubelet.client().pods().inNamespace(namespace).withName(name).subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), json);
      posted = json;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409 && e.getCode() != 422) {
        LOG.warn("pod {}/{}: status update failed: {}", namespace, name, e.getMessage());
      }
    }
  }

  private void condition(String type, boolean value, Instant now) {
    String status = value ? "True" : "False";
    PodCondition old = conditions.get(type);
    if (old != null && old.getStatus().equals(status)) return;
    conditions.put(type, new PodConditionBuilder().withType(type).withStatus(status)
        .withLastTransitionTime(time(now)).build());
  }

  private String containerId() {
    return process == null ? null : "process://" + process.pid();
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  static String time(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
