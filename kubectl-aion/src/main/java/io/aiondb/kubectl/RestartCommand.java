package io.aiondb.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kubectl aion restart CLUSTER [MEMBER]}.
 *
 * <p>The whole cluster: a rolling restart by the operator, as {@code kubectl rollout restart} does for a Deployment:
 * the annotation {@value #RESTARTED_AT} in {@code spec.pod.annotations} changes the pod template, and the operator
 * restarts the members one at a time with its usual care (leadership moved first, each member Ready before the next;
 * docs/operator.md "Rollouts").
 *
 * <p>One member: refused unless the engine says it is safe to restart ({@code safeToRestart} of
 * {@code GET /v1/cluster/nodes}: the others still form a caught-up quorum) or {@code --force}; refused during the
 * operator's own rollout; its leadership is moved off first; then its pod is deleted and the StatefulSet makes it
 * again on the same volume.
 */
@Command(name = "restart", mixinStandardHelpOptions = true, description = {"Restart a cluster's members one at a time through the operator, or one "
    + "member (moving its leadership off first)."})
final class RestartCommand implements Callable<Integer> {
  static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

  @ParentCommand KubectlAion root;

  @Parameters(index = "0", paramLabel = "CLUSTER", description = "The AionCluster's name.")
  String cluster;

  @Parameters(index = "1", arity = "0..1", paramLabel = "MEMBER", description = "Only this member (e.g. aion-1).")
  String member;

  @Option(names = "--force", description = "Restart the member even when the engine says that loses the quorum, or "
      + "while the operator rolls the cluster.")
  boolean force;

  @Option(names = "--wait", negatable = true, description = "Wait until the restarted members are Ready again "
      + "(default: yes for one member, no for the cluster).")
  Boolean wait;

  @Option(names = "--timeout", defaultValue = "15m", description = "How long --wait waits (default 15m).")
  String timeout;

  @Override
  public Integer call() throws InterruptedException {
    Duration limit = Durations.parse(timeout);
    Target t = root.target(cluster);
    return member == null ? restartCluster(t, limit) : restartMember(t, limit);
  }

  /**
   * Why restarting {@code member} now is refused, or null: the operator is rolling the cluster (a second member could
   * go down), or the engine says the others would not keep a caught-up quorum ({@code node.safeToRestart} false; its
   * {@code reason} says who is behind or unreachable). A node the engine does not know (not in any group) is safe.
   */
  static String refusal(JsonNode cluster, JsonNode node, String member) {
    JsonNode rollout = cluster.path("status").path("rollout");
    if (!rollout.isMissingNode() && !rollout.isNull()) {
      return "the operator is rolling " + cluster.path("metadata").path("namespace").asText() + "/"
          + cluster.path("metadata").path("name").asText() + " (" + rollout.path("updatedMembers").asInt(0)
          + " members updated so far): restarting " + member + " now could take a second member down; wait for it";
    }
    if (node != null && !node.path("safeToRestart").asBoolean(false)) {
      return "restarting " + member + " now is not safe: " + node.path("reason").asText("the engine says so");
    }
    return null;
  }

  private int restartCluster(Target t, Duration limit) throws InterruptedException {
    if (t.cluster().path("spec").path("paused").asBoolean(false)) {
      throw new PluginException(t.namespace + "/" + t.name + " is paused: the operator restarts nothing until "
          + "spec.paused is false");
    }
    Set<String> before = t.pods().stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
    String at = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    String patch = Target.JSON.valueToTree(Map.of("spec", Map.of("pod", Map.of("annotations", Map.of(RESTARTED_AT, at)))))
        .toString();
    Target.clusters(t.k8s).inNamespace(t.namespace).withName(t.name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    root.out.println("rolling restart of " + t.namespace + "/" + t.name + " requested (" + RESTARTED_AT + "=" + at
        + "): the operator restarts the members one at a time; kubectl aion status " + t.name + " shows the progress");
    if (!Boolean.TRUE.equals(wait)) return 0;
    Instant deadline = Instant.now().plus(limit);
    String last = null;
    while (true) {
      JsonNode c = t.refresh();
      List<Pod> pods = t.pods();
      long restarted = pods.stream().filter(p -> !before.contains(p.getMetadata().getUid()) && Target.ready(p)).count();
      int replicas = c.path("spec").path("replicas").asInt(0);
      boolean rolling = c.path("status").has("rollout") && !c.path("status").path("rollout").isNull();
      String now = restarted + "/" + replicas + " members restarted and Ready"
          + (rolling ? "" : ", phase " + c.path("status").path("phase").asText("-"));
      if (!now.equals(last)) root.out.println("  " + now);
      last = now;
      JsonNode r = c.path("status").path("rollout");
      if (r.hasNonNull("haltedMember")) {
        throw new PluginException("the rollout halted at " + r.path("haltedMember").asText() + ": "
            + r.path("haltMessage").asText(""));
      }
      if (restarted >= replicas && pods.size() == replicas && !rolling && "Running".equals(c.path("status").path("phase").asText())) {
        root.out.println("restarted " + t.namespace + "/" + t.name);
        return 0;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new PluginException(PluginException.TIMED_OUT, "the restart did not finish within " + timeout + " ("
            + now + "); it goes on: kubectl aion status " + t.name);
      }
      Thread.sleep(2000);
    }
  }

  private int restartMember(Target t, Duration limit) throws InterruptedException {
    Pod pod = t.pod(member);
    Engine engine = root.engine(t);
    List<Pod> pods = t.pods();
    JsonNode nodes = null;
    try {
      nodes = engine.nodes(pods);
    } catch (PluginException e) {
      if (!force) throw new PluginException("cannot tell whether restarting " + member + " is safe: " + e.getMessage()
          + "; pass --force to restart it anyway");
      root.err.println("warning: " + e.getMessage() + "; restarting anyway (--force)");
    }
    JsonNode node = nodes == null ? null : Engine.node(nodes, member);
    String refusal = refusal(t.cluster(), nodes == null ? null : node, member);
    if (refusal != null) {
      if (!force) throw new PluginException(refusal + " (--force restarts it anyway)");
      root.err.println("warning: " + refusal + "; restarting anyway (--force)");
    }
    if (node != null && node.path("leads").asInt(0) > 0) {
      Pod ask = StatusCommand.askOrder(t, pods).stream().filter(p -> !p.getMetadata().getName().equals(member))
          .findFirst().orElse(pod);
      JsonNode moved = engine.json(ask, "POST", "/v1/cluster/nodes/" + member + "/drain-leadership", "");
      JsonNode groups = moved.path("node").path("groups");
      root.out.println("moved the leadership off " + member + " to "
          + (groups.isArray() && !groups.isEmpty() ? groups.get(0).path("leader").asText("?") : "?"));
    }
    String uid = pod.getMetadata().getUid();
    t.k8s.pods().inNamespace(t.namespace).withName(member).delete();
    root.out.println("deleted pod " + t.namespace + "/" + member + ": the StatefulSet makes it again on its volume");
    if (Boolean.FALSE.equals(wait)) return 0;
    Instant deadline = Instant.now().plus(limit);
    while (Instant.now().isBefore(deadline)) {
      Pod p = t.k8s.pods().inNamespace(t.namespace).withName(member).get();
      if (p != null && !uid.equals(p.getMetadata().getUid()) && Target.ready(p)) {
        root.out.println(member + " is Ready again");
        return 0;
      }
      Thread.sleep(1000);
    }
    throw new PluginException(PluginException.TIMED_OUT, member + " was not Ready again within " + timeout
        + ": kubectl aion status " + t.name + " / kubectl describe pod " + member + " -n " + t.namespace);
  }
}
