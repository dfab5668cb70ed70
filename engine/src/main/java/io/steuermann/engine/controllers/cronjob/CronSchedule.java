package io.steuermann.engine.controllers.cronjob;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A CronJob's {@code spec.schedule} in the syntax Kubernetes accepts (robfig/cron's standard
 * parser): five Unix fields, the descriptors {@code @yearly @annually @monthly @weekly @daily
 * @midnight @hourly}, and an optional {@code TZ=zone} or {@code CRON_TZ=zone} prefix. The fields
 * are parsed by cron-utils' Unix definition; the descriptors are its expansions, as robfig
 * expands them. {@code @every <duration>} is not accepted (Kubernetes' docs do not list it).
 */
public final class CronSchedule {
  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final Map<String, String> DESCRIPTORS = Map.of(
      "@yearly", "0 0 1 1 *",
      "@annually", "0 0 1 1 *",
      "@monthly", "0 0 1 * *",
      "@weekly", "0 0 * * 0",
      "@daily", "0 0 * * *",
      "@midnight", "0 0 * * *",
      "@hourly", "0 * * * *");

  private final ExecutionTime execution;
  private final ZoneId zone;

  private CronSchedule(ExecutionTime execution, ZoneId zone) {
    this.execution = execution;
    this.zone = zone;
  }

  /** Thrown for a schedule that does not parse; the message says why. */
  public static final class InvalidSchedule extends Exception {
    InvalidSchedule(String message) {
      super(message);
    }
  }

  /**
   * Parses {@code schedule}; times are in {@code timeZone} (null or empty: UTC, the zone of
   * the Kubernetes controller manager in every managed cluster), unless the schedule names
   * its own zone with a {@code TZ=} prefix.
   */
  public static CronSchedule parse(String schedule, String timeZone) throws InvalidSchedule {
    String text = schedule == null ? "" : schedule.trim();
    ZoneId zone = ZoneOffset.UTC;
    if (timeZone != null && !timeZone.isEmpty()) {
      zone = zone(timeZone).orElseThrow(() -> new InvalidSchedule("unknown time zone " + timeZone));
    }
    Optional<String> tz = timeZonePrefix(text);
    if (tz.isPresent()) {
      String name = tz.get();
      zone = zone(name).orElseThrow(() -> new InvalidSchedule("provided bad location " + name));
      text = text.substring(text.indexOf(' ') + 1).trim();
    }
    if (text.isEmpty()) {
      throw new InvalidSchedule("empty spec string");
    }
    if (text.startsWith("@")) {
      String expanded = DESCRIPTORS.get(text.toLowerCase(Locale.ROOT));
      if (expanded == null) {
        throw new InvalidSchedule("unrecognized descriptor: " + text);
      }
      text = expanded;
    }
    if (text.split("\\s+").length != 5) {
      throw new InvalidSchedule("expected exactly 5 fields, found " + text.split("\\s+").length + ": " + text);
    }
    try {
      return new CronSchedule(ExecutionTime.forCron(PARSER.parse(text)), zone);
    } catch (IllegalArgumentException e) {
      throw new InvalidSchedule(e.getMessage());
    }
  }

  /** The zone named by a {@code TZ=} or {@code CRON_TZ=} prefix of the schedule, if it has one. */
  public static Optional<String> timeZonePrefix(String schedule) {
    String text = schedule == null ? "" : schedule.trim();
    for (String prefix : new String[] {"TZ=", "CRON_TZ="}) {
      if (text.startsWith(prefix)) {
        int space = text.indexOf(' ');
        return Optional.of(space < 0 ? text.substring(prefix.length()) : text.substring(prefix.length(), space));
      }
    }
    return Optional.empty();
  }

  /** An IANA zone name as Go's time.LoadLocation knows it ("Local" and bare offsets are not). */
  public static Optional<ZoneId> zone(String name) {
    if ("UTC".equals(name)) {
      return Optional.of(ZoneOffset.UTC);
    }
    if (!ZoneId.getAvailableZoneIds().contains(name)) {
      return Optional.empty();
    }
    try {
      return Optional.of(ZoneId.of(name));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /** The first scheduled time strictly after {@code after}. */
  public Optional<Instant> next(Instant after) {
    return execution.nextExecution(ZonedDateTime.ofInstant(after, zone)).map(ZonedDateTime::toInstant);
  }

  /** The last scheduled time at or before {@code atOrBefore} (schedules are whole minutes). */
  public Optional<Instant> previous(Instant atOrBefore) {
    return execution.lastExecution(ZonedDateTime.ofInstant(atOrBefore.plusSeconds(1), zone))
        .map(ZonedDateTime::toInstant)
        .filter(t -> !t.isAfter(atOrBefore));
  }

  public ZoneId zone() {
    return zone;
  }
}
