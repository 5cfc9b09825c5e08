package io.aiondb.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class RestartCommandTest {
  @Test
  void aMemberRestartIsRefusedWhenTheEngineSaysItLosesTheQuorumOrWhileTheOperatorRolls() throws Exception {
    JsonNode steady = StatusReportTest.json("{'metadata':{'name':'aion','namespace':'db'},'status':{'phase':'Running'}}");
    JsonNode rolling = StatusReportTest.json("{'metadata':{'name':'aion','namespace':'db'},"
        + "'status':{'phase':'Upgrading','rollout':{'updatedMembers':1}}}");
    JsonNode aion0 = Engine.node(StatusReportTest.NODES, "aion-0");
    JsonNode aion2 = Engine.node(StatusReportTest.NODES, "aion-2");

    assertThat(RestartCommand.refusal(steady, aion0, "aion-0")).isNull();
    assertThat(RestartCommand.refusal(steady, null, "aion-5")).as("in no group: nothing to lose").isNull();
    assertThat(RestartCommand.refusal(steady, aion2, "aion-2"))
        .isEqualTo("restarting aion-2 now is not safe: aion-2 is 5,400 entries behind");
    assertThat(RestartCommand.refusal(rolling, aion0, "aion-0")).startsWith("the operator is rolling db/aion (1 members "
        + "updated so far): restarting aion-0 now could take a second member down");
  }

  @Test
  void theEnginesNodeListNamesLeadersAndMembers() {
    assertThat(Engine.leaders(StatusReportTest.NODES)).containsExactly("aion-1");
    assertThat(Engine.node(StatusReportTest.NODES, "aion-1").path("leads").asInt()).isEqualTo(1);
    assertThat(Engine.node(StatusReportTest.NODES, "aion-7")).isNull();
  }
}
