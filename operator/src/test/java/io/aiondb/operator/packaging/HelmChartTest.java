package io.aiondb.operator.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Helm chart, linted and rendered by the Helm library embedded in helm-java. */
class HelmChartTest {
  @Test
  void lintsCleanInStrictMode() {
    LintResult lint = new Helm(Repo.chart()).lint().strict().call();
    assertThat(lint.isFailed()).as("helm lint: %s", lint.getMessages()).isFalse();
  }

  @Test
  void defaultInstallWatchesAllNamespacesWithAClusterRole() {
    List<HasMetadata> objects = Chart.render(Map.of());
    assertThat(objects).extracting(HasMetadata::getKind)
        .containsExactlyInAnyOrder("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment");
    ServiceAccount sa = Chart.ofKind(objects, ServiceAccount.class).get(0);
    ClusterRoleBinding binding = Chart.ofKind(objects, ClusterRoleBinding.class).get(0);
    assertThat(binding.getRoleRef().getName()).isEqualTo(Chart.ofKind(objects, ClusterRole.class).get(0).getMetadata().getName());
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
      assertThat(s.getNamespace()).isEqualTo("aion-system");
    });
    Deployment deployment = Chart.ofKind(objects, Deployment.class).get(0);
    assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(sa.getMetadata().getName());
    Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(operator.getImage()).isEqualTo("ghcr.io/aiondb/aion-operator:0.1.0");
    assertThat(env(operator, "QUARKUS_OPERATOR_SDK_NAMESPACES")).isEqualTo("JOSDK_ALL_NAMESPACES");
    assertThat(env(operator, "AION_OPERATOR_ENGINE_IMAGE_REPOSITORY")).isEqualTo("ghcr.io/aiondb/aion-server");
    assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(operator.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    // leader election: the Lease lives in the release namespace, the pod name is the replica's identity
    assertThat(operator.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("AION_OPERATOR_LEASE_NAMESPACE");
      assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
    }).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("AION_OPERATOR_IDENTITY");
      assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    });
    Role lease = Chart.ofKind(objects, Role.class).get(0);
    assertThat(lease.getMetadata().getNamespace()).isEqualTo("aion-system");
    assertThat(Rule.sorted(Chart.leaderElectionRules())).containsExactly(
        "create coordination.k8s.io/leases", "get coordination.k8s.io/leases", "patch coordination.k8s.io/leases",
        "update coordination.k8s.io/leases");
    RoleBinding leaseBinding = Chart.ofKind(objects, RoleBinding.class).get(0);
    assertThat(leaseBinding.getRoleRef().getName()).isEqualTo(lease.getMetadata().getName());
    assertThat(leaseBinding.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo(sa.getMetadata().getName()));
    assertThat(Chart.ofKind(Chart.render(Map.of("replicas", 2)), Deployment.class).get(0).getSpec().getReplicas()).isEqualTo(2);
  }

  @Test
  void watchedNamespacesGetRolesAndOnlyClusterScopedReadsClusterWide() {
    List<HasMetadata> objects = Chart.render(Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b",
        "image.repository", "registry.local/op", "image.tag", "dev", "resources.limits.memory", "1Gi"));
    // StorageClasses are cluster-scoped: a Role cannot grant them, so one ClusterRole reads them and nothing else.
    assertThat(Chart.ofKind(objects, ClusterRole.class)).hasSize(1);
    ClusterRole reads = Chart.ofKind(objects, ClusterRole.class).get(0);
    assertThat(Rule.sorted(Rule.expand(reads.getRules()))).containsExactly("get storage.k8s.io/storageclasses");
    assertThat(Chart.ofKind(objects, ClusterRoleBinding.class)).singleElement().satisfies(b -> {
      assertThat(b.getRoleRef().getName()).isEqualTo(reads.getMetadata().getName());
      assertThat(b.getSubjects()).singleElement().satisfies(s -> assertThat(s.getNamespace()).isEqualTo("aion-system"));
    });
    assertThat(Chart.ofKind(objects, Role.class).stream().filter(r -> !Chart.isLeaderElection(r)))
        .extracting(r -> r.getMetadata().getNamespace()).containsExactly("team-a", "team-b");
    assertThat(Chart.ofKind(objects, RoleBinding.class).stream().filter(r -> !Chart.isLeaderElection(r)))
        .extracting(r -> r.getMetadata().getNamespace()).containsExactly("team-a", "team-b");
    java.util.Set<Rule> both = new java.util.TreeSet<>(Chart.roleRules(objects));
    both.addAll(Rule.expand(reads.getRules()));
    assertThat(Rule.sorted(both)).isEqualTo(Rule.sorted(Chart.clusterRules()));
    Container operator = Chart.ofKind(objects, Deployment.class).get(0).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(operator, "QUARKUS_OPERATOR_SDK_NAMESPACES")).isEqualTo("team-a,team-b");
    assertThat(operator.getImage()).isEqualTo("registry.local/op:dev");
    assertThat(operator.getResources().getLimits().get("memory").toString()).isEqualTo("1Gi");
  }

  @Test
  void rbacIsLeastPrivilege() {
    // Nothing beyond what the operator calls (see AionClusterReconcilerTest) plus finalizers for blockOwnerDeletion.
    // Secrets: get/create/update by name for spec.tls, never list or watch (that would read every Secret).
    // StatefulSets are deleted only to recreate them with a larger volume claim template (pods orphaned); claims are
    // patched (their storage request), never deleted or created (the StatefulSet controller creates them).
    assertThat(Rule.sorted(Chart.clusterRules())).doesNotContain("delete core/configmaps", "delete core/services",
        "list core/secrets", "watch core/secrets", "delete core/secrets", "create aiondb.io/aionclusters",
        "delete core/persistentvolumeclaims", "create core/persistentvolumeclaims", "update core/persistentvolumeclaims",
        "watch core/persistentvolumeclaims", "list storage.k8s.io/storageclasses", "patch storage.k8s.io/storageclasses")
        .contains("delete apps/statefulsets", "patch core/persistentvolumeclaims", "get storage.k8s.io/storageclasses")
        .noneMatch(r -> r.contains("*"));
  }

  @Test
  void chartShipsTheCommittedCrds() throws Exception {
    assertThat(Repo.crds()).hasSizeGreaterThan(1);
    for (java.nio.file.Path crd : Repo.crds()) {
      assertThat(Files.readString(Repo.chart().resolve("crds").resolve(crd.getFileName()))).as("%s", crd.getFileName())
          .isEqualTo(Files.readString(crd));
    }
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
  }

  /** monitoring.prometheusRule.enabled: a PrometheusRule whose spec is files/alerts.yml (the promtool-tested rules). */
  @Test
  void thePrometheusRuleCarriesTheTestedAlertsOnlyWhenAskedFor() throws Exception {
    assertThat(Chart.render(Map.of()).stream().map(HasMetadata::getKind)).doesNotContain("PrometheusRule");
    List<HasMetadata> objects = Chart.render(Map.of("monitoring.prometheusRule.enabled", "true",
        "monitoring.prometheusRule.labels.release", "prometheus"));
    var rule = objects.stream().filter(o -> "PrometheusRule".equals(o.getKind())).findFirst().orElseThrow();
    assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.getMetadata().getLabels()).containsEntry("release", "prometheus");
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    var expected = yaml.readTree(Repo.root().resolve("monitoring/alerts.yml").toFile());
    var rendered = yaml.valueToTree(((io.fabric8.kubernetes.api.model.GenericKubernetesResource) rule)
        .getAdditionalProperties().get("spec"));
    assertThat(rendered).isEqualTo(expected);
    assertThat(rendered.toString()).contains("AionQuorumAtRisk", "{{ $labels.instance }}");
  }

  /** monitoring.podMonitor.enabled: a PodMonitor that scrapes the operator's /q/metrics on the pod's http port. */
  @Test
  void theOperatorsPodMonitorSelectsItsPodOnlyWhenAskedFor() {
    assertThat(Chart.render(Map.of()).stream().map(HasMetadata::getKind)).doesNotContain("PodMonitor");
    List<HasMetadata> objects = Chart.render(Map.of("monitoring.podMonitor.enabled", "true",
        "monitoring.podMonitor.labels.release", "prometheus"));
    var pm = (io.fabric8.kubernetes.api.model.GenericKubernetesResource) objects.stream()
        .filter(o -> "PodMonitor".equals(o.getKind())).findFirst().orElseThrow();
    assertThat(pm.getMetadata().getLabels()).containsEntry("release", "prometheus");
    @SuppressWarnings("unchecked")
    var spec = (Map<String, Object>) pm.getAdditionalProperties().get("spec");
    @SuppressWarnings("unchecked")
    var selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
    var deployment = Chart.ofKind(objects, io.fabric8.kubernetes.api.model.apps.Deployment.class).get(0);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(selector);
    assertThat(selector).isNotEmpty();
    var port = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0).getName();
    assertThat(spec.get("podMetricsEndpoints").toString()).contains("port=" + port, "path=/q/metrics", "honorLabels=true");
  }

  /** monitoring.dashboards.enabled: a ConfigMap for the Grafana sidecar holding every files/dashboards/*.json as is. */
  @Test
  void theDashboardsConfigMapCarriesTheDashboardFilesForTheGrafanaSidecar() throws Exception {
    assertThat(Chart.render(Map.of()).stream().map(o -> o.getMetadata().getName())).noneMatch(n -> n.endsWith("-dashboards"));
    var map = Chart.ofKind(Chart.render(Map.of("monitoring.dashboards.enabled", "true")),
        io.fabric8.kubernetes.api.model.ConfigMap.class).stream()
        .filter(c -> c.getMetadata().getName().endsWith("-dashboards")).findFirst().orElseThrow();
    assertThat(map.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(map.getData()).containsOnlyKeys("aion-clusters.json", "aion-member.json", "aion-operator.json");
    for (var e : map.getData().entrySet()) {
      var dashboard = json.readTree(e.getValue());
      assertThat(dashboard).as(e.getKey()).isEqualTo(json.readTree(Repo.chart().resolve("files/dashboards/" + e.getKey()).toFile()));
      assertThat(dashboard.path("panels").size()).as(e.getKey()).isGreaterThanOrEqualTo(6);
      if (e.getKey().equals("aion-operator.json")) continue; // the operator's own series: no cluster label
      // a cluster's series carry the PodMonitor's aion_cluster label: every panel selects by it
      dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> assertThat(t.path("expr").asText())
          .as("%s panel %s", e.getKey(), p.path("title").asText()).contains("aion_cluster=~\"$cluster\"")));
    }
  }
}
