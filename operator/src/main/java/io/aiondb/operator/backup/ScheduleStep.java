package io.aiondb.operator.backup;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.aiondb.operator.api.AionBackupScheduleSpec;
import io.aiondb.operator.api.AionBackupScheduleStatus;
import io.aiondb.operator.api.AionBackupStatus.Phase;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides what an AionBackupSchedule does now (docs/design/010-operator-backups.md): a pure function of a
 * {@link Snapshot}, with no timer of its own. The next run is computed from {@code status.lastScheduleTime} (or the
 * creation time) on every reconcile, so an operator that restarts, or was down across several due times, starts
 * exactly one catch-up backup: the latest due time, named after it ({@code <schedule>-<yyyyMMddHHmm>}, UTC): when an
 * AionBackup of that name exists already (its create went through, the status write after it did not), the run is
 * recorded as started and nothing is created.
 *
 * <ul>
 *   <li>A due run waits while an earlier backup of the schedule is Pending or Running (never two at once), and is not
 *       started while suspended or while the cluster does not exist.</li>
 *   <li>Retention, on this schedule's Completed backups, newest first: the newest {@code minKeep} stay; others go when
 *       beyond {@code keepLast} or completed more than {@code maxAge} ago. Failed backups: the newest
 *       {@value #FAILED_KEPT} stay.</li>
 *   <li>After retention deleted backups whose policy deletes them from the store, a sweep of unreferenced files is
 *       owed; it is asked for once no backup of the schedule is still being deleted.</li>
 * </ul>
 */
public final class ScheduleStep {
  private ScheduleStep() {}

  public static final int FAILED_KEPT = 3;
  /** How often to look while a backup runs, a deletion finishes or a sweep is owed (events also wake it). */
  public static final Duration BUSY = Duration.ofSeconds(15);
  private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmm").withZone(ZoneOffset.UTC);
  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /** One AionBackup of the schedule (label aiondb.io/schedule). */
  public record Backup(String name, Phase phase, Instant scheduledAt, Instant completedAt, boolean deleting) {
    boolean active() {
      return !deleting && phase != Phase.Completed && phase != Phase.Failed;
    }
  }

  public record Snapshot(Instant now, Instant created, AionBackupScheduleSpec spec, AionBackupScheduleStatus status,
      boolean clusterExists, List<Backup> backups) {}

  /** Start a backup for {@code scheduledAt}, named {@code name}, verified at {@code verify} once it completed. */
  public record Create(String name, Instant scheduledAt, io.aiondb.operator.api.AionBackupSpec.Verify verify) {
    public Create(String name, Instant scheduledAt) {
      this(name, scheduledAt, io.aiondb.operator.api.AionBackupSpec.Verify.None);
    }
  }

  /**
   * What to do: create (or null), delete these AionBackups, ask for a sweep, then write {@code status} and look again
   * after {@code wake} (null: only when something changes).
   */
  public record Plan(Create create, List<String> delete, boolean sweep, AionBackupScheduleStatus status, Duration wake) {}

  /** The schedule's next times, or why it has none. */
  public sealed interface Parsed permits Valid, Invalid {}

  public record Valid(ExecutionTime times, ZoneId zone) implements Parsed {}

  public record Invalid(String message) implements Parsed {}

  public static Parsed parse(String schedule, String timeZone) {
    ZoneId zone;
    try {
      zone = timeZone == null || timeZone.isBlank() ? ZoneOffset.UTC : ZoneId.of(timeZone);
    } catch (java.time.DateTimeException e) {
      return new Invalid("spec.timeZone '" + timeZone + "' is not a time zone (an IANA name such as Europe/Berlin)");
    }
    String s = schedule == null ? "" : schedule.trim();
    String expression = switch (s.toLowerCase(Locale.ROOT)) {
      case "@yearly", "@annually" -> "0 0 1 1 *";
      case "@monthly" -> "0 0 1 * *";
      case "@weekly" -> "0 0 * * 0";
      case "@daily", "@midnight" -> "0 0 * * *";
      case "@hourly" -> "0 * * * *";
      default -> s;
    };
    if (expression.startsWith("@") || expression.split("\\s+").length != 5) {
      return new Invalid("spec.schedule '" + schedule + "' is not a schedule: five fields (minute hour day-of-month"
          + " month day-of-week, e.g. '0 3 * * *') or @hourly, @daily, @weekly, @monthly, @yearly");
    }
    try {
      return new Valid(ExecutionTime.forCron(PARSER.parse(expression).validate()), zone);
    } catch (IllegalArgumentException e) {
      return new Invalid("spec.schedule '" + schedule + "' is not a schedule: " + e.getMessage());
    }
  }

  /** The AionBackup name of a run: the schedule's name and the scheduled minute, UTC. */
  public static String backupName(String schedule, Instant scheduledAt) {
    return schedule + "-" + NAME_TIME.format(scheduledAt);
  }

  public static Plan decide(String name, Snapshot s) {
    AionBackupScheduleSpec spec = s.spec();
    AionBackupScheduleStatus st = copy(s.status());
    st.setReason(null);
    st.setMessage(null);
    List<Backup> live = s.backups().stream().filter(b -> !b.deleting()).toList();
    Optional<Backup> active = live.stream().filter(Backup::active).max(Comparator.comparing(ScheduleStep::when));
    Optional<Backup> success = live.stream().filter(b -> b.phase() == Phase.Completed)
        .max(Comparator.comparing(ScheduleStep::finished));
    st.setActive(active.map(Backup::name).orElse(null));
    st.setLastSuccessfulBackup(success.map(Backup::name).orElse(st.getLastSuccessfulBackup()));
    st.setLastSuccessfulTime(success.map(b -> finished(b).toString()).orElse(st.getLastSuccessfulTime()));

    List<String> delete = retention(s, live);
    boolean deletesFromStore = spec.getDeletionPolicy() == io.aiondb.operator.api.AionBackupSpec.DeletionPolicy.Delete;
    if (deletesFromStore && delete.stream().anyMatch(n -> live.stream().anyMatch(b -> b.name().equals(n)
        && b.phase() == Phase.Completed))) {
      st.setSweepPending(true);
    }
    boolean deleting = s.backups().stream().anyMatch(Backup::deleting);
    boolean sweep = Boolean.TRUE.equals(st.getSweepPending()) && delete.isEmpty() && !deleting && s.clusterExists();

    Create create = null;
    Duration wake = null;
    Parsed parsed = parse(spec.getSchedule(), spec.getTimeZone());
    if (parsed instanceof Invalid invalid) {
      st.setReason("InvalidSchedule");
      st.setMessage(invalid.message());
      st.setNextScheduleTime(null);
    } else {
      Valid v = (Valid) parsed;
      ZonedDateTime now = s.now().atZone(v.zone());
      Instant base = st.getLastScheduleTime() != null ? Instant.parse(st.getLastScheduleTime()) : s.created();
      Instant due = null;
      if (spec.isImmediate() && st.getLastScheduleTime() == null) {
        due = s.created().truncatedTo(ChronoUnit.MINUTES);
      } else {
        // the latest scheduled time at or before now, if after the last one run: missed runs collapse into it
        Optional<ZonedDateTime> last = v.times().isMatch(now.truncatedTo(ChronoUnit.MINUTES))
            ? Optional.of(now.truncatedTo(ChronoUnit.MINUTES)) : v.times().lastExecution(now);
        if (last.isPresent() && last.get().toInstant().isAfter(base)) due = last.get().toInstant();
      }
      if (spec.isSuspend()) {
        st.setNextScheduleTime(null);
      } else {
        st.setNextScheduleTime(v.times().nextExecution(now).map(t -> t.toInstant().toString()).orElse(null));
        String dueName = due == null ? null : backupName(name, due);
        if (due != null && s.backups().stream().anyMatch(b -> b.name().equals(dueName))) {
          // created before a status write was lost (or by hand): that run started; record it, start nothing
          st.setLastScheduleTime(due.toString());
          st.setLastBackup(dueName);
        } else if (due != null && active.isPresent()) {
          st.setMessage("the run due at " + due + " waits for AionBackup " + active.get().name());
        } else if (due != null && !s.clusterExists()) {
          st.setReason("ClusterNotFound");
          st.setMessage("AionCluster " + spec.getCluster() + " does not exist in this namespace: the run due at " + due
              + " waits for it");
        } else if (due != null) {
          long run = (st.getRuns() == null ? 0 : st.getRuns()) + 1;
          AionBackupScheduleSpec.Verify verify = spec.getVerify();
          create = new Create(backupName(name, due), due, verify != null && (run - 1) % verify.getEvery() == 0
              ? verify.getLevel() : io.aiondb.operator.api.AionBackupSpec.Verify.None);
          st.setRuns(run);
          st.setLastScheduleTime(due.toString());
          st.setLastBackup(create.name());
          st.setActive(create.name());
        }
        if (st.getNextScheduleTime() != null) {
          wake = Duration.between(s.now(), Instant.parse(st.getNextScheduleTime())).plusMillis(500);
        }
      }
    }
    if (st.getActive() != null || !delete.isEmpty() || deleting || Boolean.TRUE.equals(st.getSweepPending())
        || (st.getMessage() != null && st.getReason() == null)) {
      wake = wake == null || wake.compareTo(BUSY) > 0 ? BUSY : wake;
    }
    return new Plan(create, delete, sweep, st, wake);
  }

  private static List<String> retention(Snapshot s, List<Backup> live) {
    List<String> out = new ArrayList<>();
    AionBackupScheduleSpec.Retention r = s.spec().getRetention();
    if (r != null) {
      List<Backup> completed = live.stream().filter(b -> b.phase() == Phase.Completed)
          .sorted(Comparator.comparing(ScheduleStep::finished).reversed()).toList();
      Instant oldest = r.getMaxAge() == null ? null : s.now().minus(age(r.getMaxAge()));
      for (int i = r.getMinKeep(); i < completed.size(); i++) {
        Backup b = completed.get(i);
        boolean beyondCount = r.getKeepLast() != null && i >= r.getKeepLast();
        boolean tooOld = oldest != null && finished(b).isBefore(oldest);
        if (beyondCount || tooOld) out.add(b.name());
      }
    }
    List<Backup> failed = live.stream().filter(b -> b.phase() == Phase.Failed)
        .sorted(Comparator.comparing(ScheduleStep::when).reversed()).toList();
    for (int i = FAILED_KEPT; i < failed.size(); i++) out.add(failed.get(i).name());
    return out;
  }

  private static Instant when(Backup b) {
    return b.scheduledAt() == null ? Instant.EPOCH : b.scheduledAt();
  }

  private static Instant finished(Backup b) {
    return b.completedAt() != null ? b.completedAt() : when(b);
  }

  /** {@code retention.maxAge} (the CRD allows 1-99999 m, h or d). */
  static Duration age(String text) {
    long n = Long.parseLong(text.substring(0, text.length() - 1));
    return switch (text.charAt(text.length() - 1)) {
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  private static AionBackupScheduleStatus copy(AionBackupScheduleStatus in) {
    AionBackupScheduleStatus out = new AionBackupScheduleStatus();
    if (in == null) return out;
    out.setObservedGeneration(in.getObservedGeneration());
    out.setLastScheduleTime(in.getLastScheduleTime());
    out.setNextScheduleTime(in.getNextScheduleTime());
    out.setLastBackup(in.getLastBackup());
    out.setRuns(in.getRuns());
    out.setLastSuccessfulBackup(in.getLastSuccessfulBackup());
    out.setLastSuccessfulTime(in.getLastSuccessfulTime());
    out.setActive(in.getActive());
    out.setSweepPending(in.getSweepPending());
    out.setLastSweepTime(in.getLastSweepTime());
    out.setReason(in.getReason());
    out.setMessage(in.getMessage());
    return out;
  }
}
