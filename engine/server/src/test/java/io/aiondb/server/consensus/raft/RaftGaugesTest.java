package io.aiondb.server.consensus.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.apache.ratis.proto.RaftProtos.LeaderInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class RaftGaugesTest {
  private static ServerRpcProto follower(String id, long lastRpcMillisAgo) {
    return ServerRpcProto.newBuilder().setId(RaftPeerProto.newBuilder().setId(ByteString.copyFromUtf8(id)))
        .setLastRpcElapsedTimeMs(lastRpcMillisAgo).build();
  }

  private static RoleInfoProto leader(ServerRpcProto... followers) {
    return RoleInfoProto.newBuilder().setLeaderInfo(LeaderInfoProto.newBuilder().addAllFollowerInfo(java.util.List.of(followers)))
        .build();
  }

  @Test
  void theLeaderCountsItselfAndTheVotersItHeardFromRecently() {
    Set<String> voters = Set.of("a", "b", "c");
    assertThat(RaftGauges.reachableVoters(leader(follower("b", 100), follower("c", 200)), voters, "a", 900)).isEqualTo(3);
    // c silent for longer than the window: one more loss and the group has no majority
    assertThat(RaftGauges.reachableVoters(leader(follower("b", 100), follower("c", 900)), voters, "a", 900)).isEqualTo(2);
    assertThat(RaftGauges.reachableVoters(leader(follower("b", 5_000), follower("c", 900)), voters, "a", 900)).isEqualTo(1);
  }

  @Test
  void learnersAndPeersOutsideTheConfigurationDoNotCount() {
    Set<String> voters = Set.of("a", "b", "c");
    RoleInfoProto role = leader(follower("b", 10), follower("c", 10), follower("learner", 10));
    assertThat(RaftGauges.reachableVoters(role, voters, "a", 900)).isEqualTo(3);
    // a leader that is not a voter itself (being removed) does not count itself
    assertThat(RaftGauges.reachableVoters(role, Set.of("b", "c"), "a", 900)).isEqualTo(2);
  }

  @Test
  void withoutLeaderInformationOnlyTheNodeItselfCounts() {
    assertThat(RaftGauges.reachableVoters(RoleInfoProto.getDefaultInstance(), Set.of("a", "b", "c"), "a", 900)).isEqualTo(1);
  }
}
