package io.aiondb.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kubectl aion status CLUSTER}: see {@link StatusReport}. */
@Command(name = "status", mixinStandardHelpOptions = true, description = {"Show a cluster's health: phase, version, leader, every member's role, lag and "
    + "readiness, whether each may be restarted safely, the rollout's progress, the TLS certificate's expiry and the "
    + "last backup."})
final class StatusCommand implements Callable<Integer> {
  enum Format { text, json }

  @ParentCommand KubectlAion root;

  @Parameters(index = "0", paramLabel = "CLUSTER", description = "The AionCluster's name.")
  String cluster;

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text (default) or json.")
  Format output;

  @Override
  public Integer call() throws Exception {
    Target t = root.target(cluster);
    List<Pod> pods = t.pods();
    JsonNode nodes = null;
    String engineError = null;
    try {
      nodes = root.engine(t).nodes(pods);
    } catch (PluginException e) {
      engineError = e.getMessage();
    }
    StatusReport.Certificate cert = null;
    String certError = null;
    if (!pods.isEmpty() && pods.stream().anyMatch(Target::tls)) {
      String secret = t.tlsSecretName();
      try {
        String pem = t.secretValue(secret, "tls.crt");
        if (pem == null) {
          certError = "Secret " + secret + " or its tls.crt is missing";
        } else {
          X509Certificate leaf = Certificates.parse(pem, "tls.crt of Secret " + secret).get(0);
          cert = new StatusReport.Certificate(secret, leaf.getSubjectX500Principal().getName(), leaf.getNotAfter().toInstant());
        }
      } catch (PluginException e) {
        certError = e.getMessage();
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        certError = "cannot read Secret " + secret + ": " + e.getMessage();
      }
    }
    StatusReport report = new StatusReport(t.cluster(), rows(pods), nodes, engineError, cert, certError, Instant.now());
    if (output == Format.json) {
      root.out.println(Target.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report.json()));
    } else {
      root.out.print(report.text());
    }
    root.out.flush();
    return 0;
  }

  /** Ready members, the leader the operator last saw first (it answers without a forward). */
  static List<Pod> askOrder(Target t, List<Pod> pods) {
    String leader = t.cluster().path("status").path("leader").asText("");
    List<Pod> out = new ArrayList<>();
    pods.stream().filter(Target::ready).filter(p -> p.getMetadata().getName().equals(leader)).forEach(out::add);
    pods.stream().filter(Target::ready).filter(p -> !p.getMetadata().getName().equals(leader)).forEach(out::add);
    return out;
  }

  static List<StatusReport.PodRow> rows(List<Pod> pods) {
    List<StatusReport.PodRow> rows = new ArrayList<>();
    for (Pod p : pods) {
      int restarts = 0;
      String image = null;
      if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null) {
        for (ContainerStatus c : p.getStatus().getContainerStatuses()) {
          if (Target.ENGINE_CONTAINER.equals(c.getName())) {
            restarts = c.getRestartCount() == null ? 0 : c.getRestartCount();
            image = c.getImage();
          }
        }
      }
      String revision = p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get("controller-revision-hash");
      rows.add(new StatusReport.PodRow(p.getMetadata().getName(), p.getStatus() == null ? "-" : p.getStatus().getPhase(),
          Target.ready(p), restarts, p.getStatus() == null ? null : p.getStatus().getPodIP(), p.getSpec().getNodeName(),
          image, revision));
    }
    return rows;
  }
}
