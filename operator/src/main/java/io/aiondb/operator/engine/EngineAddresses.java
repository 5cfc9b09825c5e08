package io.aiondb.operator.engine;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.model.TlsBuilders;
import java.net.URI;

/**
 * Where the operator reaches a cluster's engine: its client Service ({@code clusterTemplate}) or one member's pod
 * ({@code memberTemplate}), from the operator's settings {@code aion.operator.engine-url-template} and
 * {@code engine-member-url-template} with {@code {name}}, {@code {namespace}} and {@code {pod}} filled in; https when
 * the cluster has TLS on. Pure: no I/O.
 */
public record EngineAddresses(String clusterTemplate, String memberTemplate) {

  /** The cluster's client Service (any member answers; writes are forwarded to the leader). */
  public URI cluster(AionCluster cluster) {
    return URI.create(scheme(cluster, fill(clusterTemplate, cluster)));
  }

  /** One member, by pod name. */
  public URI member(AionCluster cluster, String pod) {
    return URI.create(scheme(cluster, fill(memberTemplate, cluster).replace("{pod}", pod)));
  }

  private static String fill(String template, AionCluster cluster) {
    return template.replace("{name}", cluster.getMetadata().getName())
        .replace("{namespace}", cluster.getMetadata().getNamespace());
  }

  private static String scheme(AionCluster cluster, String url) {
    return TlsBuilders.enabled(cluster) && url.startsWith("http://") ? "https://" + url.substring("http://".length()) : url;
  }
}
