package io.aiondb.kubectl;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kubectl aion logs CLUSTER}: the members' logs through the Kubernetes API ({@code pods/log}), every line
 * prefixed with {@code [pod]}; {@code -f} follows every member at once.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = {"Print (or follow) the logs of a cluster's members, each line prefixed with "
    + "its member's name."})
final class LogsCommand implements Callable<Integer> {
  @ParentCommand KubectlAion root;

  @Parameters(index = "0", paramLabel = "CLUSTER", description = "The AionCluster's name.")
  String cluster;

  @Option(names = {"-m", "--member"}, description = "Only these members (repeatable; default: all).")
  List<String> members;

  @Option(names = {"-f", "--follow"}, description = "Follow the logs until every member's stream ends (Ctrl-C stops).")
  boolean follow;

  @Option(names = "--tail", defaultValue = "-1", description = "Only the last N lines of each member (default: all).")
  int tail;

  @Option(names = "--since", description = "Only lines newer than this (e.g. 10m, 1h).")
  String since;

  @Option(names = {"-c", "--container"}, defaultValue = Target.ENGINE_CONTAINER,
      description = "The container (default aion; restore for a restore's progress).")
  String container;

  @Option(names = {"-p", "--previous"}, description = "The previous instance of the container (after a crash).")
  boolean previous;

  @Override
  public Integer call() throws Exception {
    if (tail < -1) throw new IllegalArgumentException("--tail must be -1 (all) or more");
    Integer sinceSeconds = since == null ? null : (int) Math.max(1, Durations.parse(since).toSeconds());
    Target t = root.target(cluster);
    List<Pod> pods = t.pods();
    if (members != null && !members.isEmpty()) {
      List<Pod> chosen = new ArrayList<>();
      for (String m : members) chosen.add(t.pod(m));
      pods = chosen;
    }
    if (pods.isEmpty()) throw new PluginException(t.namespace + "/" + t.name + " has no member pods");
    if (!follow) {
      for (Pod p : pods) {
        String log = logs(t, p, sinceSeconds).getLog();
        String prefix = "[" + p.getMetadata().getName() + "] ";
        if (log != null) log.lines().forEach(l -> root.out.println(prefix + l));
      }
      root.out.flush();
      return 0;
    }
    List<LogWatch> watches = new ArrayList<>();
    try {
      for (Pod p : pods) {
        watches.add(logs(t, p, sinceSeconds).watchLog(new Prefixing(root.out, "[" + p.getMetadata().getName() + "] ")));
      }
      for (LogWatch w : watches) w.onClose().toCompletableFuture().join();
    } finally {
      watches.forEach(LogWatch::close);
      root.out.flush();
    }
    return 0;
  }

  private io.fabric8.kubernetes.client.dsl.Loggable logs(Target t, Pod p, Integer sinceSeconds) {
    var c = t.k8s.pods().inNamespace(t.namespace).withName(p.getMetadata().getName()).inContainer(container);
    io.fabric8.kubernetes.client.dsl.TimeTailPrettyLoggable base = previous ? c.terminated() : c;
    io.fabric8.kubernetes.client.dsl.TailPrettyLoggable timed = sinceSeconds == null ? base : base.sinceSeconds(sinceSeconds);
    return tail >= 0 ? timed.tailingLines(tail) : timed;
  }

  /** Writes whole lines, each with the member's prefix; one lock (the shared writer's) keeps members' lines apart. */
  static final class Prefixing extends OutputStream {
    private final PrintWriter out;
    private final String prefix;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

    Prefixing(PrintWriter out, String prefix) {
      this.out = out;
      this.prefix = prefix;
    }

    @Override
    public void write(int b) throws IOException {
      if (b == '\n') {
        flushLine();
      } else {
        line.write(b);
      }
    }

    private void flushLine() {
      synchronized (out) {
        out.println(prefix + line.toString(StandardCharsets.UTF_8));
        out.flush();
      }
      line.reset();
    }

    @Override
    public void close() {
      if (line.size() > 0) flushLine();
    }
  }
}
