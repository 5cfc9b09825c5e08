package io.aiondb.operator.engine;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** The answer of {@code GET /v1/cluster/members}; fields the operator does not use are ignored. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClusterView(String groupId, String leader, Long term, List<Member> members) {
  public ClusterView {
    members = members == null ? List.of() : List.copyOf(members);
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Member(String id, String role, Boolean voting, Long lag, Boolean caughtUp, String version) {}
}
