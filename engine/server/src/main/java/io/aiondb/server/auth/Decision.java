package io.aiondb.server.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * The answer of {@link Policy#check}: allowed or not, and the request it answers (operation, namespace or
 * {@code null} for the cluster, key or prefix or {@code null} for the whole namespace). Guarantee: {@link #message()}
 * names only what the caller asked for and who asked, never another namespace, prefix, role or binding, so a 403 built
 * from it reveals nothing the caller did not already say.
 *
 * @param allowed     whether the request is granted
 * @param principal   who asked
 * @param operation   what was asked
 * @param namespace   where ({@code null}: the cluster)
 * @param keyOrPrefix which keys ({@code null}: the whole namespace); not copied, do not modify
 */
public record Decision(boolean allowed, Principal principal, Operation operation, String namespace,
    byte[] keyOrPrefix) {
  private static final int MAX_SHOWN_KEY_BYTES = 64;

  public Decision {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(operation, "operation");
  }

  /** For a refusal: what grant was missing, e.g. {@code user:alice may not write key 'a/1' in namespace 'orders'}. */
  public String message() {
    String who = principal.display();
    String verb = allowed ? " may " : " may not ";
    if (namespace == null) return who + verb + operation.wire() + " (cluster-wide)";
    String where = "namespace '" + namespace + "'";
    if (keyOrPrefix == null) return who + verb + operation.wire() + " the whole of " + where;
    return who + verb + operation.wire() + " key or prefix " + show(keyOrPrefix) + " in " + where;
  }

  /** A key as text when it is UTF-8 without control characters, else base64; at most 64 bytes of it. */
  static String show(byte[] key) {
    byte[] shown = key.length > MAX_SHOWN_KEY_BYTES ? Arrays.copyOf(key, MAX_SHOWN_KEY_BYTES) : key;
    String more = shown.length < key.length ? "... (" + key.length + " bytes)" : "";
    try {
      String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(shown)).toString();
      if (s.chars().noneMatch(Character::isISOControl)) return "'" + s + "'" + more;
    } catch (CharacterCodingException e) {
      // fall through: binary, or a multi-byte character cut at 64 bytes
    }
    return "base64:" + Base64.getEncoder().encodeToString(shown) + more;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Decision d && allowed == d.allowed && principal.equals(d.principal)
        && operation == d.operation && Objects.equals(namespace, d.namespace)
        && Arrays.equals(keyOrPrefix, d.keyOrPrefix);
  }

  @Override
  public int hashCode() {
    return Objects.hash(allowed, principal, operation, namespace, Arrays.hashCode(keyOrPrefix));
  }

  @Override
  public String toString() {
    return (allowed ? "allowed: " : "denied: ") + message();
  }
}
