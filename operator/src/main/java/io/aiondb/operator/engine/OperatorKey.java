package io.aiondb.operator.engine;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.model.AuthBuilders;
import io.aiondb.operator.model.ClusterNames;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The operator's API key for one cluster, from Secret {@code <name>-operator-key} (docs/operator.md "Authentication"). */
public final class OperatorKey {
  private OperatorKey() {}

  /**
   * The key, or null when the Secret or its key is missing (a cluster without auth). Read whenever it exists, also
   * with spec.auth.enabled false: while a change turns auth off, members not yet restarted still require it.
   */
  public static String read(KubernetesClient client, AionCluster cluster) {
    ClusterNames names = ClusterNames.of(cluster);
    Secret s = client.secrets().inNamespace(names.namespace()).withName(names.operatorKeySecret()).get();
    String v = s == null || s.getData() == null ? null : s.getData().get(AuthBuilders.API_KEY);
    if (v == null) return null;
    try {
      String key = new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8).strip();
      return key.isEmpty() ? null : key;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
