/**
 * The pure building blocks of authentication and authorization (docs/design/011-security.md): who a caller is
 * ({@link io.aiondb.server.auth.Principal}), how a claim is proved (password hashes in {@link
 * io.aiondb.server.auth.Passwords}, signed session tokens in {@link io.aiondb.server.auth.TokenSigner}, API keys in
 * {@link io.aiondb.server.auth.ApiKeys}) and what a principal may do ({@link io.aiondb.server.auth.Operation},
 * {@link io.aiondb.server.auth.Rule}, {@link io.aiondb.server.auth.Role}, {@link io.aiondb.server.auth.Policy}).
 *
 * <p>Invariants of the package:
 * <ul>
 *   <li>No I/O, no Vert.x, no Ratis, no global state: the only inputs are arguments, a {@link java.time.Clock} and
 *       {@link java.security.SecureRandom}. The transports and the service layer wire these in.
 *   <li>Deny by default: a principal with no binding, an unknown role, an unknown key id, an unparseable credential
 *       or any doubt is a refusal, never a grant.
 *   <li>Secrets are compared in constant time ({@link java.security.MessageDigest#isEqual}); unauthenticated input is
 *       bounded in size and checked by hand before anything expensive (a JSON parser, an Argon2 run) sees it.
 *   <li>Everything here is immutable and thread-safe once built; a policy change is a new {@link
 *       io.aiondb.server.auth.Policy}.
 *   <li>Failures to authenticate are {@link io.aiondb.server.auth.AuthException}s with a reason a log or a metric can
 *       name; their messages never contain a secret.
 * </ul>
 */
package io.aiondb.server.auth;
