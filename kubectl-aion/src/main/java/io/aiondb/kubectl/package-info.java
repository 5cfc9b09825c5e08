/**
 * {@code kubectl aion}: a kubectl plugin for AionClusters (docs/kubectl-plugin.md). {@link io.aiondb.kubectl.KubectlAion}
 * is the command line; {@link io.aiondb.kubectl.Target} the cluster a command acts on (its resource, pods and
 * Secrets through the Kubernetes API); {@link io.aiondb.kubectl.Engine} calls the members' HTTP API, through the API
 * server's {@code pods/proxy} (the default) or straight to the pod IPs; {@link io.aiondb.kubectl.StatusReport} renders
 * {@code status} from what those two read, without I/O.
 */
package io.aiondb.kubectl;
