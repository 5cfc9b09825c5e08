package io.aiondb.operator.reconcile;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The next step of growing the members' volumes to {@code spec.storage.size}: a pure function of what was observed
 * (the StatefulSet's claim template, the members' PersistentVolumeClaims, their StorageClasses), so an operator that
 * stopped at any point decides the same next step when it starts again. The procedure, as CloudNativePG, Strimzi and
 * ECK do it:
 * <ol>
 *   <li>Every member's claim whose request is below the new size is checked: its StorageClass must exist and allow
 *       expansion ({@code allowVolumeExpansion: true}); if one does not, the growth is refused
 *       ({@link #NOT_EXPANDABLE}) and nothing is changed. Otherwise the requests of the bound claims are raised
 *       ({@link Kind#PATCH_CLAIMS}); an unbound claim is waited for (its request cannot change).</li>
 *   <li>Once every request is raised and the resize controller is done with every claim (capacity reached, or only
 *       the node's file system expansion left: {@code FileSystemResizePending}), the StatefulSet is deleted with
 *       propagation Orphan ({@link Kind#DELETE_STATEFULSET}): its volumeClaimTemplates are immutable, the pods keep
 *       running. The reconciler's next apply creates it again with the new template and it adopts the pods.</li>
 *   <li>Until every claim's capacity reached the new size, the Progressing condition says which ones wait and for
 *       what ({@link #EXPANDING}, or {@link #FAILED} when the driver reported the resize infeasible).</li>
 * </ol>
 * A smaller size is refused earlier, by {@link ChangeGate}.
 */
public final class VolumeGrowth {
  /** Progressing reason while claims are expanded or the StatefulSet is recreated. */
  public static final String EXPANDING = "ExpandingVolumes";
  /** Progressing reason when the storage driver reported a resize it cannot do. */
  public static final String FAILED = "VolumeExpansionFailed";
  /** Refusal reason: a claim's StorageClass is missing or does not allow expansion. */
  public static final String NOT_EXPANDABLE = "VolumeExpansionNotSupported";

  private VolumeGrowth() {}

  /**
   * One member's PersistentVolumeClaim. {@code capacity} is null while the claim is not bound. {@code resizeStatus}
   * is {@code status.allocatedResourceStatuses.storage} (e.g. ControllerResizeInProgress, NodeResizePending,
   * ControllerResizeInfeasible) or null; {@code conditions} are the types of its status conditions (Resizing,
   * FileSystemResizePending, ...).
   */
  public record Claim(String name, String storageClass, Quantity requested, Quantity capacity, String resizeStatus,
      Set<String> conditions) {
    public Claim {
      conditions = Set.copyOf(conditions);
    }

    boolean bound() {
      return capacity != null;
    }

    /** The resize controller's part is done: only the node's (file system) part, if any, is left. */
    boolean controllerDone(Quantity size) {
      return bound() && (atLeast(capacity, size) || conditions.contains("FileSystemResizePending")
          || "NodeResizePending".equals(resizeStatus) || "NodeResizeInProgress".equals(resizeStatus));
    }

    boolean failed() {
      return resizeStatus != null && resizeStatus.endsWith("Infeasible");
    }
  }

  /**
   * What one reconcile saw. {@code template} is the running StatefulSet's claim size; {@code expandable} maps each
   * StorageClass that exists to its allowVolumeExpansion (a class absent from the map does not exist).
   */
  public record Observed(Quantity desired, Quantity template, boolean statefulSetDeleting, List<Claim> claims,
      Map<String, Boolean> expandable) {
    public Observed {
      claims = List.copyOf(claims);
      expandable = Map.copyOf(expandable);
    }
  }

  public enum Kind {
    /** Nothing to do for the volumes (the message may still report claims whose file system grows). */
    NONE,
    /** Refused: {@link Decision#blocker()} says why; nothing is changed. */
    REFUSE,
    /** Raise the requests of {@link Decision#claimsToPatch()} to the desired size. */
    PATCH_CLAIMS,
    /** Delete the StatefulSet with propagation Orphan; it is created again with the new claim template. */
    DELETE_STATEFULSET,
    /** Wait: the resize controller, an unbound claim, or the StatefulSet's deletion. */
    WAIT
  }

  /**
   * The decision. {@code holdStatefulSet}: the StatefulSet must not be applied (its template cannot change in place,
   * or it is being deleted). {@code reason}/{@code progress}: the Progressing condition while volumes are in flight,
   * or null when there is nothing to report.
   */
  public record Decision(Kind kind, List<String> claimsToPatch, Blocker blocker, boolean holdStatefulSet, String reason,
      String progress) {
    static final Decision NONE = new Decision(Kind.NONE, List.of(), null, false, null, null);
  }

  public static Decision decide(Observed o) {
    Quantity size = o.desired();
    if (size == null) return Decision.NONE;
    boolean templateSmall = o.template() != null && !atLeast(o.template(), size);
    List<Claim> small = o.claims().stream().filter(c -> c.requested() == null || !atLeast(c.requested(), size)).toList();
    if (!small.isEmpty()) {
      Blocker refused = refusal(small, o.expandable(), size);
      if (refused != null) return new Decision(Kind.REFUSE, List.of(), refused, true, null, null);
      List<String> patch = small.stream().filter(Claim::bound).map(Claim::name).toList();
      Kind kind = patch.isEmpty() ? Kind.WAIT : Kind.PATCH_CLAIMS;
      return new Decision(kind, patch, null, true, EXPANDING, progress(o, "raising the claims' requests"));
    }
    if (templateSmall) {
      if (o.statefulSetDeleting()) {
        return new Decision(Kind.WAIT, List.of(), null, true, EXPANDING, progress(o,
            "waiting for the StatefulSet's deletion (pods orphaned, they keep running) to create it with " + size
                + " volume claims"));
      }
      if (o.claims().stream().anyMatch(Claim::failed)) {
        return new Decision(Kind.WAIT, List.of(), null, true, FAILED, progress(o, "the storage driver cannot resize"));
      }
      if (o.claims().stream().allMatch(c -> c.controllerDone(size))) {
        return new Decision(Kind.DELETE_STATEFULSET, List.of(), null, true, EXPANDING, progress(o,
            "recreating the StatefulSet with " + size + " volume claims (pods orphaned, they keep running)"));
      }
      return new Decision(Kind.WAIT, List.of(), null, true, EXPANDING, progress(o, "waiting for the resize controller"));
    }
    if (o.claims().stream().anyMatch(c -> !c.bound() || !atLeast(c.capacity(), size))) {
      boolean failed = o.claims().stream().anyMatch(Claim::failed);
      return new Decision(Kind.NONE, List.of(), null, false, failed ? FAILED : EXPANDING,
          progress(o, failed ? "the storage driver cannot resize" : "waiting for the file systems to grow"));
    }
    return Decision.NONE;
  }

  /** Why the claims cannot grow, naming the StorageClass, or null when every class allows expansion. */
  private static Blocker refusal(List<Claim> small, Map<String, Boolean> expandable, Quantity size) {
    Set<String> noClass = new LinkedHashSet<>();
    Set<String> missing = new LinkedHashSet<>();
    Set<String> fixed = new LinkedHashSet<>();
    for (Claim c : small) {
      String cls = c.storageClass();
      if (cls == null || cls.isEmpty()) noClass.add(c.name());
      else if (!expandable.containsKey(cls)) missing.add(cls);
      else if (!Boolean.TRUE.equals(expandable.get(cls))) fixed.add(cls);
    }
    String back = " Nothing was changed; set spec.storage.size back to the volumes' size to clear this.";
    String want = "spec.storage.size asks for " + size + " volumes, but ";
    if (!fixed.isEmpty()) {
      return new Blocker(NOT_EXPANDABLE, want + "StorageClass " + String.join(", ", fixed)
          + " does not allow volume expansion (allowVolumeExpansion is not true). An administrator can set "
          + "allowVolumeExpansion: true on the class if its storage driver supports expansion." + back);
    }
    if (!missing.isEmpty()) {
      return new Blocker(NOT_EXPANDABLE, want + "the volumes' StorageClass " + String.join(", ", missing)
          + " does not exist, so whether it allows expansion is unknown." + back);
    }
    if (!noClass.isEmpty()) {
      return new Blocker(NOT_EXPANDABLE, want + "claim " + String.join(", ", noClass)
          + " has no StorageClass, and only claims of a class with allowVolumeExpansion: true can grow." + back);
    }
    return null;
  }

  /** E.g. "expanding volumes to 10Gi (waiting for ...): data-aion-1 5Gi of 10Gi (Resizing); 2 of 3 done." */
  private static String progress(Observed o, String what) {
    Quantity size = o.desired();
    List<String> pending = new ArrayList<>();
    int done = 0;
    for (Claim c : o.claims()) {
      if (c.bound() && atLeast(c.capacity(), size)) {
        done++;
        continue;
      }
      StringBuilder s = new StringBuilder(c.name()).append(' ')
          .append(c.bound() ? c.capacity().toString() : "(not bound)").append(" of ").append(size);
      List<String> states = new ArrayList<>(c.conditions().stream().sorted().toList());
      if (c.resizeStatus() != null && !c.resizeStatus().isEmpty()) states.add(c.resizeStatus());
      if (!states.isEmpty()) s.append(" (").append(String.join(", ", states)).append(')');
      pending.add(s.toString());
    }
    String list = pending.isEmpty() ? "" : ": " + String.join(", ", pending);
    String msg = "expanding volumes to " + size + " (" + what + ")" + list + "; " + done + " of " + o.claims().size()
        + " done.";
    if (o.claims().stream().anyMatch(Claim::failed)) {
      msg += " See `kubectl describe pvc` for the driver's error; docs/operator.md (Volume growth) says how to recover.";
    }
    return msg;
  }

  static boolean atLeast(Quantity a, Quantity b) {
    BigDecimal x = a.getNumericalAmount();
    return x.compareTo(b.getNumericalAmount()) >= 0;
  }
}
