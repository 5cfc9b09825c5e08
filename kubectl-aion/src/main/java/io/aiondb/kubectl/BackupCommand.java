package io.aiondb.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kubectl aion backup CLUSTER}: creates an AionBackup of the cluster (docs/operator.md "Backups"), the operator
 * runs it; {@code --wait} follows it to Completed or Failed.
 */
@Command(name = "backup", mixinStandardHelpOptions = true, description = {"Back the cluster up now to its spec.backup store: creates an AionBackup "
    + "(named <cluster>-<UTC time> unless --name) and, with --wait, follows it until it completes or fails."})
final class BackupCommand implements Callable<Integer> {
  enum TargetMember { PreferFollower, Leader }
  enum Verify { None, Light, Deep }

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

  @ParentCommand KubectlAion root;

  @Parameters(index = "0", paramLabel = "CLUSTER", description = "The AionCluster's name.")
  String cluster;

  @Option(names = "--name", description = "The AionBackup's name (default <cluster>-<yyyyMMddHHmmss>, UTC).")
  String name;

  @Option(names = "--target", description = "PreferFollower (default: a caught-up follower) or Leader.")
  TargetMember target;

  @Option(names = "--store", description = "One of spec.backup.stores by name (default: spec.backup.s3).")
  String store;

  @Option(names = "--verify", description = "None (default), Light or Deep: check the stored backup afterwards.")
  Verify verify;

  @Option(names = "--wait", description = "Wait until the backup completed or failed.")
  boolean wait;

  @Option(names = "--timeout", defaultValue = "1h", description = "How long --wait waits (default 1h).")
  String timeout;

  @Override
  public Integer call() throws InterruptedException {
    Duration limit = Durations.parse(timeout);
    Target t = root.target(cluster);
    JsonNode backup = t.cluster().path("spec").path("backup");
    if (backup.isMissingNode() || backup.isNull()) {
      throw new PluginException(t.namespace + "/" + t.name + " has no spec.backup: say where its backups go first "
          + "(docs/operator.md \"Backups\")");
    }
    if (store != null) {
      Target.checkName(store, "store name");
      boolean known = false;
      for (JsonNode s : backup.path("stores")) known |= store.equals(s.path("name").asText());
      if (!known) throw new PluginException("spec.backup.stores of " + t.namespace + "/" + t.name + " has no store " + store);
    }
    String backupName = name != null ? name : t.name + "-" + STAMP.format(Instant.now());
    Target.checkName(backupName, "backup name");
    if (backupName.length() > 63) throw new PluginException("backup name " + backupName + " is longer than 63 characters");

    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("cluster", t.name);
    if (target != null) spec.put("target", target.name());
    if (store != null) spec.put("store", store);
    if (verify != null) spec.put("verify", verify.name());
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(Target.API_VERSION);
    r.setKind("AionBackup");
    r.setMetadata(new ObjectMetaBuilder().withName(backupName).withNamespace(t.namespace).build());
    r.setAdditionalProperty("spec", spec);
    try {
      Target.backups(t.k8s).inNamespace(t.namespace).resource(r).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) throw new PluginException("an AionBackup " + backupName + " exists already in " + t.namespace);
      throw e;
    }
    root.out.println("aionbackup/" + backupName + " created (kubectl get aionbackup " + backupName + " -n " + t.namespace
        + " follows it)");
    if (!wait) return 0;

    Instant deadline = Instant.now().plus(limit);
    String last = null;
    while (true) {
      GenericKubernetesResource now = Target.backups(t.k8s).inNamespace(t.namespace).withName(backupName).get();
      if (now == null) throw new PluginException("aionbackup/" + backupName + " was deleted");
      JsonNode s = Target.JSON.valueToTree(now).path("status");
      String phase = s.path("phase").asText("Pending");
      String line = phase + (s.hasNonNull("member") ? " on " + s.path("member").asText() : "")
          + (s.hasNonNull("bytesTotal") && s.path("bytesTotal").asLong() > 0
              ? " (" + s.path("bytesDone").asLong(0) * 100 / s.path("bytesTotal").asLong() + " % of " + s.path("bytesTotal").asLong() + " bytes)" : "");
      if (!line.equals(last)) root.out.println("  " + line);
      last = line;
      switch (phase) {
        case "Completed" -> {
          JsonNode v = s.path("verification");
          boolean verifying = verify != null && verify != Verify.None && !"Passed".equals(v.path("state").asText())
              && !"Failed".equals(v.path("state").asText());
          if (!verifying) {
            if ("Failed".equals(v.path("state").asText())) {
              throw new PluginException("backup " + s.path("backupId").asText() + " completed but its verification "
                  + "failed: " + v.path("message").asText(""));
            }
            root.out.println("backup " + s.path("backupId").asText() + " completed: revision " + s.path("revision").asText()
                + ", " + s.path("keyCount").asText("?") + " keys, " + s.path("bytes").asText("?") + " bytes ("
                + s.path("bytesReused").asText("0") + " reused)"
                + (v.hasNonNull("state") ? ", verification " + v.path("state").asText() : ""));
            return 0;
          }
        }
        case "Failed" -> throw new PluginException("backup " + backupName + " failed: " + s.path("reason").asText("")
            + " " + s.path("message").asText(""));
        default -> { }
      }
      if (Instant.now().isAfter(deadline)) {
        throw new PluginException(PluginException.TIMED_OUT, "backup " + backupName + " did not finish within "
            + timeout + " (" + line + "); it goes on");
      }
      Thread.sleep(2000);
    }
  }
}
