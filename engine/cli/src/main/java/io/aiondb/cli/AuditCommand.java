package io.aiondb.cli;

import io.aiondb.client.AuditChain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code aion audit verify FILE...}: checks a server's audit log files offline (docs/security.md "Audit log"). */
@Command(name = "audit", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
    description = "The server's audit log (docs/security.md).", subcommands = {AuditCommand.Verify.class})
final class AuditCommand extends Group {

  @Command(name = "verify", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Check the hash chain of audit log files, oldest first (audit.log.2 audit.log.1 audit.log): exit 0"
          + " when every record is as written and in order, 1 naming the first record that was altered, removed,"
          + " inserted or moved. Needs no server.")
  static final class Verify extends Base {
    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Audit files, oldest first.") List<Path> files;

    @Override
    public Integer call() {
      for (Path f : files) {
        if (!Files.isRegularFile(f)) throw CliException.usage("no such file: " + f);
      }
      AuditChain.Result r;
      try {
        r = AuditChain.verify(files);
      } catch (IOException e) {
        throw CliException.usage("cannot read the audit files: " + e.getMessage());
      }
      if (!r.intact()) {
        err().println("error: the audit chain is broken at " + r.error() + " (" + r.records()
            + " records before it verified)");
        return ExitCode.ERROR;
      }
      out().println(r.records() + " records, chain intact; last hash " + r.last());
      out().println(AuditChain.GENESIS.equals(r.anchor()) ? "starts at the first record of the log"
          : "starts after an older record (hash " + r.anchor() + ") not in these files");
      return ExitCode.OK;
    }
  }
}
