package io.aiondb.operator.packaging;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The Helm chart rendered by the Helm library embedded in helm-java (no helm binary needed). */
public final class Chart {
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  /** Helm renders for 1.20 by default, below the chart's kubeVersion. */
  public static final String KUBE_VERSION = "1.32.0";

  private Chart() {}

  public static List<HasMetadata> render(Map<String, Object> values) {
    TemplateCommand template = new Helm(Repo.chart()).template().withName("aion-operator").withNamespace("aion-system")
        .withKubeVersion(KUBE_VERSION);
    values.forEach(template::set);
    return parse(template.call());
  }

  public static List<HasMetadata> parse(String manifests) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : manifests.split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
        objects.add(YAML.unmarshal(new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8))));
      }
    }
    return objects;
  }

  public static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** The operator's permissions when it watches all namespaces (the chart's default). */
  public static Set<Rule> clusterRules() {
    return Rule.expand(ofKind(render(Map.of()), ClusterRole.class).get(0).getRules());
  }

  /** The rules of the first Role that grants access to clusters (not the leader-election Role). */
  public static Set<Rule> roleRules(List<HasMetadata> objects) {
    return Rule.expand(ofKind(objects, Role.class).stream().filter(r -> !isLeaderElection(r)).findFirst().orElseThrow()
        .getRules());
  }

  /** The leader-election Role's rules (a Lease in the release namespace). */
  public static Set<Rule> leaderElectionRules() {
    return Rule.expand(ofKind(render(Map.of()), Role.class).stream().filter(Chart::isLeaderElection).findFirst()
        .orElseThrow().getRules());
  }

  public static boolean isLeaderElection(HasMetadata o) {
    return o.getMetadata().getName().endsWith("-leader-election");
  }
}
