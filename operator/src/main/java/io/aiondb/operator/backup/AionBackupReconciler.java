package io.aiondb.operator.backup;

import io.aiondb.operator.OperatorConfig;
import io.aiondb.operator.api.AionBackup;
import io.aiondb.operator.api.AionBackupSpec;
import io.aiondb.operator.api.AionBackupStatus;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.engine.BackupView;
import io.aiondb.operator.engine.EngineAddresses;
import io.aiondb.operator.engine.EngineClient;
import io.aiondb.operator.engine.EngineRefusedException;
import io.aiondb.operator.engine.EngineUnavailableException;
import io.aiondb.operator.reconcile.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Carries out {@link BackupStep}'s decisions for an AionBackup (docs/design/010-operator-backups.md): reads the
 * cluster and its members, asks the running member about the operation, writes the status and records an Event for
 * every transition (Started, Restarted, Completed, Failed). The backup id is derived from the object (creation time
 * and uid), so a start repeated after an operator crash is answered by the engine instead of starting a second backup.
 * With {@code deletionPolicy: Delete}, deleting the object deletes the backup's manifest first.
 */
@ControllerConfiguration(name = AionBackupReconciler.NAME)
public class AionBackupReconciler implements Reconciler<AionBackup>, Cleaner<AionBackup> {
  public static final String NAME = "aionbackup";
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final KubernetesClient client;
  private final EngineClient engine;
  private final Members members;
  private final EventRecorder events;

  @Inject
  public AionBackupReconciler(KubernetesClient client, OperatorConfig config,
      @ConfigProperty(name = "HOSTNAME", defaultValue = "aion-operator") String instance) {
    this.client = client;
    this.engine = new EngineClient(config.engineTimeout());
    this.members = new Members(client, engine, new EngineAddresses(config.engineUrlTemplate(),
        config.engineMemberUrlTemplate()));
    this.events = new EventRecorder(client, instance);
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
    AionBackupStatus.Phase before = status.getPhase();
    AionCluster found = client.resources(AionCluster.class).inNamespace(ns).withName(spec.getCluster()).get();
    AionCluster cluster = found == null ? null : members.resolved(found);
    io.aiondb.operator.engine.EngineAccess access = cluster == null ? null : members.access(cluster);
    List<BackupStep.Member> seen = cluster == null ? List.of() : members.list(cluster, access);
    BackupStep.Answer answer = BackupStep.Answer.NOT_ASKED;
    BackupView op = null;
    AionBackupStatus.Verification verifying = status.getVerification();
    String askMember = null;
    String askOperation = null;
    if (before == AionBackupStatus.Phase.Running) {
      askMember = status.getMember();
      askOperation = status.getBackupId();
    } else if (before == AionBackupStatus.Phase.Completed && verifying != null
        && verifying.getState() == AionBackupStatus.Verification.State.Running) {
      askMember = verifying.getMember();
      askOperation = verifying.getOperation();
    }
    if (cluster != null && askMember != null && askOperation != null) {
      try {
        op = engine.backupOperation(members.of(cluster, askMember), askOperation, access);
        answer = op == null ? BackupStep.Answer.FORGOTTEN : BackupStep.Answer.KNOWN;
      } catch (EngineUnavailableException | EngineRefusedException e) {
        answer = BackupStep.Answer.UNREACHABLE;
      }
    }
    boolean hasBackup = cluster != null && cluster.getSpec().getBackup() != null;
    BackupStep.Decision d = BackupStep.decide(new BackupStep.Snapshot(Instant.now(), spec, status, cluster != null,
        hasBackup, spec.getStore() == null || hasBackup && cluster.getSpec().getBackup().store(spec.getStore()) != null,
        seen, answer, op));
    backup.setStatus(status);
    switch (d) {
      case BackupStep.Done done -> {
        return UpdateControl.noUpdate();
      }
      case BackupStep.Fail f -> {
        return fail(backup, f.reason(), f.message());
      }
      case BackupStep.Wait w -> {
        if (status.getPhase() == AionBackupStatus.Phase.Completed) {
          return UpdateControl.<AionBackup>noUpdate().rescheduleAfter(w.after()); // following a verification
        }
        if (w.progress() != null && w.progress().progress() != null) {
          status.setBytesDone(w.progress().progress().bytesDone());
          status.setBytesTotal(w.progress().progress().bytesTotal());
          status.setFiles(w.progress().progress().filesTotal());
          status.setFilesReused(w.progress().progress().filesReused());
          status.setBytesReused(w.progress().progress().bytesReused());
        }
        status.setMessage(w.why());
        if (status.getPhase() == null) status.setPhase(AionBackupStatus.Phase.Pending);
        return UpdateControl.patchStatus(backup).rescheduleAfter(w.after());
      }
      case BackupStep.Complete c -> {
        complete(backup, c.result());
        return spec.getVerify() == null || spec.getVerify() == AionBackupSpec.Verify.None
            ? UpdateControl.patchStatus(backup) : UpdateControl.patchStatus(backup).rescheduleAfter(Duration.ofSeconds(1));
      }
      case BackupStep.Start s -> {
        return start(backup, cluster, s.member(), access);
      }
      case BackupStep.StartVerify v -> {
        return startVerify(backup, cluster, v.member(), access);
      }
      case BackupStep.Verified v -> {
        AionBackupStatus.Verification ver = status.getVerification() != null ? status.getVerification()
            : new AionBackupStatus.Verification();
        ver.setLevel(spec.getVerify().name());
        ver.setState(v.passed() ? AionBackupStatus.Verification.State.Passed : AionBackupStatus.Verification.State.Failed);
        ver.setMessage(v.message());
        ver.setCompletedAt(Instant.now().toString());
        status.setVerification(ver);
        if (v.passed()) {
          events.normal(backup, "VerificationPassed", spec.getVerify() + " verification of backup " + status.getBackupId()
              + " passed.");
        } else {
          events.warning(backup, "VerificationFailed", spec.getVerify() + " verification of backup "
              + status.getBackupId() + " failed: " + v.message());
        }
        return UpdateControl.patchStatus(backup);
      }
    }
  }

  private UpdateControl<AionBackup> startVerify(AionBackup backup, AionCluster cluster, String member, io.aiondb.operator.engine.EngineAccess access) {
    AionBackupStatus status = backup.getStatus();
    AionBackupSpec.Verify level = backup.getSpec().getVerify();
    try {
      BackupView op = engine.verifyBackup(members.of(cluster, member), status.getBackupId(),
          level == AionBackupSpec.Verify.Deep, backup.getSpec().getStore(), access);
      AionBackupStatus.Verification v = status.getVerification() != null ? status.getVerification()
          : new AionBackupStatus.Verification();
      v.setLevel(level.name());
      v.setState(AionBackupStatus.Verification.State.Running);
      v.setOperation(op.id());
      v.setMember(member);
      if (v.getStartedAt() == null) v.setStartedAt(Instant.now().toString());
      status.setVerification(v);
      events.normal(backup, "Verifying", "Member " + member + " verifies backup " + status.getBackupId() + " ("
          + level + ", operation " + op.id() + ").");
      return UpdateControl.patchStatus(backup).rescheduleAfter(BackupStep.FOLLOW);
    } catch (EngineRefusedException e) {
      if (e.status() == 409) return UpdateControl.<AionBackup>noUpdate().rescheduleAfter(BackupStep.RETRY); // busy
      AionBackupStatus.Verification v = new AionBackupStatus.Verification();
      v.setLevel(level.name());
      v.setState(AionBackupStatus.Verification.State.Failed);
      v.setMember(member);
      v.setMessage("member " + member + " refused the verification: " + e.getMessage());
      v.setCompletedAt(Instant.now().toString());
      status.setVerification(v);
      events.warning(backup, "VerificationFailed", v.getMessage());
      return UpdateControl.patchStatus(backup);
    } catch (EngineUnavailableException e) {
      return UpdateControl.<AionBackup>noUpdate().rescheduleAfter(BackupStep.RETRY);
    }
  }

  private UpdateControl<AionBackup> start(AionBackup backup, AionCluster cluster, String member, io.aiondb.operator.engine.EngineAccess access) {
    AionBackupStatus status = backup.getStatus();
    String id = status.getBackupId() != null ? status.getBackupId() : backupId(backup);
    boolean again = status.getPhase() == AionBackupStatus.Phase.Running;
    try {
      BackupView started = engine.startBackup(members.of(cluster, member), id, backup.getSpec().getStore(), access);
      String previous = status.getMember();
      status.setPhase(AionBackupStatus.Phase.Running);
      status.setMember(member);
      status.setBackupId(id);
      if (status.getStartedAt() == null) status.setStartedAt(Instant.now().toString());
      status.setMessage("member " + member + " is backing up");
      if (again) {
        events.normal(backup, "Restarted", "Member " + previous + " no longer knows backup " + id
            + " (it restarted): asked member " + member + " with the same id.");
      } else {
        events.normal(backup, "Started", "Member " + member + " is backing up AionCluster " + cluster.getMetadata().getName()
            + " as backup " + id + ".");
      }
      if (started.succeeded()) complete(backup, started);
      else if (!started.running()) {
        return fail(backup, "Engine", "member " + member + ": " + (started.error() == null ? started.state() : started.error()));
      }
      return UpdateControl.patchStatus(backup).rescheduleAfter(BackupStep.FOLLOW);
    } catch (EngineRefusedException e) {
      if (e.status() == 409 && "BACKUP_BUSY".equals(e.code())) { // a prune or another backup on that member
        status.setPhase(status.getPhase() == null ? AionBackupStatus.Phase.Pending : status.getPhase());
        status.setMessage("member " + member + " is busy: " + e.getMessage());
        return UpdateControl.patchStatus(backup).rescheduleAfter(BackupStep.RETRY);
      }
      status.setBackupId(id);
      return fail(backup, "Engine", "member " + member + " refused the backup: " + e.getMessage());
    } catch (EngineUnavailableException e) {
      status.setPhase(status.getPhase() == null ? AionBackupStatus.Phase.Pending : status.getPhase());
      status.setMessage("member " + member + " does not answer: " + e.getMessage());
      return UpdateControl.patchStatus(backup).rescheduleAfter(BackupStep.RETRY);
    }
  }

  private UpdateControl<AionBackup> fail(AionBackup backup, String reason, String message) {
    AionBackupStatus status = backup.getStatus();
    status.setPhase(AionBackupStatus.Phase.Failed);
    status.setReason(reason);
    status.setMessage(message);
    status.setCompletedAt(Instant.now().toString());
    events.warning(backup, "Failed", reason + ": " + message);
    return UpdateControl.patchStatus(backup);
  }

  private void complete(AionBackup backup, BackupView v) {
    AionBackupStatus status = backup.getStatus();
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
    if (status.getBytes() != null) status.setBytesDone(status.getBytes());
    if (status.getBytes() != null) status.setBytesTotal(status.getBytes());
    events.normal(backup, "Completed", "Backup " + status.getBackupId() + " of revision " + status.getRevision() + " ("
        + status.getKeyCount() + " keys, " + status.getBytes() + " bytes, " + status.getBytesReused()
        + " of them already stored) by member " + status.getMember() + ".");
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
    cluster = members.resolved(cluster);
    String store = backup.getSpec().getStore();
    if (store != null && (cluster.getSpec().getBackup() == null || cluster.getSpec().getBackup().store(store) == null)) {
      events.warning(backup, "DeleteSkipped", "AionCluster " + cluster.getMetadata().getName() + " no longer has store '"
          + store + "': backup " + status.getBackupId() + " stays in it (delete it there with aion backup delete).");
      return DeleteControl.defaultDelete();
    }
    io.aiondb.operator.engine.EngineAccess access = members.access(cluster);
    List<BackupStep.Member> seen = members.list(cluster, access);
    List<String> pods = new ArrayList<>();
    if (status.getMember() != null) pods.add(status.getMember());
    if (seen != null) seen.stream().map(BackupStep.Member::pod).filter(p -> !pods.contains(p)).forEach(pods::add);
    String last = "no member to ask";
    for (String pod : pods) {
      try {
        boolean deleted = engine.deleteBackup(members.of(cluster, pod), status.getBackupId(), backup.getSpec().getStore(), access);
        if (deleted) {
          events.normal(backup, "Deleted", "Deleted backup " + status.getBackupId() + " from the store (deletionPolicy"
              + " Delete); its files go at the next sweep.");
        }
        return DeleteControl.defaultDelete();
      } catch (EngineUnavailableException | EngineRefusedException e) {
        last = pod + ": " + e.getMessage(); // try the next member
      }
    }
    events.warning(backup, "DeleteRetried", "Could not delete backup " + status.getBackupId() + " from the store ("
        + last + "); the object stays until it is deleted.");
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(BackupStep.RETRY);
  }
}
