package io.aiondb.server.service;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.audit.AuditLog;
import io.aiondb.server.auth.AuthException;
import io.aiondb.server.auth.AuthRecords;
import io.aiondb.server.auth.Decision;
import io.aiondb.server.auth.Operation;
import io.aiondb.server.auth.Passwords;
import io.aiondb.server.auth.Principal;
import io.aiondb.server.auth.Role;
import io.aiondb.server.auth.Rule;
import io.aiondb.server.auth.TokenSigner;
import io.aiondb.server.consensus.Proposer;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.storage.RocksStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication and authorization for every transport (docs/security.md "Authentication and access control",
 * docs/design/011-security.md). With {@code auth.enabled=false} every check passes (a node on loopback, as before).
 *
 * <ul>
 *   <li><b>Records</b> (users, custom roles, token signing keys) are replicated ({@code Command.AuthWrite}); each member
 *       compiles them into one immutable {@link AuthRecords.Snapshot}, swapped whole when they change, so a check
 *       never sees half a change and every member decides alike at the same log position.</li>
 *   <li><b>Authentication</b>: {@code Authorization: Bearer <token>}; tokens are HMAC-signed, verified on any member
 *       without a round trip, and revoked by bumping the user's epoch (a password change does it too) or deleting the
 *       user. {@link #login} checks a password (Argon2id) and issues one; at most two logins hash at a time per node
 *       (a login costs ~19 MiB and tens of ms of CPU), an unknown user costs the same as a wrong password.</li>
 *   <li><b>Authorization</b>: {@link #require} before anything is looked up, so a refusal never depends on whether
 *       the thing exists; an anonymous caller refused is {@code UNAUTHENTICATED} (401), an authenticated one
 *       {@code FORBIDDEN} (403). Both are audited.</li>
 * </ul>
 */
public final class AuthService {
  private static final Logger LOG = LoggerFactory.getLogger(AuthService.class);
  /** The name of the user created at the first start from auth.root-password-file. */
  public static final String ROOT = "root";
  /** The service account created at the first start from auth.operator-key-file (the Kubernetes operator's identity). */
  public static final String OPERATOR = "aion-operator";
  /** The signing key the first members create (every member tries; the first write wins). */
  static final String FIRST_KID = "k1";
  private static final String DUMMY_HASH = Passwords.hash("not-a-real-password".toCharArray());

  private final boolean enabled;
  private final RocksStore store;
  private final Proposer proposer;
  private final Clock clock;
  private final Duration tokenTtl;
  private final Duration timeout;
  private final AuditLog audit;
  private final Semaphore hashing = new Semaphore(2);
  /** Failed logins in the last minute on this node, by user name and by source address (brute-force brake). */
  private final com.github.benmanes.caffeine.cache.Cache<String, java.util.concurrent.atomic.AtomicInteger> failures =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1))
          .maximumSize(100_000).build();
  /** Failed logins per user name, and per source address, within a minute before logins are refused. */
  public static final int MAX_FAILURES_PER_USER = 10;
  public static final int MAX_FAILURES_PER_ADDRESS = 50;
  private final SecureRandom random = new SecureRandom();
  private volatile long loadedVersion = Long.MIN_VALUE;
  private volatile AuthRecords.Snapshot snapshot = AuthRecords.Snapshot.EMPTY;

  public AuthService(boolean enabled, RocksStore store, Proposer proposer, Clock clock, Duration tokenTtl,
      Duration requestTimeout, AuditLog audit) {
    this.enabled = enabled;
    this.store = store;
    this.proposer = proposer;
    this.clock = clock;
    this.tokenTtl = tokenTtl;
    this.timeout = requestTimeout;
    this.audit = audit;
  }

  /** A service with authentication off: every check passes (tests of other layers, tools). */
  public static AuthService off() {
    return new AuthService(false, null, null, Clock.systemUTC(), Duration.ofHours(1), Duration.ofSeconds(30), AuditLog.OFF);
  }

  public boolean enabled() {
    return enabled;
  }

  /** The records as this member has applied them (recompiled when they changed). */
  public AuthRecords.Snapshot snapshot() {
    if (store == null) return AuthRecords.Snapshot.EMPTY;
    long v = store.authVersion();
    if (v != loadedVersion) {
      synchronized (this) {
        if (v != loadedVersion) {
          snapshot = AuthRecords.compile(store.authRecords(), clock);
          loadedVersion = v;
        }
      }
    }
    return snapshot;
  }

  // ------------------------------------------------------------------ authentication

  /**
   * The principal an {@code Authorization} header proves: anonymous without one; {@code UNAUTHENTICATED} for anything
   * but a valid, unrevoked bearer token of an existing user. Only called with auth enabled.
   */
  public Principal authenticate(String authorization) {
    if (authorization == null || authorization.isBlank()) return Principal.ANONYMOUS;
    if (authorization.length() < 8 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new AionException(ErrorCode.UNAUTHENTICATED, "only 'Authorization: Bearer <token>' is accepted");
    }
    String token = authorization.substring(7).trim();
    AuthRecords.Snapshot s = snapshot();
    if (token.startsWith(io.aiondb.server.auth.ApiKeys.PREFIX)) return apiKey(s, token);
    if (s.signer() == null) throw new AionException(ErrorCode.UNAUTHENTICATED, "this cluster cannot verify tokens yet");
    TokenSigner.Verified v;
    try {
      v = s.signer().verify(token);
    } catch (AuthException e) {
      throw new AionException(ErrorCode.UNAUTHENTICATED, "invalid token (" + e.reason().name().toLowerCase() + ")");
    }
    AuthRecords.User u = s.users().get(v.principal().name());
    if (u == null || v.principal().kind() != Principal.Kind.USER || u.epoch() != v.epoch()) {
      throw new AionException(ErrorCode.UNAUTHENTICATED, "the token was revoked");
    }
    return v.principal();
  }

  /** A service account's API key: its id names the account, its secret must match one of the account's keys. */
  private static Principal apiKey(AuthRecords.Snapshot s, String key) {
    io.aiondb.server.auth.ApiKeys.Presented p;
    try {
      p = io.aiondb.server.auth.ApiKeys.parse(key);
    } catch (AuthException e) {
      throw new AionException(ErrorCode.UNAUTHENTICATED, "invalid API key (malformed)");
    }
    AuthRecords.Service sv = s.serviceByKeyId().get(p.keyId());
    if (sv != null) {
      for (AuthRecords.Service.Key k : sv.keys()) {
        if (k.keyId().equals(p.keyId()) && io.aiondb.server.auth.ApiKeys.matches(
            new io.aiondb.server.auth.ApiKeys.StoredKey(k.keyId(), k.secretSha256()), p)) {
          return sv.principal();
        }
      }
    }
    throw new AionException(ErrorCode.UNAUTHENTICATED, "invalid API key (unknown or removed)");
  }

  /**
   * Checks a user's password and issues a token. Runs the password hash on the calling thread (never an event loop):
   * at most two at a time per node, others wait up to request.timeout, then {@code OVERLOADED}.
   */
  public TokenSigner.Issued login(Caller caller, String user, char[] password) {
    if (!enabled) throw new AionException(ErrorCode.BAD_REQUEST, "authentication is off on this node (auth.enabled)");
    String userKey = "u:" + user;
    String addressKey = "a:" + caller.remoteHost();
    if (count(userKey) >= MAX_FAILURES_PER_USER || count(addressKey) >= MAX_FAILURES_PER_ADDRESS) {
      audit.record(caller, "auth.login", user == null ? "" : user, AuditLog.Outcome.failure,
          "RATE_LIMITED: too many failed logins");
      throw new AionException(ErrorCode.RATE_LIMITED, "too many failed logins for this user or from this address in "
          + "the last minute; wait and retry");
    }
    try {
      if (!hashing.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AionException(ErrorCode.OVERLOADED, "too many logins at once; retry");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AionException(ErrorCode.UNAVAILABLE, "interrupted");
    }
    try {
      AuthRecords.Snapshot s = snapshot();
      AuthRecords.User u = user == null ? null : s.users().get(user);
      boolean ok = Passwords.verify(password, u == null ? DUMMY_HASH : u.passwordHash()) && u != null;
      if (!ok) {
        failures.asMap().computeIfAbsent(userKey, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        failures.asMap().computeIfAbsent(addressKey, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        audit.record(caller, "auth.login", user == null ? "" : user, AuditLog.Outcome.failure,
            "UNAUTHENTICATED: wrong user name or password");
        throw new AionException(ErrorCode.UNAUTHENTICATED, "wrong user name or password");
      }
      if (s.signer() == null) throw new AionException(ErrorCode.UNAVAILABLE, "this cluster has no token signing key yet");
      failures.invalidate(userKey);
      TokenSigner.Issued issued = s.signer().issue(u.principal(), u.epoch(), tokenTtl);
      audit.record(caller.as(u.principal()), "auth.login", user, AuditLog.Outcome.success, null);
      return issued;
    } finally {
      hashing.release();
    }
  }

  private int count(String key) {
    var n = failures.getIfPresent(key);
    return n == null ? 0 : n.get();
  }

  // ------------------------------------------------------------------ authorization

  /**
   * Returns when the caller may do {@code op} on {@code namespace} ({@code null}: a cluster-level operation) and
   * {@code keyOrPrefix} ({@code null}: the whole namespace); otherwise throws {@code UNAUTHENTICATED} (anonymous) or
   * {@code FORBIDDEN}, after recording the refusal in the audit log. Call it before looking anything up.
   */
  public void require(Caller caller, Operation op, String namespace, byte[] keyOrPrefix) {
    if (!enabled) return;
    Decision d = snapshot().policy().check(caller.identity(), op, namespace, keyOrPrefix);
    if (d.allowed()) return;
    boolean anonymous = caller.identity().kind() == Principal.Kind.ANONYMOUS;
    ErrorCode code = anonymous ? ErrorCode.UNAUTHENTICATED : ErrorCode.FORBIDDEN;
    String message = anonymous ? "authentication required (Authorization: Bearer <token>, see POST /v1/auth/login)"
        : d.message();
    audit.record(caller, "auth.denied", target(op, namespace, keyOrPrefix), AuditLog.Outcome.failure,
        code.name() + ": " + d.message());
    throw new AionException(code, message);
  }

  /** With auth enabled: {@code UNAUTHENTICATED} (audited) for an anonymous caller asking for {@code what}. */
  public void requireAuthenticated(Caller caller, String what) {
    if (!enabled || caller.identity().kind() != Principal.Kind.ANONYMOUS) return;
    audit.record(caller, "auth.denied", what, AuditLog.Outcome.failure, "UNAUTHENTICATED: anonymous");
    throw new AionException(ErrorCode.UNAUTHENTICATED,
        "authentication required (Authorization: Bearer <token>, see POST /v1/auth/login)");
  }

  /** Whether the caller may do {@code op} (no audit record, no exception): for filtering lists by what one may see. */
  public boolean allows(Caller caller, Operation op, String namespace, byte[] keyOrPrefix) {
    return !enabled || snapshot().policy().check(caller.identity(), op, namespace, keyOrPrefix).allowed();
  }

  private static String target(Operation op, String namespace, byte[] key) {
    String t = op.wire();
    if (namespace != null) t += " " + namespace;
    if (key != null) t += "/" + new String(key, StandardCharsets.UTF_8);
    return t;
  }

  /**
   * The longest prefix every key of {@code [from, to)} starts with ({@code to} null or empty: no upper bound), for
   * checking a range read as a prefix read: conservative (a range that is exactly a prefix's keys gets that prefix).
   */
  public static byte[] coveringPrefix(byte[] from, byte[] to) {
    if (to == null || to.length == 0) return new byte[0];
    for (int n = from.length; n > 0; n--) {
      byte[] p = java.util.Arrays.copyOf(from, n);
      byte[] end = io.aiondb.server.storage.Keys.prefixEnd(p);
      if (end != null && java.util.Arrays.compareUnsigned(to, end) <= 0) return p;
    }
    return new byte[0];
  }

  // ------------------------------------------------------------------ users and roles

  /** {@link #checkName}'s refusal as a failed future (400), or null when the name is fine. */
  private static <T> CompletableFuture<T> invalidName(String kind, String name) {
    try {
      checkName(kind, name);
      return null;
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new AionException(ErrorCode.BAD_REQUEST, e.getMessage()));
    }
  }

  /** A user, service account or group name: 1-256 of a-z, A-Z, 0-9 and {@code ._@-}; else IllegalArgumentException. */
  private static void checkName(String kind, String name) {
    if (name == null || !name.matches("[A-Za-z0-9._@-]{1,256}")) {
      throw new IllegalArgumentException("a " + kind + " name is 1-256 characters of a-z, A-Z, 0-9 and ._@-");
    }
  }

  /** Creates or changes a user. A new user needs a password; a new password revokes the user's tokens. */
  public CompletableFuture<Void> putUser(Caller caller, String name, char[] password, List<String> roles) {
    require(caller, Operation.USER_ADMIN, null, null);
    try {
      Principal.validateName(name);
      checkName("user", name);
      if (password != null) Passwords.validateNew(password);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new AionException(ErrorCode.BAD_REQUEST, e.getMessage()));
    }
    AuthRecords.Snapshot s = snapshot();
    for (String r : roles) {
      if (!Role.isBuiltIn(r) && !s.roles().containsKey(r)) {
        return CompletableFuture.failedFuture(new AionException(ErrorCode.BAD_REQUEST, "no role '" + r + "'"));
      }
    }
    AuthRecords.User old = s.users().get(name);
    if (old == null && password == null) {
      return CompletableFuture.failedFuture(new AionException(ErrorCode.BAD_REQUEST, "a new user needs a password"));
    }
    String hash = password != null ? Passwords.hash(password) : old.passwordHash();
    long epoch = old == null ? 0 : password != null ? old.epoch() + 1 : old.epoch();
    return write(new Command.AuthWrite(AuthRecords.USER + name,
        AuthRecords.encode(new AuthRecords.User(name, hash, roles, epoch)), false)).thenApply(r -> null);
  }

  /** Revokes every token issued to the user so far. */
  public CompletableFuture<Void> revokeTokens(Caller caller, String name) {
    require(caller, Operation.USER_ADMIN, null, null);
    AuthRecords.User old = snapshot().users().get(name);
    if (old == null) return CompletableFuture.failedFuture(new AionException(ErrorCode.NOT_FOUND, "no user '" + name + "'"));
    return write(new Command.AuthWrite(AuthRecords.USER + name, AuthRecords.encode(
        new AuthRecords.User(name, old.passwordHash(), old.roles(), old.epoch() + 1)), false)).thenApply(r -> null);
  }

  /** Removes a user (its tokens stop working at once). The root user cannot be removed (lock-out). */
  public CompletableFuture<Boolean> deleteUser(Caller caller, String name) {
    require(caller, Operation.USER_ADMIN, null, null);
    if (ROOT.equals(name)) {
      return CompletableFuture.failedFuture(new AionException(ErrorCode.BAD_REQUEST,
          "the root user cannot be removed; change its password instead"));
    }
    CompletableFuture<Boolean> bad = invalidName("user", name);
    if (bad != null) return bad;
    return write(new Command.AuthWrite(AuthRecords.USER + name, null, false)).thenApply(ApplyResult.AuthWritten::changed);
  }

  /** Creates or replaces a custom role (built-in roles cannot be redefined). */
  public CompletableFuture<Void> putRole(Caller caller, String name, List<Rule> rules) {
    require(caller, Operation.USER_ADMIN, null, null);
    Role role;
    try {
      if (Role.isBuiltIn(name)) throw new IllegalArgumentException("'" + name + "' is a built-in role");
      role = new Role(name, rules);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new AionException(ErrorCode.BAD_REQUEST, e.getMessage()));
    }
    return write(new Command.AuthWrite(AuthRecords.ROLE + name, AuthRecords.encode(role), false)).thenApply(r -> null);
  }

  /** Removes a custom role; users still bound to it keep the binding, which grants nothing. */
  public CompletableFuture<Boolean> deleteRole(Caller caller, String name) {
    require(caller, Operation.USER_ADMIN, null, null);
    if (Role.isBuiltIn(name)) {
      return CompletableFuture.failedFuture(new AionException(ErrorCode.BAD_REQUEST, "'" + name + "' is a built-in role"));
    }
    if (!name.matches("[a-z0-9][a-z0-9._-]{0,255}")) {
      return CompletableFuture.failedFuture(new AionException(ErrorCode.BAD_REQUEST,
          "a role name is a-z, 0-9, '.', '_', '-', starting with a letter or digit"));
    }
    return write(new Command.AuthWrite(AuthRecords.ROLE + name, null, false)).thenApply(ApplyResult.AuthWritten::changed);
  }

  /** Creates a service account or changes its roles (its keys stay). */
  public CompletableFuture<AuthRecords.Service> putService(Caller caller, String name, List<String> roles) {
    require(caller, Operation.USER_ADMIN, null, null);
    CompletableFuture<AuthRecords.Service> bad = invalidName("service account", name);
    if (bad != null) return bad;
    AuthRecords.Snapshot s = snapshot();
    for (String r : roles) {
      if (!Role.isBuiltIn(r) && !s.roles().containsKey(r)) {
        return CompletableFuture.failedFuture(new AionException(ErrorCode.BAD_REQUEST, "no role '" + r + "'"));
      }
    }
    AuthRecords.Service old = s.services().get(name);
    AuthRecords.Service sv = new AuthRecords.Service(name, roles, old == null ? List.of() : old.keys());
    return write(new Command.AuthWrite(AuthRecords.SERVICE + name, AuthRecords.encode(sv), false)).thenApply(r -> sv);
  }

  /** A new API key for a service account: the whole key is in the answer, once; only its hash is stored. */
  public CompletableFuture<io.aiondb.server.auth.ApiKeys.Generated> createApiKey(Caller caller, String name) {
    require(caller, Operation.USER_ADMIN, null, null);
    AuthRecords.Service old = snapshot().services().get(name);
    if (old == null) {
      return CompletableFuture.failedFuture(new AionException(ErrorCode.NOT_FOUND, "no service account '" + name + "'"));
    }
    if (old.keys().size() >= AuthRecords.Service.MAX_KEYS) {
      return CompletableFuture.failedFuture(new AionException(ErrorCode.BAD_REQUEST, "service account '" + name
          + "' has " + AuthRecords.Service.MAX_KEYS + " keys already: remove one first"));
    }
    var g = io.aiondb.server.auth.ApiKeys.generate();
    List<AuthRecords.Service.Key> keys = new ArrayList<>(old.keys());
    keys.add(new AuthRecords.Service.Key(g.stored().keyId(), g.stored().secretSha256(), clock.millis()));
    return write(new Command.AuthWrite(AuthRecords.SERVICE + name,
        AuthRecords.encode(new AuthRecords.Service(name, old.roles(), keys)), false)).thenApply(r -> g);
  }

  /** Removes one API key of a service account (it stops working at once); false when it had no such key. */
  public CompletableFuture<Boolean> deleteApiKey(Caller caller, String name, String keyId) {
    require(caller, Operation.USER_ADMIN, null, null);
    AuthRecords.Service old = snapshot().services().get(name);
    if (old == null || old.keys().stream().noneMatch(k -> k.keyId().equals(keyId))) {
      return CompletableFuture.completedFuture(false);
    }
    List<AuthRecords.Service.Key> keys = old.keys().stream().filter(k -> !k.keyId().equals(keyId)).toList();
    return write(new Command.AuthWrite(AuthRecords.SERVICE + name,
        AuthRecords.encode(new AuthRecords.Service(name, old.roles(), keys)), false)).thenApply(r -> true);
  }

  /** Removes a service account and with it all its keys. */
  public CompletableFuture<Boolean> deleteService(Caller caller, String name) {
    require(caller, Operation.USER_ADMIN, null, null);
    CompletableFuture<Boolean> bad = invalidName("service account", name);
    if (bad != null) return bad;
    return write(new Command.AuthWrite(AuthRecords.SERVICE + name, null, false)).thenApply(ApplyResult.AuthWritten::changed);
  }

  /**
   * Creates or replaces a group: its roles are bound to each member ({@code user:<name>}, {@code service:<name>}) on
   * top of the member's own, at once on every member of the cluster.
   */
  public CompletableFuture<AuthRecords.Group> putGroup(Caller caller, String name, List<String> roles, List<String> members) {
    require(caller, Operation.USER_ADMIN, null, null);
    AuthRecords.Group g;
    try {
      checkName("group", name);
      g = new AuthRecords.Group(name, roles, members);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new AionException(ErrorCode.BAD_REQUEST, e.getMessage()));
    }
    AuthRecords.Snapshot s = snapshot();
    for (String r : roles) {
      if (!Role.isBuiltIn(r) && !s.roles().containsKey(r)) {
        return CompletableFuture.failedFuture(new AionException(ErrorCode.BAD_REQUEST, "no role '" + r + "'"));
      }
    }
    return write(new Command.AuthWrite(AuthRecords.GROUP + name, AuthRecords.encode(g), false)).thenApply(r -> g);
  }

  /** Removes a group: its members lose the roles it gave them, at once. */
  public CompletableFuture<Boolean> deleteGroup(Caller caller, String name) {
    require(caller, Operation.USER_ADMIN, null, null);
    CompletableFuture<Boolean> bad = invalidName("group", name);
    if (bad != null) return bad;
    return write(new Command.AuthWrite(AuthRecords.GROUP + name, null, false)).thenApply(ApplyResult.AuthWritten::changed);
  }

  /** Groups with their roles and members, for user admins. */
  public List<AuthRecords.Group> groups(Caller caller) {
    require(caller, Operation.USER_ADMIN, null, null);
    return new ArrayList<>(snapshot().groups().values());
  }

  /** Service accounts (key ids and creation times, never secrets) for user admins. */
  public List<AuthRecords.Service> services(Caller caller) {
    require(caller, Operation.USER_ADMIN, null, null);
    return new ArrayList<>(snapshot().services().values());
  }

  /** Users (without password hashes) for user admins. */
  public List<AuthRecords.User> users(Caller caller) {
    require(caller, Operation.USER_ADMIN, null, null);
    return new ArrayList<>(snapshot().users().values());
  }

  /** Every role, built-in first, for user admins. */
  public List<Role> roles(Caller caller) {
    require(caller, Operation.USER_ADMIN, null, null);
    List<Role> out = new ArrayList<>(Role.BUILT_IN.values());
    out.addAll(snapshot().roles().values());
    return out;
  }

  // ------------------------------------------------------------------ bootstrap

  /**
   * With auth enabled: makes sure the cluster has a token signing key (only if absent: every member may try, the first
   * wins), and that the files this node was given hold: with {@code rootPassword}, a user root (role root) with that
   * password; with {@code operatorKey}, a service account {@value #OPERATOR} (role of the same name) that accepts that
   * key. The files are the source of truth, as the Kubernetes Secrets they come from: a root password changed through
   * the API is set back at the next start unless the file changes too, and a cluster restored from another cluster's
   * backup takes this one's credentials (else its operator and root would be locked out). Returns when all hold (or
   * a write failed: the caller retries).
   */
  public CompletableFuture<Void> bootstrap(char[] rootPassword, io.aiondb.server.auth.ApiKeys.Presented operatorKey) {
    if (!enabled) return CompletableFuture.completedFuture(null);
    AuthRecords.Snapshot s = snapshot();
    CompletableFuture<?> key = CompletableFuture.completedFuture(null);
    if (s.signer() == null) {
      byte[] secret = new byte[32];
      random.nextBytes(secret);
      key = write(new Command.AuthWrite(AuthRecords.SIGNING_KEY + FIRST_KID,
          AuthRecords.encode(new AuthRecords.SigningKey(FIRST_KID, secret, clock.millis())), true));
    }
    CompletableFuture<?> root = CompletableFuture.completedFuture(null);
    AuthRecords.User oldRoot = s.users().get(ROOT);
    if (rootPassword == null) {
      if (oldRoot == null) {
        LOG.warn("auth.enabled, but the cluster has no root user and this node has no auth.root-password-file: nobody "
            + "can log in until a node that has one starts");
      }
    } else if (oldRoot == null) {
      root = write(new Command.AuthWrite(AuthRecords.USER + ROOT, AuthRecords.encode(
          new AuthRecords.User(ROOT, Passwords.hash(rootPassword), List.of("root"), 0)), true));
    } else if (!Passwords.verify(rootPassword, oldRoot.passwordHash())) {
      LOG.info("auth.root-password-file differs from the root user's password: setting it (root's tokens are revoked)");
      List<String> roles = oldRoot.roles().contains("root") ? oldRoot.roles()
          : java.util.stream.Stream.concat(oldRoot.roles().stream(), java.util.stream.Stream.of("root")).toList();
      root = write(new Command.AuthWrite(AuthRecords.USER + ROOT, AuthRecords.encode(
          new AuthRecords.User(ROOT, Passwords.hash(rootPassword), roles, oldRoot.epoch() + 1)), false));
    }
    CompletableFuture<?> operator = CompletableFuture.completedFuture(null);
    if (operatorKey != null && !operatorKeyHolds(s, operatorKey)) {
      var stored = io.aiondb.server.auth.ApiKeys.stored(operatorKey);
      var added = new AuthRecords.Service.Key(stored.keyId(), stored.secretSha256(), clock.millis());
      AuthRecords.Service old = s.services().get(OPERATOR);
      if (old == null) {
        operator = write(new Command.AuthWrite(AuthRecords.SERVICE + OPERATOR, AuthRecords.encode(new AuthRecords.Service(
            OPERATOR, List.of(Role.AION_OPERATOR.name()), List.of(added))), true));
      } else {
        LOG.info("auth.operator-key-file holds a key the service account {} does not accept: adding it", OPERATOR);
        List<AuthRecords.Service.Key> keys = new ArrayList<>(old.keys().stream()
            .filter(k -> !k.keyId().equals(added.keyId())).toList());
        while (keys.size() >= AuthRecords.Service.MAX_KEYS) keys.remove(0); // the oldest makes room
        keys.add(added);
        List<String> roles = old.roles().contains(Role.AION_OPERATOR.name()) ? old.roles()
            : java.util.stream.Stream.concat(old.roles().stream(), java.util.stream.Stream.of(Role.AION_OPERATOR.name())).toList();
        operator = write(new Command.AuthWrite(AuthRecords.SERVICE + OPERATOR,
            AuthRecords.encode(new AuthRecords.Service(OPERATOR, roles, keys)), false));
      }
    }
    return CompletableFuture.allOf(key, root, operator);
  }

  /** Whether the service account {@value #OPERATOR} exists and accepts {@code key} ({@link #bootstrap}). */
  public boolean operatorKeyHolds(AuthRecords.Snapshot s, io.aiondb.server.auth.ApiKeys.Presented key) {
    AuthRecords.Service sv = s.services().get(OPERATOR);
    if (sv == null) return false;
    for (AuthRecords.Service.Key k : sv.keys()) {
      if (io.aiondb.server.auth.ApiKeys.matches(new io.aiondb.server.auth.ApiKeys.StoredKey(k.keyId(), k.secretSha256()), key)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the user root exists with {@code password} ({@link #bootstrap}); an Argon2 check: at start only. */
  public boolean rootPasswordHolds(AuthRecords.Snapshot s, char[] password) {
    AuthRecords.User u = s.users().get(ROOT);
    return u != null && Passwords.verify(password, u.passwordHash());
  }

  private CompletableFuture<ApplyResult.AuthWritten> write(Command.AuthWrite c) {
    CompletableFuture<ApplyResult> proposed;
    try {
      proposed = proposer.propose(c);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return proposed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).thenApply(r -> {
      if (r instanceof ApplyResult.Rejected rej) throw new AionException(rej.code(), rej.message());
      return (ApplyResult.AuthWritten) r;
    });
  }
}
