package io.aiondb.operator.model;

import io.aiondb.operator.api.AionCluster;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** Metadata shared by every object a cluster owns. */
final class Owners {
  private Owners() {}

  static OwnerReference ownerReference(AionCluster cluster) {
    return new OwnerReferenceBuilder()
        .withApiVersion(AionCluster.API_VERSION)
        .withKind(AionCluster.KIND)
        .withName(cluster.getMetadata().getName())
        .withUid(cluster.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static ObjectMeta metadata(AionCluster cluster, String name) {
    return metadata(cluster, name, new LinkedHashMap<>());
  }

  static ObjectMeta metadata(AionCluster cluster, String name, Map<String, String> annotations) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(cluster.getMetadata().getNamespace())
        .withLabels(Labels.of(cluster))
        .withAnnotations(annotations.isEmpty() ? null : annotations)
        .withOwnerReferences(ownerReference(cluster))
        .build();
  }
}
