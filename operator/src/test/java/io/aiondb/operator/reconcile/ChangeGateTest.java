package io.aiondb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.operator.Clusters;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.TlsSpec;
import io.aiondb.operator.model.StatefulSetBuilders;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeGateTest {
  private static final String REPO = "example.org/aion-server";

  private static List<Blocker> check(AionCluster running, AionCluster wanted) {
    StatefulSet have = running == null ? null : StatefulSetBuilders.statefulSet(running, REPO);
    return ChangeGate.check(wanted, have, StatefulSetBuilders.statefulSet(wanted, REPO));
  }

  @Test
  void newClusterAndUnchangedClusterPass() {
    AionCluster c = Clusters.cluster("a", 3, "0.1.0");
    assertThat(check(null, c)).isEmpty();
    assertThat(check(c, Clusters.cluster("a", 3, "0.1.0"))).isEmpty();
  }

  @Test
  void configAndPodChangesPass() {
    AionCluster wanted = Clusters.cluster("a", 3, "0.1.0");
    wanted.getSpec().setConfig(List.of(new io.aiondb.operator.api.ConfigEntry("cache.size", "1GiB")));
    assertThat(check(Clusters.cluster("a", 3, "0.1.0"), wanted)).isEmpty();
  }

  /** The roller carries these out one member at a time: nothing blocks them any more. */
  @Test
  void scalingAndVersionChangesPass() {
    assertThat(check(Clusters.cluster("a", 3, "0.1.0"), Clusters.cluster("a", 5, "0.1.0"))).isEmpty();
    assertThat(check(Clusters.cluster("a", 3, "0.1.0"), Clusters.cluster("a", 3, "0.2.0"))).isEmpty();
  }

  /** Growth is VolumeStep's work (not a blocker); shrinking is refused. */
  @Test
  void aLargerStoragePassesASmallerOneIsBlocked() {
    AionCluster wanted = Clusters.cluster("a", 3, "0.1.0");
    wanted.getSpec().getStorage().setSize("20Gi");
    assertThat(check(Clusters.cluster("a", 3, "0.1.0"), wanted)).isEmpty();
    assertThat(check(wanted, Clusters.cluster("a", 3, "0.1.0"))).extracting(Blocker::reason)
        .containsExactly(ChangeGate.STORAGE_DECREASE_NOT_SUPPORTED);
  }

  /** The API server stores quantities canonically: a StatefulSet made with 1024Mi reads back as 1Gi. */
  @Test
  void storageSizesAreComparedByAmountNotSpelling() {
    AionCluster wanted = Clusters.cluster("a", 3, "0.1.0");
    wanted.getSpec().getStorage().setSize("1024Mi");
    AionCluster running = Clusters.cluster("a", 3, "0.1.0");
    running.getSpec().getStorage().setSize("1Gi");
    assertThat(check(running, wanted)).isEmpty();
    running.getSpec().getStorage().setSize("1025Mi");
    assertThat(check(running, wanted)).singleElement().satisfies(b -> {
      assertThat(b.reason()).isEqualTo(ChangeGate.STORAGE_DECREASE_NOT_SUPPORTED);
      assertThat(b.message()).contains("from 1025Mi to 1024Mi");
    });
  }

  /** A StatefulSet's volumeClaimTemplates cannot change: the update would fail, so the gate refuses it with a reason. */
  @Test
  void addingOrRemovingTheStorageClassIsBlocked() {
    AionCluster withClass = Clusters.cluster("a", 3, "0.1.0");
    withClass.getSpec().getStorage().setStorageClassName("fast");
    assertThat(check(Clusters.cluster("a", 3, "0.1.0"), withClass)).singleElement().satisfies(b -> {
      assertThat(b.reason()).isEqualTo(ChangeGate.STORAGE_CHANGE_NOT_SUPPORTED);
      assertThat(b.message()).contains("set to fast", "created without one", "Remove spec.storage.storageClassName");
    });
    assertThat(check(withClass, Clusters.cluster("a", 3, "0.1.0"))).singleElement().satisfies(b -> {
      assertThat(b.reason()).isEqualTo(ChangeGate.STORAGE_CHANGE_NOT_SUPPORTED);
      assertThat(b.message()).contains("from fast to (none)", "Set it back to fast");
    });
    AionCluster other = Clusters.cluster("a", 3, "0.1.0");
    other.getSpec().getStorage().setStorageClassName("slow");
    assertThat(check(withClass, other)).extracting(Blocker::reason).containsExactly(ChangeGate.STORAGE_CHANGE_NOT_SUPPORTED);
    assertThat(check(withClass, withClass)).isEmpty();
  }

  @Test
  void tlsIsChosenAtCreationAndNotSwitchedOnARunningCluster() {
    AionCluster tls = Clusters.cluster("a", 3, "0.1.0");
    tls.getSpec().getTls().setMode(TlsSpec.Mode.Generated);
    assertThat(check(null, tls)).isEmpty();
    assertThat(check(tls, tls)).isEmpty();
    assertThat(check(Clusters.cluster("a", 3, "0.1.0"), tls)).extracting(Blocker::reason)
        .containsExactly("TLSChangeNotSupported");
    AionCluster own = Clusters.cluster("a", 3, "0.1.0");
    own.getSpec().getTls().setMode(TlsSpec.Mode.Secret);
    own.getSpec().getTls().setSecretName("mine");
    assertThat(check(tls, own)).singleElement().satisfies(b -> {
      assertThat(b.reason()).isEqualTo("TLSChangeNotSupported");
      assertThat(b.message()).contains("a-tls", "mine", "nothing was changed");
    });
    assertThat(check(tls, Clusters.cluster("a", 3, "0.1.0"))).extracting(Blocker::reason)
        .containsExactly("TLSChangeNotSupported");
  }
}
