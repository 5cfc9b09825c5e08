package io.aiondb.cli;

/** {@code aion}: see docs/cli.md. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(AionCli.run(args, System.in, System.out, System.err, System.getenv()));
  }
}
