package io.aiondb.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kubectl aion switchover CLUSTER [--to MEMBER]}: moves the leadership off the member that leads now, to
 * {@code --to} if given (it must be a reachable, caught-up voter), through the engine's
 * {@code POST /v1/cluster/nodes/<leader>/drain-leadership} (docs/cluster-api.md "Nodes").
 */
@Command(name = "switchover", mixinStandardHelpOptions = true, description = {"Move the leadership to another member (planned maintenance, or to put "
    + "the leader in a chosen zone). Without --to the engine picks a caught-up voter."})
final class SwitchoverCommand implements Callable<Integer> {
  @ParentCommand KubectlAion root;

  @Parameters(index = "0", paramLabel = "CLUSTER", description = "The AionCluster's name.")
  String cluster;

  @Option(names = "--to", paramLabel = "MEMBER", description = "The member to lead (e.g. aion-2).")
  String to;

  @Override
  public Integer call() {
    Target t = root.target(cluster);
    List<Pod> pods = t.pods();
    Engine engine = root.engine(t);
    JsonNode nodes = engine.nodes(pods);
    List<String> leaders = Engine.leaders(nodes);
    if (leaders.isEmpty()) {
      throw new PluginException("no member leads now (an election is running, or the answering member is cut off); "
          + "try again in a few seconds");
    }
    if (to != null) {
      Target.checkName(to, "member name");
      JsonNode target = Engine.node(nodes, to);
      if (target == null) {
        throw new PluginException(to + " is not a member of " + t.namespace + "/" + t.name + " (members: "
            + String.join(", ", nodes.path("nodes").findValuesAsText("id")) + ")");
      }
      if (leaders.equals(List.of(to))) {
        root.out.println(to + " already leads " + t.namespace + "/" + t.name + ": nothing to do");
        return 0;
      }
      if (!"Voter".equals(target.path("membership").asText()) || !target.path("caughtUp").asBoolean(false)
          || !target.path("reachable").asBoolean(false)) {
        throw new PluginException(to + " cannot lead now: membership " + target.path("membership").asText()
            + ", caught up " + target.path("caughtUp").asBoolean(false) + " (lag " + target.path("lag").asText("?")
            + "), reachable " + target.path("reachable").asBoolean(false) + "; a leader must be a reachable, caught-up voter");
      }
    }
    Pod ask = StatusCommand.askOrder(t, pods).get(0);
    for (String leader : leaders) {
      String body = to == null ? "" : Target.JSON.createObjectNode().put("to", to).toString();
      JsonNode answer = engine.json(ask, "POST", "/v1/cluster/nodes/" + leader + "/drain-leadership", body);
      JsonNode groups = answer.path("node").path("groups");
      String now = groups.isArray() && !groups.isEmpty() ? groups.get(0).path("leader").asText("?") : "?";
      if (!answer.path("changed").asBoolean(false)) {
        root.out.println(leader + " led no group by the time the request arrived; the leader is " + now);
      } else {
        root.out.println("switchover: " + leader + " -> " + now + " (" + t.namespace + "/" + t.name + ")");
      }
      if (to != null && !to.equals(now)) {
        throw new PluginException("the leadership moved to " + now + ", not to " + to + " (it stopped being eligible "
            + "meanwhile?); run kubectl aion switchover " + t.name + " --to " + to + " again");
      }
    }
    return 0;
  }
}
