package io.aiondb.operator.model;

import io.aiondb.operator.api.AionCluster;
import java.util.LinkedHashMap;
import java.util.Map;

/** The recommended labels (app.kubernetes.io/*) the operator puts on everything it creates. */
public final class Labels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String VERSION = "app.kubernetes.io/version";
  public static final String APP = "aion-db";
  public static final String OPERATOR = "aion-operator";
  /** Label selector of everything this operator manages (used by its informers). */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + OPERATOR;

  private Labels() {}

  /** The immutable selector of a cluster's pods: never add to it (StatefulSet selectors cannot change). */
  public static Map<String, String> selector(AionCluster cluster) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, APP);
    labels.put(INSTANCE, cluster.getMetadata().getName());
    return labels;
  }

  public static Map<String, String> of(AionCluster cluster) {
    Map<String, String> labels = selector(cluster);
    labels.put(COMPONENT, "database");
    labels.put(PART_OF, APP);
    labels.put(MANAGED_BY, OPERATOR);
    if (cluster.getSpec().getVersion() != null) {
      labels.put(VERSION, cluster.getSpec().getVersion());
    }
    return labels;
  }

  public static String selectorString(AionCluster cluster) {
    StringBuilder s = new StringBuilder();
    selector(cluster).forEach((k, v) -> s.append(s.isEmpty() ? "" : ",").append(k).append('=').append(v));
    return s.toString();
  }
}
