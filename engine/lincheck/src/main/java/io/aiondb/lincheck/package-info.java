/**
 * A linearizability checker for key-value histories recorded by concurrent clients under faults.
 *
 * <p>Record with {@link io.aiondb.lincheck.History} (or build {@link io.aiondb.lincheck.Op}s directly), then
 * call {@link io.aiondb.lincheck.LinearizabilityChecker#check}. A failing history can be saved with
 * {@link io.aiondb.lincheck.History#save} and replayed with {@link io.aiondb.lincheck.History#load}.
 */
package io.aiondb.lincheck;
