package io.aiondb.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The AionCluster a command acts on, as the Kubernetes API shows it: the resource, its member pods (label
 * {@code app.kubernetes.io/instance=<name>}, {@code app.kubernetes.io/name=aion-db}), its Secrets.
 */
final class Target {
  static final String API_VERSION = "aiondb.io/v1alpha1";
  static final String ENGINE_CONTAINER = "aion";
  static final int DEFAULT_HTTP_PORT = 7070;
  static final ObjectMapper JSON = new ObjectMapper();
  /** A Kubernetes object name (DNS-1123 subdomain), checked before it reaches a URL or a selector. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  final KubernetesClient k8s;
  final String namespace;
  final String name;
  private JsonNode cluster;

  private Target(KubernetesClient k8s, String namespace, String name, JsonNode cluster) {
    this.k8s = k8s;
    this.namespace = namespace;
    this.name = name;
    this.cluster = cluster;
  }

  /** Reads the AionCluster; a missing one is an error naming the namespace and what exists there. */
  static Target load(KubernetesClient k8s, String namespace, String name) {
    checkName(name, "cluster name");
    checkName(namespace, "namespace");
    GenericKubernetesResource r = clusters(k8s).inNamespace(namespace).withName(name).get();
    if (r == null) {
      List<String> there = clusters(k8s).inNamespace(namespace).list().getItems().stream()
          .map(c -> c.getMetadata().getName()).sorted().toList();
      throw new PluginException("no AionCluster " + name + " in namespace " + namespace
          + (there.isEmpty() ? " (it has none; -n names another namespace)" : " (it has: " + String.join(", ", there) + ")"));
    }
    return new Target(k8s, namespace, name, JSON.valueToTree(r));
  }

  static void checkName(String value, String what) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new PluginException("invalid " + what + " '" + value + "': lower-case letters, digits, '-' and '.'");
    }
  }

  static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
      clusters(KubernetesClient k8s) {
    return k8s.genericKubernetesResources(API_VERSION, "AionCluster");
  }

  static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
      backups(KubernetesClient k8s) {
    return k8s.genericKubernetesResources(API_VERSION, "AionBackup");
  }

  JsonNode cluster() {
    return cluster;
  }

  JsonNode refresh() {
    GenericKubernetesResource r = clusters(k8s).inNamespace(namespace).withName(name).get();
    if (r == null) throw new PluginException("AionCluster " + namespace + "/" + name + " was deleted");
    cluster = JSON.valueToTree(r);
    return cluster;
  }

  /** The member pods, by name (aion-0, aion-1, ...). */
  List<Pod> pods() {
    return k8s.pods().inNamespace(namespace)
        .withLabel("app.kubernetes.io/name", "aion-db").withLabel("app.kubernetes.io/instance", name)
        .list().getItems().stream()
        .sorted(Comparator.comparing((Pod p) -> ordinal(p.getMetadata().getName())).thenComparing(p -> p.getMetadata().getName()))
        .toList();
  }

  /** One member's pod; an error lists the members when there is no such pod. */
  Pod pod(String member) {
    checkName(member, "member name");
    List<Pod> pods = pods();
    return pods.stream().filter(p -> p.getMetadata().getName().equals(member)).findFirst()
        .orElseThrow(() -> new PluginException("no member " + member + " in AionCluster " + namespace + "/" + name
            + " (members: " + String.join(", ", pods.stream().map(p -> p.getMetadata().getName()).toList()) + ")"));
  }

  private static int ordinal(String pod) {
    int dash = pod.lastIndexOf('-');
    try {
      return dash < 0 ? Integer.MAX_VALUE : Integer.parseInt(pod.substring(dash + 1));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  static boolean ready(Pod p) {
    return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The engine container's port named http (7070 when the pod does not name one). */
  static int httpPort(Pod p) {
    return engineContainer(p).map(c -> c.getPorts() == null ? null : c.getPorts().stream()
        .filter(port -> "http".equals(port.getName())).findFirst().map(port -> port.getContainerPort()).orElse(null))
        .orElse(DEFAULT_HTTP_PORT);
  }

  /** True when the member serves HTTPS: its readiness probe says so (what it runs, not what the spec asks). */
  static boolean tls(Pod p) {
    return engineContainer(p).map(c -> c.getReadinessProbe() != null && c.getReadinessProbe().getHttpGet() != null
        && "HTTPS".equalsIgnoreCase(c.getReadinessProbe().getHttpGet().getScheme())).orElse(false);
  }

  private static java.util.Optional<io.fabric8.kubernetes.api.model.Container> engineContainer(Pod p) {
    return p.getSpec() == null ? java.util.Optional.empty() : p.getSpec().getContainers().stream()
        .filter(c -> ENGINE_CONTAINER.equals(c.getName())).findFirst();
  }

  /** The Secret the members' TLS certificate is in: spec.tls.secretName, else {@code <name>-tls} (Generated). */
  String tlsSecretName() {
    String own = cluster.path("spec").path("tls").path("secretName").asText("");
    return own.isEmpty() ? name + "-tls" : own;
  }

  /** One key of a Secret, decoded; null when the Secret or the key is missing. */
  String secretValue(String secret, String key) {
    Secret s = k8s.secrets().inNamespace(namespace).withName(secret).get();
    if (s == null) return null;
    if (s.getData() != null && s.getData().get(key) != null) {
      return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }
    return s.getStringData() == null ? null : s.getStringData().get(key);
  }
}
