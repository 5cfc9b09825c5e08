package io.aiondb.operator.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The one thing the reconciler does next, as decided by {@link Roller#next(Snapshot)}. Every action is idempotent:
 * the operator may be killed after doing it and before recording it, and the next reconciliation decides again.
 */
public sealed interface Action {
  /** A message for the Progressing condition and the Event, naming the member. */
  String message();

  /** A short form for logs and tests: the action's name and its subject. */
  default String summary() {
    return getClass().getSimpleName();
  }

  /** Do nothing now; look again after {@code requeueAfter}. {@code reason} is a condition reason. */
  record Wait(String reason, String message, Duration requeueAfter) implements Action {
    public Wait {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(requeueAfter, "requeueAfter");
    }

    @Override
    public String summary() {
      return "Wait " + reason;
    }
  }

  /** Delete the member's pod so the StatefulSet recreates it from the update revision. */
  record RestartPod(String member, String fromRevision, String toRevision) implements Action {
    @Override
    public String message() {
      return "restarting " + member + " (revision " + fromRevision + " -> " + toRevision + ")";
    }

    @Override
    public String summary() {
      return "RestartPod " + member;
    }
  }

  /**
   * Move every leadership off the member ({@code POST /v1/cluster/nodes/{id}/drain-leadership}), preferably to
   * {@code to}: a caught-up voter that stays and needs no restart, so leadership moves once per rollout.
   */
  record DrainLeadership(String member, String to) implements Action {
    @Override
    public String message() {
      return "moving leadership off " + member + " to " + to + " before " + member + " is restarted or removed";
    }

    /**
     * What the event says once the engine answered: where leadership went ({@code leaders}, from the answer; the
     * engine takes {@code to} only while it is reachable and caught up), or null when the answer does not say.
     */
    public String done(List<String> leaders) {
      List<String> others = leaders.stream().filter(l -> !l.equals(member)).toList();
      if (others.isEmpty()) {
        return null;
      }
      String where = String.join(", ", others);
      return "moved leadership off " + member + " to " + where + " before " + member + " is restarted or removed"
          + (others.equals(List.of(to)) ? "" : " (" + to + " was asked for; the engine chose " + where
              + ": " + to + " was not reachable and caught up when it moved)");
    }

    @Override
    public String summary() {
      return "DrainLeadership " + member;
    }
  }

  /** Add the member as a non-voting learner ({@code POST /v1/cluster/nodes}). */
  record AddLearner(String member) implements Action {
    @Override
    public String message() {
      return "adding " + member + " as a learner";
    }

    @Override
    public String summary() {
      return "AddLearner " + member;
    }
  }

  /** Make a caught-up learner a voter ({@code POST /v1/cluster/nodes/{id}/promote}). */
  record Promote(String member) implements Action {
    @Override
    public String message() {
      return "promoting " + member + " to voter";
    }

    @Override
    public String summary() {
      return "Promote " + member;
    }
  }

  /** Remove the member from the group ({@code POST /v1/cluster/nodes/{id}/decommission}); its pod stays for now. */
  record Decommission(String member) implements Action {
    @Override
    public String message() {
      return "removing " + member + " from the group";
    }

    @Override
    public String summary() {
      return "Decommission " + member;
    }
  }

  /** Set the StatefulSet's replicas. */
  record ScaleStatefulSet(int replicas, int from) implements Action {
    @Override
    public String message() {
      return "scaling the StatefulSet from " + from + " to " + replicas + " pods";
    }

    @Override
    public String summary() {
      return "ScaleStatefulSet " + replicas;
    }
  }

  /**
   * The member's pod came back with an empty data directory while the group still counts it as a voter: remove it
   * from the group and add it again as a learner (it then catches up by snapshot and is promoted like a new member).
   */
  record ReplaceMember(String member) implements Action {
    @Override
    public String message() {
      // Not starting with the member: events and conditions capitalize the message ("Aion-1" is not a pod).
      return "replacing " + member + ", which lost its data: removing it from the group and adding it back as a"
          + " learner";
    }

    @Override
    public String summary() {
      return "ReplaceMember " + member;
    }
  }

  /** Stop touching the cluster until the spec changes. {@code reason} is the Degraded condition's reason. */
  record Halt(String reason, String member, String lastMessage) implements Action {
    public static final String ROLLOUT_STALLED = "RolloutStalled";

    @Override
    public String message() {
      return "rollout halted: " + member + " did not become Ready in time"
          + (lastMessage == null ? "" : "; it last said: " + lastMessage)
          + ". Fix the cause or set the spec back; nothing else is touched until the spec changes";
    }

    @Override
    public String summary() {
      return "Halt " + member;
    }
  }

  /** Nothing to do: every member runs the update revision, is a caught-up voter, and the replicas match. */
  record Done() implements Action {
    @Override
    public String message() {
      return "every member is up to date";
    }
  }
}
