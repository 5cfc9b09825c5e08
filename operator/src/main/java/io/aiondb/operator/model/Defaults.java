package io.aiondb.operator.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AuthSpec;
import io.aiondb.operator.api.TlsSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/**
 * The secure defaults that depend on whether a cluster already runs (docs/operator.md "Authentication", "TLS"):
 * {@code spec.auth.enabled} and {@code spec.tls.mode} left out mean on / Generated for a new cluster, and what the
 * running members have for a cluster whose StatefulSet exists ({@link AuthBuilders#resolve}, {@link TlsBuilders#resolve}),
 * so that upgrading the operator never switches a running cluster. Decided on every reconcile from the live
 * StatefulSet, on a copy: never written to the spec (a CRD default would be, and structural defaults also apply when
 * an existing object is read from etcd, which would switch old clusters at the operator upgrade). Also the phase of
 * encryption at rest the members are built for ({@link EncryptionBuilders#resolve}). Pure.
 */
public final class Defaults {
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private Defaults() {}

  /** {@code cluster} itself when nothing is left out, else a copy with both fields decided. */
  public static AionCluster resolve(AionCluster cluster, StatefulSet running) {
    var auth = cluster.getSpec().getAuth();
    var tls = cluster.getSpec().getTls();
    boolean authSet = auth != null && auth.getEnabled() != null;
    boolean tlsSet = tls != null && tls.getMode() != null && tls.getPeerIdentity() != null;
    EncryptionBuilders.Phase phase = EncryptionBuilders.resolve(cluster, running);
    if (authSet && tlsSet && phase == EncryptionBuilders.phase(cluster)) return cluster;
    AionCluster copy = JSON.convertValue(cluster, AionCluster.class);
    EncryptionBuilders.carry(copy, phase);
    if (!authSet) copy.getSpec().setAuth(new AuthSpec(AuthBuilders.resolve(cluster, running)));
    if (!tlsSet) {
      TlsSpec t = copy.getSpec().getTls() == null ? new TlsSpec() : copy.getSpec().getTls();
      t.setMode(TlsBuilders.resolve(cluster, running));
      copy.getSpec().setTls(t);
      t.setPeerIdentity(TlsBuilders.resolvePeerIdentity(copy, running)); // after the mode: the new-cluster default needs it
    }
    return copy;
  }
}
