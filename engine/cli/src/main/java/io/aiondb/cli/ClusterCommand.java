package io.aiondb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aion cluster members|health|transfer-leader} through the HTTP API (docs/cluster-api.md). */
@Command(name = "cluster", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
    description = "Cluster members, health and leader transfer (HTTP API, --http; docs/cluster-api.md).",
    subcommands = {ClusterCommand.Members.class, ClusterCommand.Health.class, ClusterCommand.TransferLeader.class})
final class ClusterCommand extends Group {
  static final List<String> MEMBER_COLUMNS = List.of("id", "role", "voting", "raftAddress", "httpAddress",
      "appliedIndex", "lag", "caughtUp", "reachable", "version");

  @Command(name = "members", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "The members, their roles and how far each is behind (GET /v1/cluster/members).")
  static final class Members extends Base {
    @Override
    public Integer call() {
      JsonNode r = admin().get("/v1/cluster/members");
      if (json()) {
        printJson(r);
      } else {
        out().println("leader: " + Output.scalar(r.get("leader")) + "  term: " + Output.scalar(r.get("term")));
        out().print(Output.objects(r.path("members"), MEMBER_COLUMNS));
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "health", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Whether the cluster has a quorum, and which members are safe to restart or remove"
          + " (GET /v1/cluster/health).")
  static final class Health extends Base {
    @Option(names = "--member", paramLabel = "ID", description = "Answer for this member only.") String member;

    @Override
    public Integer call() {
      JsonNode r = admin().get("/v1/cluster/health" + (member == null ? "" : "?member=" + Http.seg(member)));
      if (json()) {
        printJson(r);
      } else if (member != null) {
        out().print(Output.fields(r));
      } else {
        out().println("quorum: " + Output.scalar(r.get("quorum")) + "  leader: " + Output.scalar(r.get("leader"))
            + "  voters: " + Output.scalar(r.get("voters")) + "  healthy voters: " + Output.scalar(r.get("healthyVoters")));
        out().print(Output.objects(r.path("members"),
            List.of("member", "caughtUp", "safeToRestart", "safeToRemove", "reason")));
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "transfer-leader", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Make voter ID the leader (POST /v1/cluster/leader {\"id\": ID}); nothing changes if it already leads.")
  static final class TransferLeader extends Base {
    @Parameters(paramLabel = "ID", description = "The member id, as in cluster members.") String id;

    @Override
    public Integer call() {
      JsonNode r = admin().post("/v1/cluster/leader", Output.JSON.createObjectNode().put("id", id));
      if (json()) {
        printJson(r);
      } else {
        out().println(r.path("changed").asBoolean() ? "leadership transferred to " + id
            : id + " already leads (nothing changed)");
        if (r.path("members").isArray()) out().print(Output.objects(r.path("members"), MEMBER_COLUMNS));
      }
      return ExitCode.OK;
    }
  }
}
