package io.aiondb.server.consensus.raft;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import org.junit.jupiter.api.Test;

/** The node API's input checks (docs/cluster-api.md "Nodes": every input is checked, with a clear 400). */
class NodeAdminValidationTest {
  private static void badRequest(Runnable r, String message) {
    assertThatThrownBy(r::run).isInstanceOfSatisfying(AionException.class,
        e -> org.assertj.core.api.Assertions.assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST)).hasMessageContaining(message);
  }

  @Test
  void ids() {
    for (String ok : new String[] {"aion-0", "n4", "A.b_c-9", "x".repeat(63)}) {
      assertThatCode(() -> NodeAdmin.validateId(ok)).as(ok).doesNotThrowAnyException();
    }
    for (String bad : new String[] {null, "", "-x", ".x", "a/b", "a b", "x".repeat(64), "é"}) {
      badRequest(() -> NodeAdmin.validateId(bad), "a node id is 1-63 of");
    }
  }

  @Test
  void addresses() {
    for (String ok : new String[] {"aion-3.aion-peers.db.svc:7072", "127.0.0.1:1", "h:65535"}) {
      assertThatCode(() -> NodeAdmin.validateAddress("raftAddress", ok)).as(ok).doesNotThrowAnyException();
    }
    badRequest(() -> NodeAdmin.validateAddress("raftAddress", "h:0"), "raftAddress has port 0; a port is 1-65535");
    badRequest(() -> NodeAdmin.validateAddress("httpAddress", "h:65536"), "httpAddress has port 65536");
    for (String bad : new String[] {null, "", "h", ":7072", "h:", "h:x", "h:123456", "[::1]:7072", "h:70:72", "a b:1"}) {
      badRequest(() -> NodeAdmin.validateAddress("raftAddress", bad), "raftAddress must be host:port");
    }
  }
}
