package io.aiondb.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One grant of a role: the {@code operations} on the {@code namespaces}, restricted to keys under one of the
 * {@code keyPrefixes} (an empty list means the whole namespace). There are no deny rules: a role grants the union of
 * its rules.
 *
 * <p>Guarantees: a rule is valid once built (1 to {@value #MAX_ENTRIES} namespaces and operations, at most
 * {@value #MAX_ENTRIES} key prefixes, names and prefixes 1 to {@value #MAX_NAME_LENGTH} characters) and immutable.
 * Namespaces are names or globs of {@code a-z 0-9 _ . -} and {@code *}, where {@code *} matches any run of characters
 * (matched without regular expressions, in linear time); none may start with {@code _}, the prefix of system
 * namespaces, which no rule grants. Key prefixes are compared byte-wise as UTF-8. A rule granting a cluster-level
 * operation ({@link Operation#isClusterLevel()}) must be on namespaces {@code ["*"]} with no key prefixes, since that
 * is the only rule that can grant it: a rule that could never match is refused rather than kept as a false promise.
 *
 * @param namespaces   names or globs; a cluster-level operation is granted by the rule {@code ["*"]} only
 * @param keyPrefixes  UTF-8 key prefixes; empty for the whole namespace
 * @param operations   what may be done
 */
public record Rule(List<String> namespaces, List<String> keyPrefixes, Set<Operation> operations) {
  public static final int MAX_ENTRIES = 100;
  public static final int MAX_NAME_LENGTH = 256;
  /** The namespace glob matching every (non-system) namespace; the only one granting cluster-level operations. */
  public static final String ALL = "*";

  public Rule {
    if (namespaces == null || namespaces.isEmpty()) {
      throw new IllegalArgumentException("a rule needs at least one namespace (\"*\" for all)");
    }
    if (keyPrefixes == null) keyPrefixes = List.of();
    if (operations == null || operations.isEmpty()) throw new IllegalArgumentException("a rule needs an operation");
    if (namespaces.size() > MAX_ENTRIES || keyPrefixes.size() > MAX_ENTRIES || operations.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("a rule has at most " + MAX_ENTRIES + " namespaces, key prefixes and "
          + "operations each");
    }
    namespaces = List.copyOf(namespaces); // also refuses null elements
    keyPrefixes = List.copyOf(keyPrefixes);
    for (Operation op : operations) {
      if (op == null) throw new IllegalArgumentException("a rule's operations must not contain null");
    }
    operations = Collections.unmodifiableSet(EnumSet.copyOf(operations));
    for (String ns : namespaces) validateNamespace(ns);
    for (String p : keyPrefixes) {
      if (p.isEmpty()) {
        throw new IllegalArgumentException("an empty key prefix; leave keyPrefixes empty for the whole namespace");
      }
      if (p.length() > MAX_NAME_LENGTH) {
        throw new IllegalArgumentException("a key prefix has at most " + MAX_NAME_LENGTH + " characters, not "
            + p.length());
      }
    }
    boolean clusterLevel = operations.stream().anyMatch(Operation::isClusterLevel);
    if (clusterLevel && (!namespaces.equals(List.of(ALL)) || !keyPrefixes.isEmpty())) {
      throw new IllegalArgumentException("user-admin, cluster-admin and backup concern the whole cluster: grant them "
          + "in a rule with namespaces [\"*\"] and no key prefixes");
    }
  }

  /** A rule on whole namespaces. */
  public static Rule of(List<String> namespaces, Set<Operation> operations) {
    return new Rule(namespaces, List.of(), operations);
  }

  /**
   * Whether this rule grants {@code op} on {@code namespace} ({@code null} for a cluster-level operation) for
   * {@code keyOrPrefix}: one key or every key under a prefix, or {@code null} for the whole namespace. A whole
   * namespace is granted only by a rule without key prefixes; a key or prefix, by a rule without key prefixes or with
   * one that is a byte-wise prefix of it. A system namespace ({@code _...}) is never granted.
   */
  public boolean grants(Operation op, String namespace, byte[] keyOrPrefix) {
    if (!operations.contains(op)) return false;
    if (namespace == null) {
      if (!namespaces.contains(ALL)) return false;
    } else {
      if (namespace.startsWith("_")) return false;
      boolean any = false;
      for (String glob : namespaces) {
        if (Glob.matches(glob, namespace)) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    }
    if (keyPrefixes.isEmpty()) return true;
    if (keyOrPrefix == null) return false;
    for (String p : keyPrefixes) {
      if (startsWith(keyOrPrefix, p.getBytes(StandardCharsets.UTF_8))) return true;
    }
    return false;
  }

  static boolean startsWith(byte[] key, byte[] prefix) {
    if (key.length < prefix.length) return false;
    for (int i = 0; i < prefix.length; i++) {
      if (key[i] != prefix[i]) return false;
    }
    return true;
  }

  private static void validateNamespace(String ns) {
    if (ns.isEmpty() || ns.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("a namespace name or glob has 1 to " + MAX_NAME_LENGTH + " characters");
    }
    if (ns.startsWith("_")) {
      throw new IllegalArgumentException("namespaces starting with '_' are the system's and cannot be granted: " + ns);
    }
    for (int i = 0; i < ns.length(); i++) {
      char c = ns.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' || c == '*')) {
        throw new IllegalArgumentException("a namespace name or glob is made of a-z, 0-9, '_', '.', '-' and '*': '"
            + ns + "'");
      }
    }
  }
}
