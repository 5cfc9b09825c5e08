package io.aiondb.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OperationTest {
  @Test
  void wireNamesAreTheDesignsAndRoundTrip() {
    assertThat(Arrays.stream(Operation.values()).map(Operation::wire)).containsExactly("read", "write", "delete",
        "query", "watch", "txn", "index-admin", "namespace-admin", "user-admin", "cluster-read", "cluster-admin", "backup");
    for (Operation o : Operation.values()) assertThat(Operation.fromWire(o.wire())).isSameAs(o);
  }

  @Test
  void unknownNamesAreRefusedWithTheListOfValidOnes() {
    for (String bad : new String[] {"READ", "index_admin", "admin", "", " read"}) {
      assertThatThrownBy(() -> Operation.fromWire(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unknown operation").hasMessageContaining("namespace-admin, user-admin");
    }
    assertThatThrownBy(() -> Operation.fromWire(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void exactlyUserAdminClusterAndBackupOperationsAreClusterLevel() {
    assertThat(Arrays.stream(Operation.values()).filter(Operation::isClusterLevel))
        .containsExactly(Operation.USER_ADMIN, Operation.CLUSTER_READ, Operation.CLUSTER_ADMIN, Operation.BACKUP);
  }
}
