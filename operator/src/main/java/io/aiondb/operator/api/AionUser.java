package io.aiondb.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A user or service account of an AionCluster with auth on, and what it may do: {@code kubectl get aionusers}. The
 * operator makes the engine's record match (docs/operator.md "Users"): its roles, an inline role from spec.rules,
 * and its credentials in a Secret named like the object (a generated password, the user's own password Secret, or
 * an API key). io.aiondb.operator.users.AionUserReconciler carries it out; like Strimzi's KafkaUser.
 */
@Group(AionCluster.GROUP)
@Version(AionCluster.VERSION)
@ShortNames("aionu")
@AdditionalPrinterColumn(name = "Cluster", jsonPath = ".spec.cluster", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.authentication.type", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Secret", jsonPath = ".status.secret", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = "has(self.spec)", message = "spec is required")
@ValidationRule(value = "self.metadata.name != 'root' && self.metadata.name != 'aion-operator'",
    message = "'root' and 'aion-operator' are the cluster's own accounts (spec.auth): choose another name")
@ValidationRule(value = "size(self.metadata.name) <= 200", message = "an AionUser's name has at most 200 characters")
public class AionUser extends CustomResource<AionUserSpec, AionUserStatus> implements Namespaced {
  public static final String KIND = "AionUser";

  @Override
  protected AionUserStatus initStatus() {
    return new AionUserStatus();
  }
}
