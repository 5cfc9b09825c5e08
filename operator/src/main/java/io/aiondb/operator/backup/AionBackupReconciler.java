package io.aiondb.operator.backup;

import io.aiondb.operator.OperatorConfig;
import io.aiondb.operator.api.AionBackup;
import io.aiondb.operator.api.AionBackupSpec;
import io.aiondb.operator.api.AionBackupStatus;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.engine.BackupView;
import io.aiondb.operator.engine.ClusterView;
import io.aiondb.operator.engine.EngineClient;
import io.aiondb.operator.engine.EngineRefusedException;
import io.aiondb.operator.engine.EngineUnavailableException;
import io.aiondb.operator.model.TlsBuilders;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Carries out {@link BackupStep}'s decisions for an AionBackup (WORK IN PROGRESS, docs/design/010-operator-backups.md):
 * reads the cluster and its members, asks the running member about the operation, and writes the status. The backup
 * id is derived from the object (creation time and uid), so a start repeated after an operator crash is answered by
 * the engine instead of starting a second backup. With {@code deletionPolicy: Delete}, deleting the object deletes
 * the backup's manifest first.
 *
 * <p>Not wired for tests yet: the chart's and the bundle's RBAC, the CRD copies and a reconciler test against the
 * API server and a fake engine are still to do.
 */
@ControllerConfiguration(name = AionBackupReconciler.NAME)
public class AionBackupReconciler implements Reconciler<AionBackup>, Cleaner<AionBackup> {
  public static final String NAME = "aionbackup";
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final KubernetesClient client;
  private final OperatorConfig config;
  private final EngineClient engine;

  @Inject
  public AionBackupReconciler(KubernetesClient client, OperatorConfig config) {
    this.client = client;
    this.config = config;
    this.engine = new EngineClient(config.engineTimeout());
  }

  /** The engine backup id of this object: its creation second and 32 bits of its uid's hash. */
  static String backupId(AionBackup b) {
    Instant created = Instant.parse(b.getMetadata().getCreationTimestamp());
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(b.getMetadata().getUid().getBytes(StandardCharsets.UTF_8));
      return ID_TIME.format(created) + "-" + HexFormat.of().formatHex(h, 0, 4);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public UpdateControl<AionBackup> reconcile(AionBackup backup, Context<AionBackup> context) {
    String ns = backup.getMetadata().getNamespace();
    AionBackupSpec spec = backup.getSpec();
    AionBackupStatus status = backup.getStatus() == null ? new AionBackupStatus() : backup.getStatus();
    AionCluster cluster = client.resources(AionCluster.class).inNamespace(ns).withName(spec.getCluster()).get();
    String caPem = cluster == null ? null : caPem(cluster);
    List<BackupStep.Member> members = cluster == null ? List.of() : members(cluster, caPem);
    BackupStep.Answer answer = BackupStep.Answer.NOT_ASKED;
    BackupView op = null;
    if (status.getPhase() == AionBackupStatus.Phase.Running && cluster != null && status.getMember() != null) {
      try {
        op = engine.backupOperation(memberUri(cluster, status.getMember()), status.getBackupId(), caPem);
        answer = op == null ? BackupStep.Answer.FORGOTTEN : BackupStep.Answer.KNOWN;
      } catch (EngineUnavailableException | EngineRefusedException e) {
        answer = BackupStep.Answer.UNREACHABLE;
      }
    }
    BackupStep.Decision d = BackupStep.decide(new BackupStep.Snapshot(Instant.now(), spec, status, cluster != null,
        cluster != null && cluster.getSpec().getBackup() != null, members, answer, op));
    switch (d) {
      case BackupStep.Done done -> {
        return UpdateControl.noUpdate();
      }
      case BackupStep.Fail f -> {
        status.setPhase(AionBackupStatus.Phase.Failed);
        status.setReason(f.reason());
        status.setMessage(f.message());
        status.setCompletedAt(Instant.now().toString());
        backup.setStatus(status);
        return UpdateControl.patchStatus(backup);
      }
      case BackupStep.Wait w -> {
        if (w.progress() != null && w.progress().progress() != null) {
          status.setBytesDone(w.progress().progress().bytesDone());
          status.setBytesTotal(w.progress().progress().bytesTotal());
        }
        status.setMessage(w.why());
        if (status.getPhase() == null) status.setPhase(AionBackupStatus.Phase.Pending);
        backup.setStatus(status);
        return UpdateControl.patchStatus(backup).rescheduleAfter(w.after());
      }
      case BackupStep.Complete c -> {
        complete(status, c.result());
        backup.setStatus(status);
        return UpdateControl.patchStatus(backup);
      }
      case BackupStep.Start s -> {
        String id = status.getBackupId() != null ? status.getBackupId() : backupId(backup);
        try {
          BackupView started = engine.startBackup(memberUri(cluster, s.member()), id, caPem);
          status.setPhase(AionBackupStatus.Phase.Running);
          status.setMember(s.member());
          status.setBackupId(id);
          if (status.getStartedAt() == null) status.setStartedAt(Instant.now().toString());
          status.setMessage("member " + s.member() + " is backing up");
          if (started.succeeded()) complete(status, started);
          backup.setStatus(status);
          return UpdateControl.patchStatus(backup).rescheduleAfter(BackupStep.FOLLOW);
        } catch (EngineRefusedException e) {
          if (e.status() == 409 && "BACKUP_BUSY".equals(e.code())) { // a prune or another backup on that member
            status.setMessage(e.getMessage());
            backup.setStatus(status);
            return UpdateControl.patchStatus(backup).rescheduleAfter(BackupStep.RETRY);
          }
          status.setPhase(AionBackupStatus.Phase.Failed);
          status.setReason("Engine");
          status.setMessage(e.getMessage());
          backup.setStatus(status);
          return UpdateControl.patchStatus(backup);
        } catch (EngineUnavailableException e) {
          status.setMessage(e.getMessage());
          backup.setStatus(status);
          return UpdateControl.patchStatus(backup).rescheduleAfter(BackupStep.RETRY);
        }
      }
    }
  }

  private static void complete(AionBackupStatus status, BackupView v) {
    status.setPhase(AionBackupStatus.Phase.Completed);
    status.setReason(null);
    status.setMessage(null);
    status.setCompletedAt(v.finishedAt() != null ? v.finishedAt() : Instant.now().toString());
    status.setRevision(v.resultLong("revision"));
    status.setKeyCount(v.resultLong("keyCount"));
    status.setBytes(v.resultLong("bytes"));
    status.setBytesReused(v.resultLong("bytesReused"));
    status.setFiles(v.resultLong("files"));
    status.setFilesReused(v.resultLong("filesReused"));
  }

  /** With deletionPolicy Delete, the backup's manifest goes before the object (its files at the next sweep). */
  @Override
  public DeleteControl cleanup(AionBackup backup, Context<AionBackup> context) {
    AionBackupStatus status = backup.getStatus();
    if (backup.getSpec().getDeletionPolicy() != AionBackupSpec.DeletionPolicy.Delete || status == null
        || status.getBackupId() == null) {
      return DeleteControl.defaultDelete();
    }
    AionCluster cluster = client.resources(AionCluster.class).inNamespace(backup.getMetadata().getNamespace())
        .withName(backup.getSpec().getCluster()).get();
    if (cluster == null) return DeleteControl.defaultDelete(); // nothing left to ask; the store keeps the backup
    String caPem = caPem(cluster);
    for (BackupStep.Member m : members(cluster, caPem)) {
      try {
        engine.deleteBackup(memberUri(cluster, m.pod()), status.getBackupId(), caPem);
        return DeleteControl.defaultDelete();
      } catch (EngineUnavailableException | EngineRefusedException e) {
        // try the next member
      }
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(BackupStep.RETRY);
  }

  private List<BackupStep.Member> members(AionCluster cluster, String caPem) {
    try {
      ClusterView view = engine.members(engineBase(cluster), caPem);
      List<BackupStep.Member> out = new ArrayList<>();
      for (ClusterView.Member m : view.members()) {
        int ordinal = ordinal(m.id());
        boolean leader = "LEADER".equals(m.role());
        boolean voter = !"LEARNER".equals(m.role());
        out.add(new BackupStep.Member(m.id(), ordinal, leader, Boolean.TRUE.equals(m.caughtUp()), voter));
      }
      return out;
    } catch (EngineUnavailableException e) {
      return List.of();
    }
  }

  private static int ordinal(String pod) {
    int dash = pod.lastIndexOf('-');
    try {
      return dash < 0 ? Integer.MAX_VALUE : Integer.parseInt(pod.substring(dash + 1));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  private String caPem(AionCluster cluster) {
    String secret = TlsBuilders.secretName(cluster);
    if (secret == null) return null;
    Secret s = client.secrets().inNamespace(cluster.getMetadata().getNamespace()).withName(secret).get();
    String ca = s == null || s.getData() == null ? null : s.getData().get(TlsBuilders.CA);
    return ca == null ? null : new String(Base64.getDecoder().decode(ca), StandardCharsets.UTF_8);
  }

  private URI engineBase(AionCluster cluster) {
    return URI.create(https(cluster, config.engineUrlTemplate().replace("{name}", cluster.getMetadata().getName())
        .replace("{namespace}", cluster.getMetadata().getNamespace())));
  }

  private URI memberUri(AionCluster cluster, String pod) {
    return URI.create(https(cluster, config.engineMemberUrlTemplate().replace("{pod}", pod)
        .replace("{name}", cluster.getMetadata().getName()).replace("{namespace}", cluster.getMetadata().getNamespace())));
  }

  private static String https(AionCluster cluster, String url) {
    return TlsBuilders.enabled(cluster) && url.startsWith("http://") ? "https://" + url.substring("http://".length()) : url;
  }
}
