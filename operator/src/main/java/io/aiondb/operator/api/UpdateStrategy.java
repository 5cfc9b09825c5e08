package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import java.time.Duration;

/** How the operator rolls a change out to the members (docs/operator.md "How changes are rolled out"). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UpdateStrategy {
  public static final String DEFAULT_POD_READY_TIMEOUT = "10m";

  @Default(DEFAULT_POD_READY_TIMEOUT)
  @Pattern("^[1-9][0-9]{0,5}(s|m|h)$")
  @JsonPropertyDescription("How long a restarted or added member may take to become Ready before the rollout halts"
      + " (Degraded, reason RolloutStalled), e.g. 90s, 10m, 1h.")
  private String podReadyTimeout = DEFAULT_POD_READY_TIMEOUT;

  public String getPodReadyTimeout() { return podReadyTimeout; }
  public void setPodReadyTimeout(String podReadyTimeout) { this.podReadyTimeout = podReadyTimeout; }

  /** {@link #getPodReadyTimeout()} as a duration; the schema's pattern guarantees the form. */
  @JsonIgnore
  public Duration podReadyTimeout() {
    String t = podReadyTimeout == null ? DEFAULT_POD_READY_TIMEOUT : podReadyTimeout;
    long n = Long.parseLong(t.substring(0, t.length() - 1));
    return switch (t.charAt(t.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException("podReadyTimeout must end in s, m or h, got " + t);
    };
  }
}
