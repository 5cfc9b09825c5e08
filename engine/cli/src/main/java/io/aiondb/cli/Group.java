package io.aiondb.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands (ns, index, cluster): alone, it prints its usage and fails as usage. */
abstract class Group implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return usage(spec);
  }

  static int usage(CommandSpec spec) {
    spec.commandLine().getErr().println("error: missing a subcommand of '" + spec.qualifiedName() + "'");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCode.USAGE;
  }
}
