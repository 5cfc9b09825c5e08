package io.aiondb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.operator.Clusters;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.model.StatefulSetBuilders;
import io.aiondb.operator.reconcile.VolumeGrowth.Claim;
import io.aiondb.operator.reconcile.VolumeGrowth.Decision;
import io.aiondb.operator.reconcile.VolumeGrowth.Kind;
import io.aiondb.operator.reconcile.VolumeGrowth.Observed;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The volume growth decision, one observed situation per test. */
class VolumeGrowthTest {
  private static final Map<String, Boolean> CLASSES = Map.of("grow", true, "fixed", false);

  private static Quantity q(String s) {
    return new Quantity(s);
  }

  /** A bound claim of class "grow" requesting {@code requested} with {@code capacity}. */
  private static Claim claim(int ordinal, String requested, String capacity, String... conditions) {
    return new Claim("data-aion-" + ordinal, "grow", q(requested), capacity == null ? null : q(capacity), null,
        Set.of(conditions));
  }

  private static Decision decide(String desired, String template, boolean deleting, Claim... claims) {
    return VolumeGrowth.decide(new Observed(q(desired), q(template), deleting, List.of(claims), CLASSES));
  }

  @Test
  void sameSizeEverywhereIsNothingToDo() {
    Decision d = decide("1Gi", "1Gi", false, claim(0, "1Gi", "1Gi"), claim(1, "1Gi", "1Gi"), claim(2, "1024Mi", "1Gi"));
    assertThat(d).isEqualTo(Decision.NONE);
    assertThat(d.holdStatefulSet()).isFalse();
  }

  @Test
  void anIncreasePatchesEveryBoundClaimBelowTheSizeAndHoldsTheStatefulSet() {
    Decision d = decide("2Gi", "1Gi", false, claim(0, "2Gi", "1Gi"), claim(1, "1Gi", "1Gi"), claim(2, "1Gi", "1Gi"));
    assertThat(d.kind()).isEqualTo(Kind.PATCH_CLAIMS);
    assertThat(d.claimsToPatch()).containsExactly("data-aion-1", "data-aion-2");
    assertThat(d.holdStatefulSet()).isTrue();
    assertThat(d.reason()).isEqualTo(VolumeGrowth.EXPANDING);
    assertThat(d.progress()).startsWith("expanding volumes to 2Gi").contains("data-aion-1 1Gi of 2Gi", "0 of 3 done");
  }

  @Test
  void anUnboundClaimIsWaitedForNotPatched() {
    Decision d = decide("2Gi", "1Gi", false, claim(0, "1Gi", null));
    assertThat(d.kind()).isEqualTo(Kind.WAIT);
    assertThat(d.claimsToPatch()).isEmpty();
    assertThat(d.holdStatefulSet()).isTrue();
    assertThat(d.progress()).contains("data-aion-0 (not bound) of 2Gi");
  }

  @Test
  void aClassWithoutExpansionRefusesNamingTheClassAndChangesNothing() {
    Claim fixed = new Claim("data-aion-1", "fixed", q("1Gi"), q("1Gi"), null, Set.of());
    Decision d = decide("2Gi", "1Gi", false, claim(0, "1Gi", "1Gi"), fixed);
    assertThat(d.kind()).isEqualTo(Kind.REFUSE);
    assertThat(d.claimsToPatch()).as("not even the claim whose class allows it").isEmpty();
    assertThat(d.holdStatefulSet()).isTrue();
    assertThat(d.blocker().reason()).isEqualTo(VolumeGrowth.NOT_EXPANDABLE);
    assertThat(d.blocker().message()).contains("StorageClass fixed does not allow volume expansion",
        "allowVolumeExpansion", "Nothing was changed", "set spec.storage.size back");
  }

  @Test
  void aMissingClassOrNoClassRefuses() {
    Claim gone = new Claim("data-aion-0", "gone", q("1Gi"), q("1Gi"), null, Set.of());
    assertThat(decide("2Gi", "1Gi", false, gone).blocker().message()).contains("StorageClass gone does not exist");
    Claim none = new Claim("data-aion-0", null, q("1Gi"), q("1Gi"), null, Set.of());
    assertThat(decide("2Gi", "1Gi", false, none).blocker().message()).contains("claim data-aion-0 has no StorageClass");
  }

  @Test
  void whileTheControllerResizesTheStatefulSetWaits() {
    Decision d = decide("2Gi", "1Gi", false, claim(0, "2Gi", "2Gi"), claim(1, "2Gi", "1Gi", "Resizing"),
        claim(2, "2Gi", "1Gi"));
    assertThat(d.kind()).isEqualTo(Kind.WAIT);
    assertThat(d.holdStatefulSet()).isTrue();
    assertThat(d.progress()).contains("waiting for the resize controller", "data-aion-1 1Gi of 2Gi (Resizing)",
        "data-aion-2 1Gi of 2Gi", "1 of 3 done").doesNotContain("data-aion-0 ");
  }

  @Test
  void whenEveryClaimIsResizedOrOnlyItsFileSystemIsLeftTheStatefulSetIsRecreated() {
    Claim nodeLeft = new Claim("data-aion-2", "grow", q("2Gi"), q("1Gi"), "NodeResizePending", Set.of());
    Decision d = decide("2Gi", "1Gi", false, claim(0, "2Gi", "2Gi"), claim(1, "2Gi", "1Gi", "FileSystemResizePending"),
        nodeLeft);
    assertThat(d.kind()).isEqualTo(Kind.DELETE_STATEFULSET);
    assertThat(d.holdStatefulSet()).isTrue();
    assertThat(d.progress()).contains("recreating the StatefulSet", "data-aion-1 1Gi of 2Gi (FileSystemResizePending)");
  }

  @Test
  void aStatefulSetBeingDeletedIsWaitedFor() {
    Decision d = decide("2Gi", "1Gi", true, claim(0, "2Gi", "2Gi"));
    assertThat(d.kind()).isEqualTo(Kind.WAIT);
    assertThat(d.holdStatefulSet()).isTrue();
    assertThat(d.progress()).contains("waiting for the StatefulSet's deletion");
  }

  @Test
  void aRecreatedStatefulSetIsAppliedWhileTheLastFileSystemsGrow() {
    Decision d = decide("2Gi", "2Gi", false, claim(0, "2Gi", "2Gi"), claim(1, "2Gi", "1Gi", "FileSystemResizePending"));
    assertThat(d.kind()).isEqualTo(Kind.NONE);
    assertThat(d.holdStatefulSet()).isFalse();
    assertThat(d.reason()).isEqualTo(VolumeGrowth.EXPANDING);
    assertThat(d.progress()).contains("waiting for the file systems to grow", "data-aion-1 1Gi of 2Gi", "1 of 2 done");
    assertThat(decide("2Gi", "2Gi", false, claim(0, "2Gi", "2Gi"), claim(1, "2Gi", "2048Mi"))).isEqualTo(Decision.NONE);
  }

  @Test
  void anInfeasibleResizeIsReportedAsFailedAndHoldsTheStatefulSet() {
    Claim failed = new Claim("data-aion-0", "grow", q("2Gi"), q("1Gi"), "ControllerResizeInfeasible", Set.of());
    Decision d = decide("2Gi", "1Gi", false, failed);
    assertThat(d.kind()).isEqualTo(Kind.WAIT);
    assertThat(d.reason()).isEqualTo(VolumeGrowth.FAILED);
    assertThat(d.progress()).contains("ControllerResizeInfeasible", "kubectl describe pvc");
  }

  @Test
  void noClaimsYetMeansOnlyTheTemplateChanges() {
    Decision d = decide("2Gi", "1Gi", false);
    assertThat(d.kind()).isEqualTo(Kind.DELETE_STATEFULSET);
  }

  /** A decrease is ChangeGate's to refuse; the step never sees a claim "too large" as work. */
  @Test
  void aDecreaseIsRefusedByTheGateAndIsNoWorkForTheStep() {
    AionCluster running = Clusters.cluster("a", 3, "0.1.0");
    running.getSpec().getStorage().setSize("2Gi");
    AionCluster wanted = Clusters.cluster("a", 3, "0.1.0");
    wanted.getSpec().getStorage().setSize("1Gi");
    List<Blocker> blockers = ChangeGate.check(wanted, StatefulSetBuilders.statefulSet(running, "r"),
        StatefulSetBuilders.statefulSet(wanted, "r"));
    assertThat(blockers).singleElement().satisfies(b -> {
      assertThat(b.reason()).isEqualTo(ChangeGate.STORAGE_DECREASE_NOT_SUPPORTED);
      assertThat(b.message()).contains("from 2Gi to 1Gi", "cannot shrink", "back to 2Gi or more");
    });
    assertThat(decide("1Gi", "2Gi", false, claim(0, "2Gi", "2Gi"))).isEqualTo(Decision.NONE);
  }
}
