package io.aiondb.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Condition list updates that keep lastTransitionTime when the status did not flip. */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";

  private Conditions() {}

  public static Condition find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  /** Returns a new list with {@code type} set; other conditions are kept. */
  public static List<Condition> set(List<Condition> previous, String type, boolean status, String reason,
      String message, Long generation, Instant now) {
    Condition old = find(previous, type);
    String value = status ? "True" : "False";
    String since = old != null && value.equals(old.getStatus()) && old.getLastTransitionTime() != null
        ? old.getLastTransitionTime()
        : now.toString();
    Condition updated = new ConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
    List<Condition> result = new ArrayList<>();
    boolean replaced = false;
    for (Condition c : previous == null ? List.<Condition>of() : previous) {
      if (type.equals(c.getType())) {
        result.add(updated);
        replaced = true;
      } else {
        result.add(c);
      }
    }
    if (!replaced) {
      result.add(updated);
    }
    return result;
  }
}
