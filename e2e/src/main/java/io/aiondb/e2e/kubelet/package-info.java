/**
 * The process kubelet: a test harness that plays kubelet (and scheduler, volume provisioner and cluster DNS) for a
 * real API server, running each pod's container as a local process. See docs/dev-cluster.md.
 *
 * <p>Invariants: it signals only processes it started ({@link io.aiondb.e2e.kubelet.Launcher}); one loop thread owns
 * all pod state; a claim's directory is deleted only when the claim is gone from a synced informer; a pod keeps its
 * loopback address for its name.
 */
package io.aiondb.e2e.kubelet;
