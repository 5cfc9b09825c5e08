package io.aiondb.operator.reconcile;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import org.jboss.logging.Logger;

/**
 * Records a core/v1 Event on one of the operator's resources (an AionCluster, an AionBackup) for every action the operator takes. Failures are logged, not thrown.
 *
 * <p>Repeats are aggregated as the core controllers do (client-go's event correlator): an Event's name is derived from
 * the object's uid, the type, the reason and the message, so the same event said again finds the Event already
 * there and increments its {@code count} and moves its {@code lastTimestamp} (a merge patch guarded by the
 * resourceVersion just read) instead of adding an Event. The name needs no memory in the operator, so a restarted or
 * new leader continues the count. Calls: get, create and patch of Events.
 */
public class EventRecorder {
  public static final String COMPONENT = "aion-operator";
  static final int MAX_MESSAGE = 1024;
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);

  private final KubernetesClient client;
  private final String instance;

  public EventRecorder(KubernetesClient client, String instance) {
    this.client = client;
    this.instance = instance;
  }

  public void normal(HasMetadata object, String reason, String message) {
    record(object, "Normal", reason, message);
  }

  public void warning(HasMetadata object, String reason, String message) {
    record(object, "Warning", reason, message);
  }

  /** The Event's name: the object's name and a hash of what makes two events the same one. */
  static String name(HasMetadata object, String type, String reason, String message) {
    String key = object.getMetadata().getUid() + "\n" + type + "\n" + reason + "\n" + message;
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return object.getMetadata().getName() + "." + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void record(HasMetadata object, String type, String reason, String message) {
    String ns = object.getMetadata().getNamespace();
    String objectName = object.getMetadata().getName();
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    String name = name(object, type, reason, text);
    String now = Instant.now().toString();
    LOG.infof("%s/%s: %s %s: %s", ns, objectName, type, reason, message);
    try {
      Event seen = client.v1().events().inNamespace(ns).withName(name).get();
      if (seen != null) {
        int count = seen.getCount() == null ? 1 : seen.getCount();
        String patch = "{\"metadata\":{\"resourceVersion\":\"" + seen.getMetadata().getResourceVersion() + "\"},"
            + "\"count\":" + (count + 1) + ",\"lastTimestamp\":\"" + now + "\"}";
        client.v1().events().inNamespace(ns).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        return;
      }
      Event event = new EventBuilder()
          .withNewMetadata()
          .withNamespace(ns)
          .withName(name)
          .endMetadata()
          .withNewInvolvedObject()
          .withApiVersion(object.getApiVersion())
          .withKind(object.getKind())
          .withNamespace(ns)
          .withName(objectName)
          .withUid(object.getMetadata().getUid())
          .withResourceVersion(object.getMetadata().getResourceVersion())
          .endInvolvedObject()
          .withType(type)
          .withReason(reason)
          .withMessage(text)
          .withFirstTimestamp(now)
          .withLastTimestamp(now)
          .withCount(1)
          .withNewSource().withComponent(COMPONENT).endSource()
          .withReportingComponent("aiondb.io/" + COMPONENT)
          .withReportingInstance(instance)
          .build();
      client.v1().events().inNamespace(ns).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warnf("%s/%s: could not record event %s: %s", ns, objectName, reason, e.getMessage());
    }
  }
}
