package io.aiondb.kubectl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusReportTest {
  static final Instant NOW = Instant.parse("2026-12-08T12:00:00Z");

  static JsonNode json(String s) throws Exception {
    return Target.JSON.readTree(s.replace('\'', '"'));
  }

  static JsonNode cluster(String statusExtra) throws Exception {
    return json("{'metadata':{'name':'aion','namespace':'db'},'spec':{'replicas':3,'version':'0.2.0','backup':{'s3':{}}},"
        + "'status':{'phase':'Upgrading','currentVersion':'0.1.0','readyReplicas':3,'updatedReplicas':1,'leader':'aion-0',"
        + "'conditions':[{'type':'Ready','status':'True','reason':'ClusterReady','lastTransitionTime':'2026-12-08T11:00:00Z','message':'all ready'}]"
        + statusExtra + "}}");
  }

  static final JsonNode NODES;

  static {
    try {
      NODES = json("{'groups':[{'groupId':'g1','leader':'aion-1','term':7,'commitIndex':1200}],'nodes':["
          + "{'id':'aion-0','membership':'Voter','reachable':true,'version':'0.1.0','caughtUp':true,'lag':0,'leads':0,"
          + "'safeToRestart':true,'groups':[{'role':'FOLLOWER'}]},"
          + "{'id':'aion-1','membership':'Voter','reachable':true,'version':'0.2.0','caughtUp':true,'lag':0,'leads':1,"
          + "'safeToRestart':true,'groups':[{'role':'LEADER'}]},"
          + "{'id':'aion-2','membership':'Voter','reachable':false,'version':null,'caughtUp':false,'lag':5400,'leads':0,"
          + "'safeToRestart':false,'reason':'aion-2 is 5,400 entries behind','groups':[{'role':'UNKNOWN'}]}]}");
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  static final List<StatusReport.PodRow> PODS = List.of(
      new StatusReport.PodRow("aion-0", "Running", true, 0, "10.0.0.10", "node-a", "aion:0.1.0", "r1"),
      new StatusReport.PodRow("aion-1", "Running", true, 2, "10.0.0.11", "node-b", "aion:0.2.0", "r2"),
      new StatusReport.PodRow("aion-2", "Pending", false, 0, null, null, null, "r1"));

  @Test
  void membersShowTheEnginesRolesLagAndSafetyBesideThePods() throws Exception {
    var cert = new StatusReport.Certificate("aion-tls", "CN=aion", NOW.plus(Duration.ofDays(80)));
    String text = new StatusReport(cluster(""), PODS, NODES, null, cert, null, NOW).text();
    assertThat(text).contains("Cluster:     db/aion", "Phase:       Upgrading  (Ready True, ClusterReady)",
        "Version:     0.1.0  (spec asks for 0.2.0)", "Members:     3 desired, 3 ready, 1 updated",
        "Leader:      aion-1", "Raft:        term 7, commit index 1200",
        "TLS:         Generated, certificate aion-tls valid until 2026-12-08T12:00:00Z".replace("2026-12-08T12:00:00Z",
            NOW.plus(Duration.ofDays(80)).toString()) + " (in 80d)",
        "Last backup: none yet");
    List<String> lines = text.lines().toList();
    String header = lines.stream().filter(l -> l.startsWith("MEMBER")).findFirst().orElseThrow();
    assertThat(header.split("\\s{2,}")).containsExactly("MEMBER", "ROLE", "MEMBERSHIP", "READY", "LAG", "VERSION",
        "RESTARTS", "SAFE TO RESTART", "IP", "NODE");
    assertThat(row(lines, "aion-0")).containsExactly("aion-0", "Follower", "Voter", "true", "0", "0.1.0", "0", "yes", "10.0.0.10", "node-a");
    assertThat(row(lines, "aion-1")).containsExactly("aion-1", "Leader", "Voter", "true", "0", "0.2.0", "2", "yes", "10.0.0.11", "node-b");
    assertThat(row(lines, "aion-2")).containsExactly("aion-2", "Unknown", "Voter", "false (Pending)", "5400", "-", "0", "no", "-", "-");
    assertThat(text).contains("aion-2 is not safe to restart: aion-2 is 5,400 entries behind",
        "aion-2 is not reachable from the answering member");
    assertThat(text).doesNotContain("certificate aion-tls expires");
  }

  private static String[] row(List<String> lines, String member) {
    return lines.stream().filter(l -> l.startsWith(member + " ")).findFirst().orElseThrow().split("\\s{2,}");
  }

  @Test
  void warnsOfACertificateCloseToExpiryAHaltedRolloutAndASilentEngine() throws Exception {
    var cert = new StatusReport.Certificate("aion-tls", "CN=aion", NOW.plus(Duration.ofDays(10)));
    JsonNode c = cluster(",'rollout':{'targetReplicas':3,'updatedMembers':1,'targetVersion':'0.2.0',"
        + "'startedAt':'2026-12-08T11:50:00Z','haltedMember':'aion-2','haltMessage':'not Ready after 10m'},"
        + "'lastBackup':{'name':'aion-1','backupId':'b-17','completedAt':'2026-12-08T09:00:00Z','revision':99}");
    String text = new StatusReport(c, PODS, null, "no member answered", cert, null, NOW).text();
    assertThat(text).contains("expires in 10d (the operator renews it; check its events)",
        "Rollout:     1/3 members updated to 0.2.0, started 10m ago; HALTED at aion-2",
        "the rollout halted at aion-2: not Ready after 10m",
        "Last backup: aion-1 (id b-17, revision 99), completed 2026-12-08T09:00:00Z (3h ago)",
        "Leader:      aion-0 (as the operator last saw it)",
        "the engine did not answer (no member answered): roles, lag and safety are unknown");
    assertThat(row(text.lines().toList(), "aion-0")).containsExactly("aion-0", "-", "?", "true", "-", "-", "0", "-",
        "10.0.0.10", "node-a");
    var expired = new StatusReport.Certificate("mine", "CN=aion", NOW.minus(Duration.ofHours(2)));
    assertThat(new StatusReport(c, PODS, NODES, null, expired, null, NOW).text())
        .contains("the TLS certificate in Secret mine EXPIRED 2h ago");
  }

  @Test
  void jsonCarriesTheSameFactsForScripts() throws Exception {
    var cert = new StatusReport.Certificate("aion-tls", "CN=aion", NOW.plus(Duration.ofDays(1)));
    JsonNode j = new StatusReport(cluster(""), PODS, NODES, null, cert, null, NOW).json();
    assertThat(j.path("cluster").path("leader").asText()).isEqualTo("aion-1");
    assertThat(j.path("cluster").path("phase").asText()).isEqualTo("Upgrading");
    assertThat(j.path("tls").path("expiresInSeconds").asLong()).isEqualTo(86400);
    assertThat(j.path("members")).hasSize(3);
    assertThat(j.path("members").get(2).path("engine").path("lag").asLong()).isEqualTo(5400);
    assertThat(j.path("members").get(1).path("restarts").asInt()).isEqualTo(2);
  }

  @Test
  void durationsAreParsedStrictlyAndPrintedShort() {
    assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    for (String bad : new String[] {"", "5", "5x", "m5", "1h 30m", "-1m"}) {
      assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(Durations.human(Duration.ofSeconds(3725))).isEqualTo("1h2m");
    assertThat(Durations.human(Duration.ofDays(3).plusHours(4))).isEqualTo("3d4h");
  }

  @Test
  void followedLogLinesKeepTheirMemberPrefixAndStayWhole() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintWriter out = new PrintWriter(buf, true, StandardCharsets.UTF_8);
    try (var a = new LogsCommand.Prefixing(out, "[aion-0] "); var b = new LogsCommand.Prefixing(out, "[aion-1] ")) {
      a.write("one\ntw".getBytes(StandardCharsets.UTF_8));
      b.write("x\n".getBytes(StandardCharsets.UTF_8));
      a.write("o\nthree".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(buf.toString(StandardCharsets.UTF_8).lines().toList())
        .containsExactly("[aion-0] one", "[aion-1] x", "[aion-0] two", "[aion-0] three");
  }

  @Test
  void badInputGetsAClearErrorAndExitCode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = KubectlAion.run(new String[] {"status", "Bad_Name", "--kubeconfig", "/nonexistent/kubeconfig"},
        new java.io.PrintStream(out), new java.io.PrintStream(err), java.util.Map.of());
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("cannot read --kubeconfig /nonexistent/kubeconfig");
    code = KubectlAion.run(new String[] {"status"}, new java.io.PrintStream(out), new java.io.PrintStream(err), java.util.Map.of());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required parameter: 'CLUSTER'");
    code = KubectlAion.run(new String[] {"logs", "aion", "--since", "yesterday", "--kubeconfig", "/nonexistent"},
        new java.io.PrintStream(out), new java.io.PrintStream(err), java.util.Map.of());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("not a duration: 'yesterday'");
  }
}
