package io.aiondb.operator.reconcile;

import java.time.Duration;

/**
 * Retry delay while the engine cannot be reached, computed from how long it has been failing (the Degraded
 * condition's lastTransitionTime), so it needs no memory and survives operator restarts: retrying after
 * {@code initial + failingFor} doubles the delay each time (2 s, 4 s, 8 s, ...) until {@code max}.
 */
public record Backoff(Duration initial, Duration max) {
  public Duration next(Duration failingFor) {
    Duration elapsed = failingFor == null || failingFor.isNegative() ? Duration.ZERO : failingFor;
    Duration delay = initial.plus(elapsed);
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
