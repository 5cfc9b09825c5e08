package io.aiondb.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Leader election among operator replicas, on a coordination.k8s.io Lease in the operator's namespace. The
 * operator SDK activates it in the prod profile (quarkus.operator-sdk.activate-leader-election-for-profiles): only
 * the holder of the Lease starts its controllers; a replica that loses the Lease exits, so it can never reconcile
 * beside a new leader, and Kubernetes restarts it as a standby. Timings are the SDK's (lease 15 s, renew deadline
 * 10 s, retry 2 s): a new leader takes over within about 15 s of the old one stopping.
 */
public class LeaderElection {
  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection(OperatorConfig config) {
    LeaderElectionConfigurationBuilder b = LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(config.leaseName())
        .withIdentity(config.identity().filter(s -> !s.isBlank()).orElseGet(LeaderElection::defaultIdentity))
        .withExitOnStopLeading(true);
    config.leaseNamespace().filter(s -> !s.isBlank()).ifPresent(b::withLeaseNamespace);
    return b.build();
  }

  static String defaultIdentity() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        host = "aion-operator";
      }
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
