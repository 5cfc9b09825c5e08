package io.aiondb.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.auth.Principal.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Random policies and requests against a reference written from the design's words, with none of the production
 * matching code (globs by regular expression, prefixes by Latin-1 strings): a request is allowed exactly when a bound
 * role has a rule that literally grants it, and a prefix grant never reaches a key outside its prefixes. Each seed is
 * fixed, and printed with any failure, so a failure replays.
 */
class PolicyPropertyTest {
  private static final List<String> RULE_NAMESPACES =
      List.of("orders", "orders-eu", "ci-1", "ci-22", "logs", "*", "ci-*", "*-eu", "o*s", "*s*", "*1*", "**");
  private static final List<String> REQUEST_NAMESPACES =
      List.of("orders", "orders-eu", "ci-1", "ci-22", "ci-", "logs", "o", "os", "_system", "x1y", "eu");
  private static final List<String> PREFIX_CHARS = List.of("a", "b", "é");
  private static final byte[] KEY_BYTES = {'a', 'b', (byte) 0xC3, (byte) 0xA9, (byte) 0xFF};
  private static final List<Principal> PRINCIPALS = List.of(
      Principal.user("a", Method.PASSWORD_TOKEN), Principal.user("b", Method.CERTIFICATE),
      Principal.service("a", Method.API_KEY), Principal.ANONYMOUS, Principal.user("unbound", Method.API_KEY));
  private static final List<String> BINDABLE =
      List.of("r0", "r1", "r2", "r3", "readonly", "readwrite", "aion-operator", "admin", "root", "missing");

  @Test
  void aRequestIsAllowedExactlyWhenSomeBoundRuleLiterallyGrantsIt() {
    long seed = 0x5EC0_2026_1207L;
    Random random = new Random(seed);
    int allowed = 0;
    int denied = 0;
    for (int round = 0; round < 3000; round++) {
      List<Role> roles = randomRoles(random, false);
      Map<String, Set<String>> bindings = randomBindings(random, true);
      Policy policy = new Policy(bindings, roles);
      for (int i = 0; i < 60; i++) {
        Principal p = PRINCIPALS.get(random.nextInt(PRINCIPALS.size()));
        Operation op = Operation.values()[random.nextInt(Operation.values().length)];
        String ns = op.isClusterLevel() ? null : pick(random, REQUEST_NAMESPACES);
        byte[] key = op.isClusterLevel() || random.nextInt(5) == 0 ? null : randomKey(random);
        boolean expected = reference(bindings, roles, p, op, ns, key);
        Decision d = policy.check(p, op, ns, key);
        assertThat(d.allowed()).as("seed %d round %d: %s, roles %s, bindings %s", seed, round, d, roles, bindings)
            .isEqualTo(expected);
        if (expected) allowed++;
        else denied++;
      }
    }
    // the generator exercises both answers, not just "deny"
    assertThat(allowed).isGreaterThan(20_000);
    assertThat(denied).isGreaterThan(20_000);
  }

  @Test
  void aPrefixGrantNeverAllowsAKeyOutsideItsPrefixes() {
    long seed = 0xA10_2026_1207L;
    Random random = new Random(seed);
    int allowedChecked = 0;
    for (int round = 0; round < 3000; round++) {
      List<Role> roles = randomRoles(random, true); // every rule has key prefixes
      Map<String, Set<String>> bindings = randomBindings(random, false); // custom roles only
      Policy policy = new Policy(bindings, roles);
      Set<String> allPrefixes = new HashSet<>();
      for (Role r : roles) for (Rule rule : r.rules()) allPrefixes.addAll(rule.keyPrefixes());
      for (int i = 0; i < 60; i++) {
        Principal p = PRINCIPALS.get(random.nextInt(PRINCIPALS.size()));
        Operation op = Operation.values()[random.nextInt(Operation.values().length)];
        if (op.isClusterLevel()) {
          assertThat(policy.check(p, op, null, null).allowed()).as("seed %d round %d", seed, round).isFalse();
          continue;
        }
        String ns = pick(random, REQUEST_NAMESPACES);
        assertThat(policy.check(p, op, ns, null).allowed()).as("seed %d round %d: whole namespace", seed, round)
            .isFalse();
        byte[] key = randomKey(random);
        Decision d = policy.check(p, op, ns, key);
        boolean underAPrefix = allPrefixes.stream().anyMatch(prefix -> startsWith(key, prefix));
        if (d.allowed()) {
          allowedChecked++;
          assertThat(underAPrefix).as("seed %d round %d: %s", seed, round, d).isTrue();
        }
        if (!underAPrefix) assertThat(d.allowed()).as("seed %d round %d: %s", seed, round, d).isFalse();
      }
    }
    assertThat(allowedChecked).isGreaterThan(1_000);
  }

  /** The design, read literally. */
  private static boolean reference(Map<String, Set<String>> bindings, List<Role> customRoles, Principal p,
      Operation op, String ns, byte[] key) {
    String who = p.kind() == Principal.Kind.ANONYMOUS ? "anonymous"
        : (p.kind() == Principal.Kind.USER ? "user:" : "service:") + p.name();
    for (String roleName : bindings.getOrDefault(who, Set.of())) {
      List<Rule> rules = null;
      if (Role.BUILT_IN.containsKey(roleName)) rules = Role.BUILT_IN.get(roleName).rules();
      for (Role r : customRoles) if (r.name().equals(roleName)) rules = r.rules();
      if (rules == null) continue; // bound to a role that does not exist
      for (Rule rule : rules) {
        if (!rule.operations().contains(op)) continue;
        boolean nsOk;
        if (ns == null) {
          nsOk = rule.namespaces().contains("*");
        } else {
          nsOk = !ns.startsWith("_") && rule.namespaces().stream().anyMatch(glob -> globRegex(glob).matcher(ns)
              .matches());
        }
        boolean keyOk = rule.keyPrefixes().isEmpty()
            || (key != null && rule.keyPrefixes().stream().anyMatch(prefix -> startsWith(key, prefix)));
        if (nsOk && keyOk) return true;
      }
    }
    return false;
  }

  private static Pattern globRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    for (String part : glob.split("\\*", -1)) {
      if (!regex.isEmpty()) regex.append(".*");
      regex.append(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString());
  }

  private static boolean startsWith(byte[] key, String prefix) {
    String k = new String(key, StandardCharsets.ISO_8859_1);
    String p = new String(prefix.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    return k.startsWith(p);
  }

  private static List<Role> randomRoles(Random random, boolean prefixesOnly) {
    List<Role> roles = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      if (random.nextInt(5) == 0) continue; // sometimes missing: a binding to it grants nothing
      List<Rule> rules = new ArrayList<>();
      for (int n = 1 + random.nextInt(3); n > 0; n--) rules.add(randomRule(random, prefixesOnly));
      roles.add(new Role("r" + r, rules));
    }
    return roles;
  }

  private static Rule randomRule(Random random, boolean prefixesOnly) {
    Set<Operation> ops = EnumSet.noneOf(Operation.class);
    for (Operation op : Operation.values()) if (random.nextInt(3) == 0) ops.add(op);
    if (!prefixesOnly && random.nextInt(6) == 0) {
      if (ops.isEmpty()) ops.add(Operation.BACKUP);
      return Rule.of(List.of("*"), ops); // may carry cluster-level operations
    }
    ops.removeIf(Operation::isClusterLevel);
    if (ops.isEmpty()) ops.add(Operation.values()[random.nextInt(6)]);
    List<String> namespaces = new ArrayList<>();
    for (int n = 1 + random.nextInt(2); n > 0; n--) namespaces.add(pick(random, RULE_NAMESPACES));
    List<String> prefixes = new ArrayList<>();
    int count = prefixesOnly ? 1 + random.nextInt(2) : random.nextInt(3);
    for (int n = count; n > 0; n--) {
      StringBuilder prefix = new StringBuilder();
      for (int c = 1 + random.nextInt(2); c > 0; c--) prefix.append(pick(random, PREFIX_CHARS));
      prefixes.add(prefix.toString());
    }
    return new Rule(namespaces, prefixes, ops);
  }

  private static Map<String, Set<String>> randomBindings(Random random, boolean builtIns) {
    Map<String, Set<String>> bindings = new HashMap<>();
    for (Principal p : PRINCIPALS.subList(0, 4)) {
      if (random.nextInt(4) == 0) continue;
      Set<String> names = new HashSet<>();
      for (int n = 1 + random.nextInt(2); n > 0; n--) {
        String name = pick(random, BINDABLE);
        if (!builtIns && Role.isBuiltIn(name)) continue;
        if (name.equals("root") && random.nextInt(3) != 0) continue; // keep "allow everything" rare
        names.add(name);
      }
      bindings.put(p.display(), names);
    }
    return bindings;
  }

  /** Random bytes, half of the time after one or two of the characters prefixes are made of (so some match). */
  private static byte[] randomKey(Random random) {
    StringBuilder head = new StringBuilder();
    if (random.nextBoolean()) {
      for (int c = 1 + random.nextInt(2); c > 0; c--) head.append(pick(random, PREFIX_CHARS));
    }
    byte[] start = head.toString().getBytes(StandardCharsets.UTF_8);
    byte[] key = java.util.Arrays.copyOf(start, start.length + random.nextInt(4));
    for (int i = start.length; i < key.length; i++) key[i] = KEY_BYTES[random.nextInt(KEY_BYTES.length)];
    return key;
  }

  private static <T> T pick(Random random, List<T> from) {
    return from.get(random.nextInt(from.size()));
  }
}
