package io.aiondb.server.auth;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named list of {@link Rule}s; what a principal bound to it may do is the union of its rules. Guarantees: valid
 * once built (a name of {@code a-z 0-9 . _ -} starting with a letter or digit, at most {@value #MAX_NAME_LENGTH}
 * characters; at most {@value #MAX_RULES} rules) and immutable.
 *
 * <p>The built-in roles ({@link #BUILT_IN}) cannot be redefined by a {@link Policy}:
 * <ul>
 *   <li>{@code root}: every operation on every namespace and the cluster;
 *   <li>{@code admin}: the same except user-admin;
 *   <li>{@code readwrite}: read, write, delete, query, watch and txn on every namespace;
 *   <li>{@code readonly}: read, query and watch on every namespace;
 *   <li>{@code aion-operator}: cluster-admin and backup only, no access to data.
 * </ul>
 * "Every namespace" never includes the system namespaces ({@code _...}); see {@link Rule}.
 *
 * @param name  the role's name, the value of policy bindings
 * @param rules its grants
 */
public record Role(String name, List<Rule> rules) {
  public static final int MAX_NAME_LENGTH = 256;
  public static final int MAX_RULES = 100;
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  public static final Role ROOT = new Role("root", List.of(Rule.of(List.of(Rule.ALL), EnumSet.allOf(Operation.class))));
  public static final Role ADMIN = new Role("admin",
      List.of(Rule.of(List.of(Rule.ALL), EnumSet.complementOf(EnumSet.of(Operation.USER_ADMIN)))));
  public static final Role READWRITE = new Role("readwrite", List.of(Rule.of(List.of(Rule.ALL),
      EnumSet.of(Operation.READ, Operation.WRITE, Operation.DELETE, Operation.QUERY, Operation.WATCH, Operation.TXN))));
  public static final Role READONLY = new Role("readonly",
      List.of(Rule.of(List.of(Rule.ALL), EnumSet.of(Operation.READ, Operation.QUERY, Operation.WATCH))));
  public static final Role AION_OPERATOR = new Role("aion-operator",
      List.of(Rule.of(List.of(Rule.ALL), EnumSet.of(Operation.CLUSTER_READ, Operation.CLUSTER_ADMIN, Operation.BACKUP))));

  /** The built-in roles by name. */
  public static final Map<String, Role> BUILT_IN;

  static {
    Map<String, Role> m = new LinkedHashMap<>();
    for (Role r : List.of(ROOT, ADMIN, READWRITE, READONLY, AION_OPERATOR)) m.put(r.name(), r);
    BUILT_IN = java.util.Collections.unmodifiableMap(m);
  }

  public Role {
    Objects.requireNonNull(name, "name");
    if (name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("a role name has at most " + MAX_NAME_LENGTH + " characters, not "
          + name.length());
    }
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a role name is made of a-z, 0-9, '.', '_', '-', starting with a letter or "
          + "digit: '" + name + "'");
    }
    Objects.requireNonNull(rules, "rules");
    if (rules.size() > MAX_RULES) {
      throw new IllegalArgumentException("role " + name + " has " + rules.size() + " rules; at most " + MAX_RULES);
    }
    rules = List.copyOf(rules);
  }

  /** Whether {@code name} is a built-in role's. */
  public static boolean isBuiltIn(String name) {
    return BUILT_IN.containsKey(name);
  }

  /** Whether some rule of this role grants the request (see {@link Rule#grants}). */
  public boolean grants(Operation op, String namespace, byte[] keyOrPrefix) {
    for (Rule r : rules) {
      if (r.grants(op, namespace, keyOrPrefix)) return true;
    }
    return false;
  }
}
