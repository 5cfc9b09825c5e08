package io.aiondb.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kubectl aion status}: what the operator recorded (the AionCluster's status), what Kubernetes shows (the
 * pods) and what the engine says now (its {@code GET /v1/cluster/nodes}: membership, lag, leadership, whether a
 * restart is safe), as text or JSON. Pure: the command reads, this renders.
 *
 * @param cluster the AionCluster resource
 * @param pods its member pods
 * @param nodes the engine's {@code /v1/cluster/nodes} answer, null when no member answered
 * @param engineError why there is no engine view (null when there is one)
 * @param certificate the members' serving certificate, null with TLS off or when it could not be read
 * @param certificateError why the certificate could not be read (null when it could or TLS is off)
 * @param now the time ages and expiries are measured from
 */
record StatusReport(JsonNode cluster, List<PodRow> pods, JsonNode nodes, String engineError, Certificate certificate,
    String certificateError, Instant now) {

  /** One member pod as Kubernetes shows it. */
  record PodRow(String name, String phase, boolean ready, int restarts, String ip, String node, String image,
      String revision) {}

  /** The serving certificate: its Secret, subject and validity end. */
  record Certificate(String secret, String subject, Instant notAfter) {}

  /** Days before expiry under which {@link #text} warns, as the operator renews generated certificates at 30. */
  static final Duration EXPIRY_WARNING = Duration.ofDays(30);

  String text() {
    StringBuilder out = new StringBuilder();
    JsonNode meta = cluster.path("metadata");
    JsonNode spec = cluster.path("spec");
    JsonNode status = cluster.path("status");
    List<String> warnings = new ArrayList<>();

    field(out, "Cluster", meta.path("namespace").asText() + "/" + meta.path("name").asText());
    String phase = status.path("phase").asText("-");
    JsonNode ready = condition("Ready");
    field(out, "Phase", phase + (ready == null ? "" : "  (Ready " + ready.path("status").asText() + ", "
        + ready.path("reason").asText() + ")"));
    String current = status.path("currentVersion").asText("");
    String wanted = spec.path("version").asText("");
    field(out, "Version", (current.isEmpty() ? "-" : current)
        + (!wanted.isEmpty() && !wanted.equals(current) ? "  (spec asks for " + wanted + ")" : ""));
    field(out, "Members", spec.path("replicas").asInt(0) + " desired, " + status.path("readyReplicas").asInt(0) + " ready, "
        + status.path("updatedReplicas").asInt(0) + " updated");
    field(out, "Leader", leader());
    if (nodes != null) {
      JsonNode g = nodes.path("groups");
      if (g.size() == 1) {
        field(out, "Raft", "term " + g.get(0).path("term").asText("?") + ", commit index "
            + g.get(0).path("commitIndex").asText("?"));
      } else if (g.size() > 1) {
        field(out, "Raft", g.size() + " groups");
      }
    }
    field(out, "TLS", tlsLine(warnings));
    field(out, "Last backup", backupLine(warnings));
    field(out, "Rollout", rolloutLine(warnings));
    if (cluster.path("spec").path("paused").asBoolean(false)) warnings.add("the cluster is paused: the operator changes nothing");
    out.append('\n');

    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"MEMBER", "ROLE", "MEMBERSHIP", "READY", "LAG", "VERSION", "RESTARTS", "SAFE TO RESTART",
        "IP", "NODE"});
    Map<String, JsonNode> byId = engineNodes();
    List<String> names = new ArrayList<>();
    pods.forEach(p -> names.add(p.name()));
    byId.keySet().stream().filter(n -> !names.contains(n)).forEach(names::add); // in the group, without a pod
    for (String name : names) {
      PodRow p = pods.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
      JsonNode n = byId.get(name);
      String role = n == null ? "-" : role(n);
      String lag = n == null ? "-" : n.path("lag").asLong(-1) < 0 ? "?" : n.path("lag").asText();
      String safe = n == null ? "-" : n.path("safeToRestart").asBoolean(false) ? "yes" : "no";
      String version = n != null && n.hasNonNull("version") ? n.path("version").asText() : "-";
      rows.add(new String[] {name, role, n == null ? (nodes == null ? "?" : "not a member") : n.path("membership").asText("-"),
          p == null ? "no pod" : p.ready() ? "true" : "false (" + p.phase() + ")", lag, version,
          p == null ? "-" : Integer.toString(p.restarts()), safe, p == null || p.ip() == null ? "-" : p.ip(),
          p == null || p.node() == null ? "-" : p.node()});
      if (n != null && !n.path("reachable").asBoolean(true)) warnings.add(name + " is not reachable from the answering member");
    }
    table(out, rows);
    if (nodes == null) {
      warnings.add("the engine did not answer (" + engineError + "): roles, lag and safety are unknown");
    } else {
      for (String name : names) {
        JsonNode n = byId.get(name);
        if (n != null && !n.path("safeToRestart").asBoolean(false) && n.hasNonNull("reason")) {
          out.append("  ").append(name).append(" is not safe to restart: ").append(n.path("reason").asText()).append('\n');
        }
      }
    }

    JsonNode conditions = status.path("conditions");
    if (conditions.isArray() && !conditions.isEmpty()) {
      out.append("\nConditions:\n");
      List<String[]> c = new ArrayList<>();
      c.add(new String[] {"TYPE", "STATUS", "REASON", "SINCE", "MESSAGE"});
      for (JsonNode x : conditions) {
        c.add(new String[] {x.path("type").asText(), x.path("status").asText(), x.path("reason").asText(),
            ago(x.path("lastTransitionTime").asText("")), x.path("message").asText("")});
      }
      table(out, c);
    }
    if (!warnings.isEmpty()) {
      out.append("\nWarnings:\n");
      warnings.forEach(w -> out.append("  - ").append(w).append('\n'));
    }
    return out.toString();
  }

  /** The same facts as JSON, for scripts: {@code cluster} (from the resource), {@code members}, {@code tls}, {@code engine}. */
  ObjectNode json() {
    ObjectNode o = Target.JSON.createObjectNode();
    JsonNode status = cluster.path("status");
    ObjectNode c = o.putObject("cluster");
    c.put("namespace", cluster.path("metadata").path("namespace").asText());
    c.put("name", cluster.path("metadata").path("name").asText());
    c.put("phase", status.path("phase").asText(null));
    c.put("currentVersion", status.path("currentVersion").asText(null));
    c.put("specVersion", cluster.path("spec").path("version").asText(null));
    c.put("replicas", cluster.path("spec").path("replicas").asInt(0));
    c.put("readyReplicas", status.path("readyReplicas").asInt(0));
    c.put("updatedReplicas", status.path("updatedReplicas").asInt(0));
    c.put("leader", leader());
    c.set("rollout", status.path("rollout").isMissingNode() ? null : status.path("rollout"));
    c.set("lastBackup", status.path("lastBackup").isMissingNode() ? null : status.path("lastBackup"));
    c.set("conditions", status.path("conditions").isMissingNode() ? Target.JSON.createArrayNode() : status.path("conditions"));
    ObjectNode tls = o.putObject("tls");
    if (certificate != null) {
      tls.put("secret", certificate.secret());
      tls.put("subject", certificate.subject());
      tls.put("notAfter", certificate.notAfter().toString());
      tls.put("expiresInSeconds", Duration.between(now, certificate.notAfter()).getSeconds());
    } else {
      tls.put("error", certificateError);
    }
    ArrayNode members = o.putArray("members");
    Map<String, JsonNode> byId = engineNodes();
    for (PodRow p : pods) {
      ObjectNode m = members.addObject();
      m.put("name", p.name()).put("podPhase", p.phase()).put("ready", p.ready()).put("restarts", p.restarts())
          .put("ip", p.ip()).put("node", p.node()).put("image", p.image()).put("revision", p.revision());
      m.set("engine", byId.get(p.name()));
    }
    o.set("engine", nodes);
    if (engineError != null) o.put("engineError", engineError);
    return o;
  }

  private Map<String, JsonNode> engineNodes() {
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    if (nodes != null) nodes.path("nodes").forEach(n -> byId.put(n.path("id").asText(), n));
    return byId;
  }

  /** The node's role: Leader when it leads a group, else its role in its groups (mixed: several). */
  private static String role(JsonNode n) {
    if (n.path("leads").asInt(0) > 0) {
      int groups = n.path("groups").size();
      return groups > 1 ? "Leader (" + n.path("leads").asInt() + "/" + groups + ")" : "Leader";
    }
    String role = null;
    for (JsonNode g : n.path("groups")) {
      String r = g.path("role").asText("UNKNOWN");
      if (role == null) role = r;
      else if (!role.equals(r)) return "mixed";
    }
    if (role == null) return "-";
    return role.charAt(0) + role.substring(1).toLowerCase(java.util.Locale.ROOT);
  }

  private String leader() {
    if (nodes != null) {
      List<String> leaders = new ArrayList<>();
      nodes.path("nodes").forEach(n -> {
        if (n.path("leads").asInt(0) > 0) leaders.add(n.path("id").asText());
      });
      if (!leaders.isEmpty()) return String.join(", ", leaders);
      return "none (an election is running, or the answering member is cut off)";
    }
    return cluster.path("status").path("leader").asText("-") + " (as the operator last saw it)";
  }

  private JsonNode condition(String type) {
    for (JsonNode c : cluster.path("status").path("conditions")) {
      if (type.equals(c.path("type").asText())) return c;
    }
    return null;
  }

  private String tlsLine(List<String> warnings) {
    String mode = cluster.path("spec").path("tls").path("mode").asText("Generated");
    if (certificate == null) {
      if (certificateError == null) return "off";
      warnings.add("the TLS certificate could not be read: " + certificateError);
      return mode + ", certificate unknown";
    }
    Duration left = Duration.between(now, certificate.notAfter());
    if (left.isNegative()) {
      warnings.add("the TLS certificate in Secret " + certificate.secret() + " EXPIRED " + Durations.human(left.negated()) + " ago");
    } else if (left.compareTo(EXPIRY_WARNING) < 0) {
      warnings.add("the TLS certificate in Secret " + certificate.secret() + " expires in " + Durations.human(left)
          + ("Generated".equals(mode) ? " (the operator renews it; check its events)" : " (renew it: mode Secret is yours)"));
    }
    return mode + ", certificate " + certificate.secret() + " valid until " + certificate.notAfter() + " ("
        + (left.isNegative() ? "expired" : "in " + Durations.human(left)) + ")";
  }

  private String backupLine(List<String> warnings) {
    JsonNode last = cluster.path("status").path("lastBackup");
    boolean configured = cluster.path("spec").has("backup");
    if (last.isMissingNode() || last.isNull()) {
      return configured ? "none yet" : "none (no spec.backup)";
    }
    String completed = last.path("completedAt").asText("");
    return last.path("name").asText() + " (id " + last.path("backupId").asText() + ", revision "
        + last.path("revision").asText("?") + "), completed " + completed + " (" + ago(completed) + " ago)";
  }

  private String rolloutLine(List<String> warnings) {
    JsonNode r = cluster.path("status").path("rollout");
    if (r.isMissingNode() || r.isNull()) return "none";
    StringBuilder s = new StringBuilder();
    s.append(r.path("updatedMembers").asInt(0)).append('/').append(r.path("targetReplicas").asInt(
        cluster.path("spec").path("replicas").asInt(0))).append(" members updated");
    if (r.hasNonNull("targetVersion")) s.append(" to ").append(r.path("targetVersion").asText());
    if (r.hasNonNull("targetRevision")) s.append(" (revision ").append(r.path("targetRevision").asText()).append(')');
    if (r.hasNonNull("startedAt")) s.append(", started ").append(ago(r.path("startedAt").asText())).append(" ago");
    if (r.hasNonNull("currentMember")) {
      s.append("; now ").append(r.path("currentMember").asText());
      if (r.hasNonNull("currentSince")) s.append(" for ").append(ago(r.path("currentSince").asText()));
    }
    if (r.hasNonNull("haltedMember")) {
      s.append("; HALTED at ").append(r.path("haltedMember").asText());
      warnings.add("the rollout halted at " + r.path("haltedMember").asText() + ": " + r.path("haltMessage").asText("")
          + " (fix it, then: kubectl annotate aioncluster " + cluster.path("metadata").path("name").asText()
          + " aiondb.io/retry-rollout=\"$(date +%s)\" --overwrite)");
    }
    return s.toString();
  }

  private String ago(String time) {
    if (time == null || time.isEmpty()) return "-";
    try {
      return Durations.human(Duration.between(Instant.parse(time), now));
    } catch (DateTimeParseException e) {
      return time;
    }
  }

  private static void field(StringBuilder out, String name, String value) {
    out.append(String.format("%-13s%s%n", name + ":", value));
  }

  /** Left-aligned columns, two spaces apart, the last one unpadded. */
  static void table(StringBuilder out, List<String[]> rows) {
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) for (int i = 0; i < cols; i++) width[i] = Math.max(width[i], r[i] == null ? 1 : r[i].length());
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        String v = r[i] == null ? "-" : r[i];
        line.append(i == cols - 1 ? v : String.format("%-" + width[i] + "s  ", v));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
