package io.aiondb.ycsb;

import java.util.concurrent.atomic.AtomicInteger;
import site.ycsb.Status;

/**
 * Turns a binding's exception into {@link Status#ERROR} (YCSB's client thread would otherwise end the whole JVM) and
 * prints the first few, so a run with errors says why.
 */
final class Failures {
  private static final int PRINTED = 10;
  private static final AtomicInteger COUNT = new AtomicInteger();

  private Failures() {}

  static Status error(String binding, String op, String key, Throwable e) {
    int n = COUNT.incrementAndGet();
    if (n <= PRINTED) {
      System.err.println(binding + " " + op + " " + key + " failed: " + e);
      if (n == PRINTED) System.err.println("(further errors are counted, not printed)");
    }
    return Status.ERROR;
  }
}
