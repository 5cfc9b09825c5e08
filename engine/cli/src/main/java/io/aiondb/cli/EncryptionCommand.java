package io.aiondb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code aion encryption status|rotate} through the HTTP API (docs/security.md "Encryption at rest"). */
@Command(name = "encryption", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
    description = "Encryption at rest of the member --http names: its keys, and data key rotation (docs/security.md).",
    subcommands = {EncryptionCommand.Status.class, EncryptionCommand.Rotate.class})
final class EncryptionCommand extends Group {

  @Command(name = "status", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Whether the member encrypts, its key-encryption keys, data keys and last re-encryption pass"
          + " (GET /v1/encryption).")
  static final class Status extends Base {
    @Override
    public Integer call() {
      JsonNode r = admin().get("/v1/encryption");
      if (json()) {
        printJson(r);
        return ExitCode.OK;
      }
      out().println("node: " + Output.scalar(r.get("node")) + "  enabled: " + Output.scalar(r.get("enabled"))
          + (r.has("kek") ? "  kek: " + Output.scalar(r.get("kek")) : "")
          + (r.has("rotationDue") ? "  rotation due: " + Output.scalar(r.get("rotationDue")) : ""));
      if (r.has("keks")) out().println("opens with: " + String.join(", ", textList(r.path("keks"))));
      if (r.has("dataKeys")) out().print(Output.objects(r.path("dataKeys"), List.of("id", "created", "active")));
      JsonNode pass = r.path("lastPass");
      if (!pass.isMissingNode()) {
        out().println("last pass (" + Output.scalar(pass.get("reason")) + "): started " + Output.scalar(pass.get("started"))
            + (pass.has("finished") ? ", finished " + Output.scalar(pass.get("finished")) : ", running")
            + (pass.has("reencrypted") ? ", " + pass.path("reencrypted").asLong() + " of " + pass.path("examined").asLong()
                + " values re-encrypted, " + (pass.path("complete").asBoolean() ? "complete" : "stopped") : "")
            + (pass.has("error") ? ", failed: " + pass.path("error").asText() : ""));
      }
      return ExitCode.OK;
    }

    private static List<String> textList(JsonNode a) {
      List<String> out = new java.util.ArrayList<>();
      a.forEach(n -> out.add(n.asText()));
      return out;
    }
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Make a new data key active on the member and re-encrypt, in the background, what older keys"
          + " sealed (POST /v1/encryption/rotate); follow it with encryption status.")
  static final class Rotate extends Base {
    @Override
    public Integer call() {
      JsonNode r = admin().post("/v1/encryption/rotate", Output.JSON.createObjectNode());
      if (json()) {
        printJson(r);
      } else {
        out().println("data key " + r.path("activeKey").asText() + " is active on " + r.path("node").asText()
            + "; re-encrypting older values in the background (aion encryption status)");
      }
      return ExitCode.OK;
    }
  }
}
