package io.aiondb.e2e.scenarios;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A Kubernetes cluster with the Aion operator installed from its Helm chart, as the e2e scenarios see it. One
 * implementation per kind of cluster: the local control plane with the process kubelet ({@link LocalClusterFixture},
 * runs everywhere) and k3s in Docker ({@link K3sClusterFixture}).
 */
public interface ClusterFixture extends AutoCloseable {
  /** A cluster-admin client (the tests' own; the operator has its own, less privileged, credentials). */
  KubernetesClient client();

  /** An admin kubeconfig, for kubectl. */
  Path kubeconfig();

  /** The base URL of a pod's engine HTTP API (port 7070), as reachable from the test JVM. */
  URI engine(Pod pod);

  /**
   * Options for every {@code kubectl aion} command (docs/kubectl-plugin.md): none where the API server can proxy to
   * the pods (the default, pods/proxy).
   */
  default java.util.List<String> kubectlAionOptions() {
    return java.util.List.of();
  }

  /** Everything the pod's container wrote so far. */
  String podLog(Pod pod);

  /** Everything the operator logged so far. */
  String operatorLog();

  /** The user name the operator authenticates as (e.g. system:serviceaccount:aion-system:aion-operator). */
  String operatorUser();

  /** Where a claim's data lives on this machine, if the fixture can tell. */
  Optional<Path> volumeDirectory(PersistentVolumeClaim claim);

  @Override
  void close() throws java.io.IOException;
}
