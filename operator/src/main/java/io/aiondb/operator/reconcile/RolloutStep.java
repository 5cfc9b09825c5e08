package io.aiondb.operator.reconcile;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.RolloutState;
import io.aiondb.operator.engine.EngineClient;
import io.aiondb.operator.engine.EngineClient.MemberState;
import io.aiondb.operator.engine.EngineRefusedException;
import io.aiondb.operator.engine.EngineUnavailableException;
import io.aiondb.operator.engine.NodeView;
import io.aiondb.operator.model.ClusterNames;
import io.aiondb.operator.model.Labels;
import io.aiondb.operator.model.StatefulSetBuilders;
import io.aiondb.operator.model.Topology;
import io.aiondb.operator.rollout.Action;
import io.aiondb.operator.rollout.Roller;
import io.aiondb.operator.rollout.RolloutStatus;
import io.aiondb.operator.rollout.Snapshot;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Carries out the {@link Roller}'s decisions: every edit of an AionCluster that needs pods restarted, members added
 * or removed, or the StatefulSet resized, one member at a time (docs/design/006-roller.md, docs/operator.md). One
 * call, per reconciliation:
 * <ol>
 *   <li>observe: the cluster's pods, the engine's node list ({@code GET /v1/cluster/nodes}), and the own
 *       {@code /v1/status} of each member that is not Ready or not in the group (does it wait to be added?);</li>
 *   <li>build the {@link Snapshot} ({@link SnapshotBuilder}, pure) and decide: {@code a = Roller.next(s)};</li>
 *   <li>record {@code RolloutStatus.after(s, a)} in {@code status.rollout} <em>before</em> acting, so an operator
 *       killed in between repeats the action rather than losing the Ready timer: when the recorded status differs,
 *       this reconciliation only writes it (with the rest of the status) and looks again after a second; the next
 *       one, deciding the same action, finds it recorded and carries it out. No second writer of the status, so no
 *       conflict with the reconcile's own status update;</li>
 *   <li>act: delete the pod ({@code RestartPod}), call the engine ({@code DrainLeadership}, {@code AddLearner},
 *       {@code Promote}, {@code Decommission}, {@code ReplaceMember} = decommission, after which the member waits to be
 *       added again and the next decisions add and promote it), or resize the StatefulSet; one Event each.</li>
 * </ol>
 * Nothing is kept in memory: a new operator decides again from what the cluster shows. The StatefulSet's
 * {@code spec.replicas} is moved here only ({@link Topology}): the builder keeps the current value.
 */
final class RolloutStep {
  private static final Logger LOG = Logger.getLogger(RolloutStep.class);
  /**
   * How soon to look again after an action: the next step is decided from what the cluster shows then, so looking
   * early only costs a read (2 s, was 5 s: AionClusterReconcilerTest 182 -> 152 s on 2026-12-06).
   */
  static final Duration AFTER_ACTION = Duration.ofSeconds(2);
  /** How soon to carry out an action whose record was just written. */
  static final Duration AFTER_RECORD = Duration.ofSeconds(1);

  /**
   * What this reconciliation decided and did.
   *
   * @param snapshot what was observed, or null while the StatefulSet reports no update revision
   * @param action the decision
   * @param rollout the {@code status.rollout} to record (null: none)
   * @param failure why carrying the action out failed (an Event says it too), or null
   * @param deferred the action was only recorded, to be carried out by the next reconciliation
   */
  record Outcome(Snapshot snapshot, Action action, RolloutStatus rollout, String failure, boolean deferred) {
    Outcome(Snapshot snapshot, Action action, RolloutStatus rollout, String failure) {
      this(snapshot, action, rollout, failure, false);
    }

    /** When to look again. */
    Duration requeueAfter() {
      return deferred ? AFTER_RECORD : action instanceof Action.Wait w ? w.requeueAfter() : AFTER_ACTION;
    }

    boolean done() {
      return action instanceof Action.Done;
    }
  }

  private final KubernetesClient client;
  private final EngineClient engine;
  private final Applier applier;
  private final EventRecorder events;

  RolloutStep(KubernetesClient client, EngineClient engine, Applier applier, EventRecorder events) {
    this.client = client;
    this.engine = engine;
    this.applier = applier;
    this.events = events;
  }

  /**
   * @param base the engine's cluster API (the client Service)
   * @param memberUrl the base URL of one member's own API, by pod name
   */
  Outcome run(AionCluster cluster, StatefulSet running, Topology topology, String imageRepository, URI base,
      java.util.function.Function<String, URI> memberUrl, io.aiondb.operator.engine.EngineAccess access, Instant now) {
    ClusterNames names = ClusterNames.of(cluster);
    RolloutState recordedState = cluster.getStatus() == null ? null : cluster.getStatus().getRollout();
    boolean recordedHalted = recordedState != null && recordedState.getHaltedMember() != null;
    List<Pod> pods = client.pods().inNamespace(names.namespace()).withLabels(Labels.selector(cluster)).list()
        .getItems();
    NodeView.NodeList nodes = null;
    String engineError = null;
    try {
      nodes = engine.nodes(base, access);
    } catch (EngineUnavailableException | EngineRefusedException e) {
      engineError = e.getMessage();
    }
    Set<String> listed = nodes == null ? Set.of()
        : nodes.nodes().stream().map(NodeView::id).filter(Objects::nonNull).collect(Collectors.toSet());
    Map<String, MemberState> states = new HashMap<>();
    for (Pod p : pods) {
      String pod = p.getMetadata().getName();
      Snapshot.Pod seen = SnapshotBuilder.pod(p, now);
      if (seen.deleting() || (seen.ready() && listed.contains(pod))) continue;
      try {
        states.put(pod, engine.status(memberUrl.apply(pod), access));
      } catch (EngineUnavailableException | EngineRefusedException e) {
        LOG.debugf("%s/%s: %s did not say its state: %s", names.namespace(), names.statefulSet(), pod, e.getMessage());
      }
    }
    Snapshot s = SnapshotBuilder.build(cluster, running, pods, nodes, engineError, states, now);
    if (s == null) {
      return new Outcome(null, new Action.Wait("StatefulSetNotObserved",
          "waiting for the StatefulSet controller to report the StatefulSet's revisions", AFTER_ACTION),
          SnapshotBuilder.rollout(cluster.getStatus() == null ? null : cluster.getStatus().getRollout()), null);
    }
    if (recordedHalted && s.rollout() != null && !s.rollout().halted() && s.rollout().isFor(s)) {
      events.normal(cluster, "RolloutRetried", "The halt on " + recordedState.getHaltedMember() + " was lifted ("
          + SnapshotBuilder.RETRY_ANNOTATION + "): the rollout goes on, and " + recordedState.getHaltedMember()
          + " has podReadyTimeout again to become Ready.");
    }
    Action a = Roller.next(s);
    RolloutStatus rollout = RolloutStatus.after(s, a);
    if (rollout != null && s.rollout() == null && s.engineError() != null && !acts(a)) {
      rollout = null; // the engine did not answer: whether anything differs from the spec is not known yet
    }
    RolloutStatus recorded = s.rollout();
    if (acts(a)) {
      if (!sameExceptSince(recorded, rollout)) {
        return new Outcome(s, a, rollout, null, true);
      }
      rollout = recorded; // keeps when the action was first decided: the Ready timeout counts from there
    }
    String failure = null;
    try {
      String done = carryOut(cluster, names, topology, imageRepository, base, access, a);
      if (acts(a)) {
        events.normal(cluster, a.getClass().getSimpleName(), capitalize(done != null ? done : a.message()) + ".");
      }
    } catch (EngineRefusedException e) {
      if (a instanceof Action.Promote && "NOT_CAUGHT_UP".equals(e.code())) {
        LOG.debugf("%s/%s: %s is not caught up yet", names.namespace(), names.statefulSet(), ((Action.Promote) a).member());
      } else {
        failure = capitalize(a.message()) + " failed: " + e.getMessage();
      }
    } catch (EngineUnavailableException | RuntimeException e) {
      failure = capitalize(a.message()) + " failed: " + e.getMessage();
    }
    if (failure != null) {
      LOG.warnf("%s/%s: %s", names.namespace(), names.statefulSet(), failure);
      events.warning(cluster, "RolloutActionFailed", failure);
    } else if (acts(a)) {
      LOG.infof("%s/%s: %s", names.namespace(), names.statefulSet(), a.message());
    }
    return new Outcome(s, a, rollout, failure);
  }

  /** An action that changes the cluster (not a wait, a halt or nothing). */
  static boolean acts(Action a) {
    return !(a instanceof Action.Wait || a instanceof Action.Halt || a instanceof Action.Done);
  }

  /**
   * The Kubernetes or engine call for each action. Returns what was done when the answer tells more than the action
   * (where leadership went), else null.
   */
  private String carryOut(AionCluster cluster, ClusterNames names, Topology topology, String imageRepository, URI base,
      io.aiondb.operator.engine.EngineAccess access, Action action) throws EngineUnavailableException, EngineRefusedException {
    switch (action) {
      case Action.RestartPod a -> client.pods().inNamespace(names.namespace()).withName(a.member()).delete();
      case Action.DrainLeadership a -> {
        return a.done(engine.drainLeadership(base, a.member(), a.to(), access).leaders());
      }
      case Action.AddLearner a -> {
        int ordinal = SnapshotBuilder.ordinal(names.statefulSet(), a.member());
        String host = names.memberHost(ordinal);
        engine.addNode(base, a.member(), host + ":" + ClusterNames.RAFT_PORT, host + ":" + ClusterNames.HTTP_PORT,
            access);
      }
      case Action.Promote a -> engine.promote(base, a.member(), access);
      case Action.Decommission a -> engine.decommission(base, a.member(), access);
      case Action.ReplaceMember a -> engine.decommission(base, a.member(), access);
      case Action.ScaleStatefulSet a -> applier.apply(StatefulSetBuilders.statefulSet(cluster, imageRepository,
          new Topology(a.replicas(), Math.max(a.replicas(), topology.peerCount()), topology.initialMembers())));
      case Action.Wait a -> { }
      case Action.Halt a -> { }
      case Action.Done a -> { }
    }
    return null;
  }

  /** Equal but for {@code currentSince} (a repeated decision is timed anew; the first time counts). */
  static boolean sameExceptSince(RolloutStatus recorded, RolloutStatus wanted) {
    if (recorded == null || wanted == null) {
      return recorded == wanted;
    }
    return recorded.equals(new RolloutStatus(wanted.targetRevision(), wanted.targetReplicas(), wanted.targetVersion(),
        wanted.startedAt(), wanted.updatedMembers(), wanted.currentMember(),
        wanted.currentMember() == null ? null : recorded.currentSince() == null ? wanted.currentSince()
            : recorded.currentSince(), wanted.haltedMember(), wanted.haltMessage(), wanted.haltRetry()));
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
