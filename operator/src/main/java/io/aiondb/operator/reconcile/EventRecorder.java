package io.aiondb.operator.reconcile;

import io.aiondb.operator.api.AionCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/** Records a core/v1 Event on an AionCluster for every action the operator takes. Failures are logged, not thrown. */
public class EventRecorder {
  public static final String COMPONENT = "aion-operator";
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);

  private final KubernetesClient client;
  private final String instance;

  public EventRecorder(KubernetesClient client, String instance) {
    this.client = client;
    this.instance = instance;
  }

  public void normal(AionCluster cluster, String reason, String message) {
    record(cluster, "Normal", reason, message);
  }

  public void warning(AionCluster cluster, String reason, String message) {
    record(cluster, "Warning", reason, message);
  }

  private void record(AionCluster cluster, String type, String reason, String message) {
    String ns = cluster.getMetadata().getNamespace();
    String name = cluster.getMetadata().getName();
    String now = Instant.now().toString();
    Event event = new EventBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()))
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion(AionCluster.API_VERSION)
        .withKind(AionCluster.KIND)
        .withNamespace(ns)
        .withName(name)
        .withUid(cluster.getMetadata().getUid())
        .withResourceVersion(cluster.getMetadata().getResourceVersion())
        .endInvolvedObject()
        .withType(type)
        .withReason(reason)
        .withMessage(message.length() > 1024 ? message.substring(0, 1024) : message)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent("aiondb.io/" + COMPONENT)
        .withReportingInstance(instance)
        .build();
    LOG.infof("%s/%s: %s %s: %s", ns, name, type, reason, message);
    try {
      client.v1().events().inNamespace(ns).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warnf("%s/%s: could not record event %s: %s", ns, name, reason, e.getMessage());
    }
  }
}
