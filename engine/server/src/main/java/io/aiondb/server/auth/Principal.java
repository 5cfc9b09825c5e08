package io.aiondb.server.auth;

import java.util.Locale;
import java.util.Objects;

/**
 * Who a caller proved to be, and how. Guarantees: a principal is either {@link #ANONYMOUS} (kind {@code ANONYMOUS},
 * method {@code NONE}, the only one with either) or a user or service account with a name of 1 to
 * {@value #MAX_NAME_LENGTH} characters and no control characters, authenticated by a real method. {@link #display()}
 * is unique per principal and is the key of policy bindings and the principal of audit records.
 *
 * @param name   the account name ({@code "anonymous"} for the anonymous principal)
 * @param kind   user, service account or anonymous
 * @param method how the claim was proved
 */
public record Principal(String name, Kind kind, Method method) {
  public static final int MAX_NAME_LENGTH = 256;

  /** The caller who proved nothing. It has no roles unless a policy binds {@code "anonymous"} explicitly. */
  public static final Principal ANONYMOUS = new Principal("anonymous", Kind.ANONYMOUS, Method.NONE);

  /** What kind of account a principal is. */
  public enum Kind {
    USER,
    SERVICE,
    ANONYMOUS;

    /** The lower-case name used in {@link #display()} and in tokens. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The kind with this wire name; {@link IllegalArgumentException} for any other string. */
    public static Kind fromWire(String wire) {
      for (Kind k : values()) {
        if (k.wire().equals(wire)) return k;
      }
      throw new IllegalArgumentException("unknown principal kind: " + wire);
    }
  }

  /** How a principal proved who it is. */
  public enum Method {
    PASSWORD_TOKEN,
    API_KEY,
    CERTIFICATE,
    NONE
  }

  public Principal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(method, "method");
    if ((kind == Kind.ANONYMOUS) != (method == Method.NONE)) {
      throw new IllegalArgumentException("the anonymous principal, and only it, has authentication method NONE");
    }
    if (kind == Kind.ANONYMOUS && !name.equals("anonymous")) {
      throw new IllegalArgumentException("the anonymous principal is named 'anonymous'");
    }
    validateName(name);
  }

  /** A user account authenticated by {@code method}. */
  public static Principal user(String name, Method method) {
    return new Principal(name, Kind.USER, method);
  }

  /** A service account authenticated by {@code method}. */
  public static Principal service(String name, Method method) {
    return new Principal(name, Kind.SERVICE, method);
  }

  /** {@code user:alice}, {@code service:ci} or {@code anonymous}. */
  public String display() {
    return kind == Kind.ANONYMOUS ? "anonymous" : kind.wire() + ":" + name;
  }

  /**
   * Throws {@link IllegalArgumentException} unless {@code name} is 1 to {@value #MAX_NAME_LENGTH} characters with no
   * control characters (names end up in logs, audit records and error messages).
   */
  public static void validateName(String name) {
    if (name == null || name.isEmpty()) throw new IllegalArgumentException("a principal name must not be empty");
    if (name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("a principal name must be at most " + MAX_NAME_LENGTH + " characters, not "
          + name.length());
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        throw new IllegalArgumentException("a principal name must not contain control characters");
      }
    }
  }

  @Override
  public String toString() {
    return display() + " (" + method.name().toLowerCase(Locale.ROOT) + ")";
  }
}
