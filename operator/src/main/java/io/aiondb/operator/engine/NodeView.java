package io.aiondb.operator.engine;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One node as the engine describes it in node terms ({@code GET /v1/cluster/nodes/{id}}, docs/cluster-api.md "Nodes"):
 * its membership over every Raft group, whether it is caught up, how many groups it leads, and whether restarting or
 * removing it is safe now ({@code reason} says why not, in words for a person). Fields the operator does not use are
 * ignored; a field the engine did not send is null.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeView(String id, String raftAddress, String httpAddress, String membership, Boolean reachable,
    String version, Boolean caughtUp, Long lag, Integer leads, Boolean safeToRestart, Boolean safeToRemove,
    String reason, Decommission decommission, List<Group> groups) {
  public NodeView {
    groups = groups == null ? List.of() : List.copyOf(groups);
  }

  /** Its state in one Raft group. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Group(String groupId, String leader, String role, Boolean voting, Long lag, Boolean caughtUp,
      Boolean safeToRestart, Boolean safeToRemove, String reason) {}

  /** Progress of a decommission: {@code state} is {@code InProgress} or {@code Done}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Decommission(String state, Integer groupsLeft) {
    public boolean done() {
      return "Done".equals(state);
    }
  }

  /** The answer of {@code GET /v1/cluster/nodes}: the groups (leader, term) and every node. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record NodeList(List<GroupSummary> groups, List<NodeView> nodes) {
    public NodeList {
      groups = groups == null ? List.of() : List.copyOf(groups);
      nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record GroupSummary(String groupId, String leader, Long term, Long commitIndex, Integer voters) {}

  /**
   * The answer of a change (add, promote, drain-leadership, decommission): whether anything changed, the node
   * afterwards (null after a decommission) and, for a decommission, its progress.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Change(boolean changed, NodeView node, Decommission decommission) {
    /** The leaders of the node's groups as the answer shows them (after a drain: where leadership went), sorted. */
    public List<String> leaders() {
      return node == null ? List.of() : node.groups().stream().map(Group::leader).filter(java.util.Objects::nonNull)
          .distinct().sorted().toList();
    }
  }
}
