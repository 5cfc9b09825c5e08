package io.aiondb.server.auth;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable snapshot of who may do what: bindings from principals ({@link Principal#display()}: {@code user:alice},
 * {@code service:ci}, {@code anonymous}) to role names, and the custom roles by name beside the built-in ones
 * ({@link Role#BUILT_IN}, which cannot be redefined). A policy change is a new snapshot, swapped in whole, so a check
 * never sees half of a change.
 *
 * <p>{@link #check} is the one authorization decision: deny by default; allowed iff some role bound to the principal
 * has a rule that grants the request ({@link Rule#grants}): the operation, a matching namespace (a cluster-level
 * operation only through namespaces {@code ["*"]}), and no key prefixes or one that is a byte-wise prefix of the key or
 * prefix asked for. The anonymous principal has no roles unless {@code anonymous} is bound explicitly. A binding to a
 * role that does not exist grants nothing (a role deleted before its bindings are is not an error here). Thread-safe.
 */
public final class Policy {
  /** No bindings, no custom roles: everything is denied. */
  public static final Policy EMPTY = new Policy(Map.of(), List.of());

  private final Map<String, Set<String>> bindings;
  private final Map<String, Role> customRoles;
  private final Map<String, List<Role>> rolesByPrincipal;

  /**
   * @param bindings    principal display name to the names of its roles; copied
   * @param customRoles the roles besides the built-in ones; names unique and not built-in
   * @throws IllegalArgumentException for a malformed principal in a binding, a duplicate custom role or one that
   *                                  redefines a built-in role
   */
  public Policy(Map<String, Set<String>> bindings, Collection<Role> customRoles) {
    Objects.requireNonNull(bindings, "bindings");
    Objects.requireNonNull(customRoles, "customRoles");
    Map<String, Role> roles = new LinkedHashMap<>();
    for (Role r : customRoles) {
      Objects.requireNonNull(r, "role");
      if (Role.isBuiltIn(r.name())) {
        throw new IllegalArgumentException("role '" + r.name() + "' is built in and cannot be redefined");
      }
      if (roles.putIfAbsent(r.name(), r) != null) {
        throw new IllegalArgumentException("role '" + r.name() + "' is defined twice");
      }
    }
    Map<String, Set<String>> b = new LinkedHashMap<>();
    Map<String, List<Role>> compiled = new LinkedHashMap<>();
    for (var e : bindings.entrySet()) {
      String principal = e.getKey();
      validatePrincipal(principal);
      Set<String> names = Collections.unmodifiableSet(new LinkedHashSet<>(Objects.requireNonNull(e.getValue(),
          "roles of " + principal)));
      List<Role> bound = new ArrayList<>();
      for (String name : names) {
        Objects.requireNonNull(name, "a role name bound to " + principal);
        Role r = Role.BUILT_IN.containsKey(name) ? Role.BUILT_IN.get(name) : roles.get(name);
        if (r != null) bound.add(r);
      }
      b.put(principal, names);
      compiled.put(principal, List.copyOf(bound));
    }
    this.bindings = Collections.unmodifiableMap(b);
    this.customRoles = Collections.unmodifiableMap(roles);
    this.rolesByPrincipal = compiled;
  }

  /**
   * Whether {@code principal} may do {@code op} on {@code namespace} for {@code keyOrPrefix}.
   *
   * @param namespace   the namespace; {@code null} exactly when {@code op} is cluster-level
   * @param keyOrPrefix one key, or every key under a prefix; {@code null} for the whole namespace (a query without a
   *                    key range, dropping the namespace) and for cluster-level operations
   * @throws IllegalArgumentException when namespace or key are given for a cluster-level operation or the namespace
   *                                  is missing for another (a caller's bug, not a refusal)
   */
  public Decision check(Principal principal, Operation op, String namespace, byte[] keyOrPrefix) {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(op, "op");
    if (op.isClusterLevel() && (namespace != null || keyOrPrefix != null)) {
      throw new IllegalArgumentException(op.wire() + " is cluster-level: check it with no namespace and no key");
    }
    if (!op.isClusterLevel() && namespace == null) {
      throw new IllegalArgumentException(op.wire() + " is checked on a namespace");
    }
    for (Role r : rolesByPrincipal.getOrDefault(principal.display(), List.of())) {
      if (r.grants(op, namespace, keyOrPrefix)) return new Decision(true, principal, op, namespace, keyOrPrefix);
    }
    return new Decision(false, principal, op, namespace, keyOrPrefix);
  }

  /** The bindings: principal display name to role names (unmodifiable). */
  public Map<String, Set<String>> bindings() {
    return bindings;
  }

  /** The custom roles by name (unmodifiable); built-in ones are in {@link Role#BUILT_IN}. */
  public Map<String, Role> customRoles() {
    return customRoles;
  }

  /** The role with this name, built-in or custom. */
  public Optional<Role> role(String name) {
    Role r = Role.BUILT_IN.get(name);
    return Optional.ofNullable(r != null ? r : customRoles.get(name));
  }

  /** The existing roles bound to {@code principal}. */
  public List<Role> rolesOf(Principal principal) {
    return rolesByPrincipal.getOrDefault(principal.display(), List.of());
  }

  private static void validatePrincipal(String display) {
    Objects.requireNonNull(display, "a binding's principal");
    if (display.equals("anonymous")) return;
    int colon = display.indexOf(':');
    String kind = colon < 0 ? "" : display.substring(0, colon);
    if (!kind.equals("user") && !kind.equals("service")) {
      throw new IllegalArgumentException("a binding is for user:<name>, service:<name> or anonymous, not '"
          + display + "'");
    }
    Principal.validateName(display.substring(colon + 1));
  }
}
