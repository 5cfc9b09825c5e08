/**
 * The Raft adapter (Apache Ratis): {@link io.aiondb.server.consensus.raft.RaftNode} is this node's member,
 * {@link io.aiondb.server.consensus.raft.AionStateMachine} applies committed entries.
 *
 * <p>Cluster administration has two faces. {@link io.aiondb.server.consensus.raft.ClusterAdmin} acts on the Raft
 * group (members, learners, leader). {@link io.aiondb.server.consensus.raft.NodeAdmin} is what the operator calls: it
 * names a node and acts on every group the node is a member of (one today), so its meaning survives several groups
 * per node; its rules (safety, transfer target, membership state) are the pure functions of
 * {@link io.aiondb.server.consensus.raft.Nodes}. Invariants: every change is idempotent and bounded by
 * {@code request.timeout}; nothing removes the last voter or a voter whose removal would leave too few caught-up
 * voters (unless forced through the group API); a node whose Raft storage is missing never votes as the member it was
 * ({@link io.aiondb.server.consensus.raft.DataGuard}).
 */
package io.aiondb.server.consensus.raft;
