package io.aiondb.operator.reconcile;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AionClusterStatus;
import io.aiondb.operator.model.ClusterNames;
import io.aiondb.operator.model.StatefulSetBuilders;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Volume growth, the reconcile step: observes the members' PersistentVolumeClaims and their StorageClasses, asks
 * {@link VolumeGrowth} for the next step and carries it out (raise claim requests, or delete the StatefulSet with
 * propagation Orphan so that the next apply creates it with the new claim template). It keeps nothing between
 * reconciles: an operator stopped at any point resumes from what the claims and the StatefulSet say.
 *
 * <p>Calls: list PersistentVolumeClaims (by the cluster's labels), get StorageClasses (cluster-scoped), patch
 * PersistentVolumeClaims, delete the StatefulSet.
 */
public class VolumeStep {
  private static final Logger LOG = Logger.getLogger(VolumeStep.class);

  /** The step's effect on the rest of the reconcile. */
  public record Outcome(List<Blocker> blockers, boolean holdStatefulSet, String reason, String progress) {
    static final Outcome NONE = new Outcome(List.of(), false, null, null);

    /** Volumes are in flight: the cluster should be looked at again soon. */
    public boolean inProgress() {
      return progress != null;
    }

    /** Progressing says where the growth stands (the rest of the status is the usual one). */
    public AionClusterStatus report(AionCluster cluster, AionClusterStatus status, Instant now) {
      if (progress != null && status.getPhase() != AionClusterStatus.Phase.Paused) {
        status.setConditions(Conditions.set(status.getConditions(), Conditions.PROGRESSING, true, reason, progress,
            cluster.getMetadata().getGeneration(), now));
      }
      return status;
    }
  }

  private final KubernetesClient client;
  private final EventRecorder events;

  public VolumeStep(KubernetesClient client, EventRecorder events) {
    this.client = client;
    this.events = events;
  }

  public Outcome run(AionCluster cluster, StatefulSet running, StatefulSet desired) {
    if (running == null || running.getSpec() == null) return Outcome.NONE;
    ClusterNames names = ClusterNames.of(cluster);
    Quantity want = ChangeGate.claimSize(desired);
    Quantity have = ChangeGate.claimSize(running);
    List<VolumeGrowth.Claim> claims = claims(names, running);
    Map<String, Boolean> expandable = new HashMap<>();
    for (String cls : claims.stream().map(VolumeGrowth.Claim::storageClass).filter(c -> c != null && !c.isEmpty())
        .collect(Collectors.toSet())) {
      StorageClass sc = want != null && claims.stream().anyMatch(c -> cls.equals(c.storageClass())
          && (c.requested() == null || !VolumeGrowth.atLeast(c.requested(), want)))
          ? client.storage().v1().storageClasses().withName(cls).get() : null;
      if (sc != null) expandable.put(cls, Boolean.TRUE.equals(sc.getAllowVolumeExpansion()));
    }
    boolean deleting = running.getMetadata().getDeletionTimestamp() != null;
    VolumeGrowth.Decision d = VolumeGrowth.decide(new VolumeGrowth.Observed(want, have, deleting, claims, expandable));
    String ns = names.namespace();
    switch (d.kind()) {
      case REFUSE -> {
        return new Outcome(List.of(d.blocker()), true, null, null);
      }
      case PATCH_CLAIMS -> {
        for (String claim : d.claimsToPatch()) {
          client.persistentVolumeClaims().inNamespace(ns).withName(claim).patch(PatchContext.of(PatchType.JSON_MERGE),
              "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"" + want + "\"}}}}");
          LOG.infof("%s/%s: raised the request of PersistentVolumeClaim %s to %s", ns, cluster.getMetadata().getName(),
              claim, want);
          events.normal(cluster, "ExpandingVolume", "Raised the storage request of PersistentVolumeClaim " + claim
              + " to " + want + ".");
        }
      }
      case DELETE_STATEFULSET -> {
        client.apps().statefulSets().inNamespace(ns).withName(names.statefulSet())
            .withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
        LOG.infof("%s/%s: deleted StatefulSet %s (orphaning its pods) to create it with %s volume claims", ns,
            cluster.getMetadata().getName(), names.statefulSet(), want);
        events.normal(cluster, "RecreatingStatefulSet", "Deleted StatefulSet " + names.statefulSet()
            + " with propagationPolicy Orphan (its pods keep running) to create it again with " + want
            + " volume claims: a StatefulSet's volumeClaimTemplates cannot change.");
      }
      default -> { }
    }
    return new Outcome(List.of(), d.holdStatefulSet(), d.reason(), d.progress());
  }

  /** The claims of the StatefulSet's members (data-&lt;sts&gt;-&lt;ordinal&gt;, ordinal below its replicas). */
  private List<VolumeGrowth.Claim> claims(ClusterNames names, StatefulSet running) {
    int replicas = running.getSpec().getReplicas() == null ? 0 : running.getSpec().getReplicas();
    Pattern member = Pattern.compile(Pattern.quote(StatefulSetBuilders.DATA_VOLUME + "-" + names.statefulSet() + "-")
        + "(\\d+)");
    List<VolumeGrowth.Claim> claims = new ArrayList<>();
    for (PersistentVolumeClaim pvc : client.persistentVolumeClaims().inNamespace(names.namespace())
        .withLabels(running.getSpec().getSelector().getMatchLabels()).list().getItems()) {
      Matcher m = member.matcher(pvc.getMetadata().getName());
      if (!m.matches() || Integer.parseInt(m.group(1)) >= replicas) continue;
      claims.add(claim(pvc));
    }
    claims.sort(java.util.Comparator.comparing(VolumeGrowth.Claim::name));
    return claims;
  }

  static VolumeGrowth.Claim claim(PersistentVolumeClaim pvc) {
    var spec = pvc.getSpec();
    Quantity requested = spec.getResources() == null || spec.getResources().getRequests() == null ? null
        : spec.getResources().getRequests().get("storage");
    var status = pvc.getStatus();
    boolean bound = status != null && "Bound".equals(status.getPhase());
    Quantity capacity = bound && status.getCapacity() != null ? status.getCapacity().get("storage") : null;
    String resizeStatus = status == null || status.getAllocatedResourceStatuses() == null ? null
        : status.getAllocatedResourceStatuses().get("storage");
    Set<String> conditions = status == null || status.getConditions() == null ? Set.of()
        : status.getConditions().stream().filter(c -> "True".equals(c.getStatus()))
            .map(PersistentVolumeClaimCondition::getType).collect(Collectors.toSet());
    return new VolumeGrowth.Claim(pvc.getMetadata().getName(), spec.getStorageClassName(), requested,
        bound && capacity == null ? new Quantity("0") : capacity, resizeStatus, conditions);
  }
}
