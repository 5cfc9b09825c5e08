package io.aiondb.operator.reconcile;

import io.aiondb.operator.model.StatefulSetBuilders;
import io.aiondb.operator.api.AionCluster;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decides whether the desired StatefulSet may replace the running one. Replicas, image/version, configuration,
 * resources and pod overrides pass: the {@link RolloutStep} carries them out one member at a time; a larger storage
 * size passes to {@link VolumeStep}. Changes no procedure exists for are blocked: the running cluster is left as it
 * is and the blocker's message says why — a TLS switch (plain and TLS members cannot talk to each other), a smaller
 * storage size (volumes only grow) and a storage class.
 */
public final class ChangeGate {
  public static final String TLS_CHANGE_NOT_SUPPORTED = "TLSChangeNotSupported";
  public static final String STORAGE_CHANGE_NOT_SUPPORTED = "StorageChangeNotSupported";
  public static final String STORAGE_DECREASE_NOT_SUPPORTED = "StorageDecreaseNotSupported";

  private ChangeGate() {}

  public static List<Blocker> check(AionCluster cluster, StatefulSet running, StatefulSet desired) {
    List<Blocker> blockers = new ArrayList<>();
    if (running == null || running.getSpec() == null) {
      return blockers;
    }
    String haveTls = tlsSecret(running);
    String wantTls = tlsSecret(desired);
    if (!Objects.equals(haveTls, wantTls)) {
      blockers.add(new Blocker(TLS_CHANGE_NOT_SUPPORTED, "spec.tls changed (" + describe(haveTls) + " -> "
          + describe(wantTls) + "), but members cannot switch in a rolling restart: plain and TLS members, or members "
          + "of two CAs, cannot talk to each other, so the cluster would lose quorum. Set spec.tls back; nothing was "
          + "changed. To rotate certificates, update the Secret's contents instead (members reload them)."));
    }
    Quantity haveSize = claimSize(running);
    Quantity wantSize = claimSize(desired);
    // Compared as amounts: the API server stores quantities canonically (1024Mi reads back as 1Gi). A larger size is
    // carried out by VolumeStep.
    if (haveSize != null && wantSize != null && wantSize.getNumericalAmount().compareTo(haveSize.getNumericalAmount()) < 0) {
      blockers.add(new Blocker(STORAGE_DECREASE_NOT_SUPPORTED, "spec.storage.size went down from " + haveSize + " to "
          + wantSize + ", but volumes cannot shrink (Kubernetes only expands them). Set spec.storage.size back to "
          + haveSize + " or more; nothing was changed."));
    }
    String haveClass = claim(running) == null ? null : claim(running).getSpec().getStorageClassName();
    String wantClass = claim(desired) == null ? null : claim(desired).getSpec().getStorageClassName();
    if (!Objects.equals(haveClass, wantClass)) {
      // A StatefulSet's volumeClaimTemplates cannot change: the API server would refuse the update.
      String message = haveClass == null
          ? "spec.storage.storageClassName was set to " + wantClass + ", but the volumes were created without one "
              + "(with the cluster's default StorageClass) and existing volumes are not migrated. Remove "
              + "spec.storage.storageClassName again; nothing was changed."
          : "spec.storage.storageClassName changed from " + haveClass + " to " + (wantClass == null ? "(none)" : wantClass)
              + "; existing volumes are not migrated. Set it back to " + haveClass + "; nothing was changed.";
      blockers.add(new Blocker(STORAGE_CHANGE_NOT_SUPPORTED, message));
    }
    return blockers;
  }

  /** The Secret mounted as the members' TLS volume, or null. */
  static String tlsSecret(StatefulSet sts) {
    var volumes = sts.getSpec().getTemplate().getSpec().getVolumes();
    if (volumes == null) return null;
    return volumes.stream().filter(v -> StatefulSetBuilders.TLS_VOLUME.equals(v.getName()) && v.getSecret() != null)
        .map(v -> v.getSecret().getSecretName()).findFirst().orElse(null);
  }

  private static String describe(String secret) {
    return secret == null ? "TLS off" : "TLS from Secret " + secret;
  }

  private static PersistentVolumeClaim claim(StatefulSet sts) {
    List<PersistentVolumeClaim> claims = sts.getSpec().getVolumeClaimTemplates();
    return claims == null || claims.isEmpty() ? null : claims.get(0);
  }

  static Quantity claimSize(StatefulSet sts) {
    PersistentVolumeClaim claim = claim(sts);
    if (claim == null || claim.getSpec().getResources() == null || claim.getSpec().getResources().getRequests() == null) {
      return null;
    }
    return claim.getSpec().getResources().getRequests().get("storage");
  }
}
