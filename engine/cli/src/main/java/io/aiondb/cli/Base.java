package io.aiondb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.client.Aion;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command has: the global settings and connections of {@link AionCli}, its output, input helpers. */
abstract class Base implements Callable<Integer> {
  @Spec CommandSpec spec;

  AionCli cli() {
    return (AionCli) spec.root().userObject();
  }

  Aion db() {
    return cli().db();
  }

  Http admin() {
    return cli().admin();
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  boolean json() {
    return cli().format() == Output.Format.json;
  }

  /** One JSON document on one line (-o json). */
  void printJson(JsonNode n) {
    out().println(Output.compact(n));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The bytes of {@code file}, or of stdin when it is "-"; a missing or unreadable file is a usage error. */
  byte[] readFile(String file) {
    try {
      if ("-".equals(file)) return cli().in.readAllBytes();
      return Files.readAllBytes(Path.of(file));
    } catch (NoSuchFileException e) {
      throw CliException.usage("no such file: " + file);
    } catch (IOException e) {
      throw CliException.usage("cannot read " + ("-".equals(file) ? "stdin" : file) + ": " + e.getMessage());
    }
  }

  /** {@code text} parsed as JSON; not JSON is a usage error naming {@code what}. */
  static JsonNode parseJson(byte[] text, String what) {
    return parseJson(Output.JSON, text, what);
  }

  /** As {@link #parseJson(byte[], String)}, with {@code mapper}'s settings. */
  static JsonNode parseJson(com.fasterxml.jackson.databind.ObjectMapper mapper, byte[] text, String what) {
    try {
      var parser = mapper.createParser(text);
      JsonNode n = mapper.readTree(parser);
      if (n == null || n.isMissingNode()) throw CliException.usage(what + " is empty");
      if (parser.nextToken() != null) throw CliException.usage(what + " is not valid JSON: more after the first value");
      return n;
    } catch (IOException e) {
      String m = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw CliException.usage(what + " is not valid JSON: " + m);
    }
  }

  /**
   * Runs a blocking client call (connecting first if needed) and waits at most {@code --timeout} plus a second for
   * it. The client bounds its retries by that timeout but not an attempt the server never answers; this does.
   */
  <T> T call(Supplier<T> call, boolean write) {
    Duration limit = callLimit();
    CompletableFuture<T> f = CompletableFuture.supplyAsync(call, r -> Thread.ofVirtual().name("aion-cli-call").start(r));
    try {
      return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw noAnswer(write);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.UNAVAILABLE, "interrupted (INTERRUPTED)");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      while (c instanceof CompletionException && c.getCause() != null) c = c.getCause();
      if (c instanceof RuntimeException r) throw r;
      throw new IllegalStateException(c);
    }
  }

  /** The longest wait for one call: {@code --timeout} (which bounds the client's retries) plus a second. */
  Duration callLimit() {
    return cli().timeout().plusSeconds(1);
  }

  /** A call that got no answer within {@link #callLimit()}; a write's outcome is then unknown. */
  CliException noAnswer(boolean write) {
    return new CliException(ExitCode.UNAVAILABLE, "no answer within " + callLimit().toMillis() + " ms (TIMEOUT)"
        + (write ? "; the write may or may not have been applied: read the key before retrying" : ""));
  }

  /** A read: {@link #call(Supplier, boolean)} with nothing written. */
  <T> T read(Supplier<T> call) {
    return call(call, false);
  }

  /** A write: {@link #call(Supplier, boolean)}; a timeout leaves its outcome unknown. */
  <T> T write(Supplier<T> call) {
    return call(call, true);
  }

  static void nonNegative(Long v, String option) {
    if (v != null && v < 0) throw CliException.usage(option + " must be >= 0, not " + v);
  }
}
