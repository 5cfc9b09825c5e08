package io.aiondb.operator.users;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.operator.api.AionUser;
import io.aiondb.operator.api.AionUserSpec;
import io.aiondb.operator.model.Labels;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an AionUser means in the engine's terms (docs/operator.md "Users"): the account's name (the object's), its
 * inline role {@code aionuser.<name>} from spec.rules, the roles bound to it, the request bodies, and the credentials
 * Secret. Pure: no I/O.
 */
final class UserBuilders {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String INLINE_ROLE_PREFIX = "aionuser.";
  /** Keys of the credentials Secret. */
  static final String USERNAME = "username";
  static final String PASSWORD = "password";
  static final String API_KEY = "api-key";
  static final String CLUSTER = "cluster";
  static final String ENDPOINT = "endpoint";
  private static final Pattern KEY = Pattern.compile("aion_([0-9a-v]{12})_[A-Za-z0-9_-]{43}");

  private UserBuilders() {}

  static String inlineRole(AionUser user) {
    return INLINE_ROLE_PREFIX + user.getMetadata().getName();
  }

  static boolean hasRules(AionUser user) {
    return user.getSpec().getRules() != null && !user.getSpec().getRules().isEmpty();
  }

  /** spec.roles, then the inline role when spec.rules has grants. */
  static List<String> roles(AionUser user) {
    List<String> out = new ArrayList<>();
    if (user.getSpec().getRoles() != null) {
      user.getSpec().getRoles().stream().filter(r -> !out.contains(r)).forEach(out::add);
    }
    if (hasRules(user)) out.add(inlineRole(user));
    return out;
  }

  static AionUserSpec.Type type(AionUser user) {
    var a = user.getSpec().getAuthentication();
    return a == null || a.getType() == null ? AionUserSpec.Type.password : a.getType();
  }

  /** The Secret the operator writes (generated password or API key), named like the object. */
  static boolean ownsSecret(AionUser user) {
    var a = user.getSpec().getAuthentication();
    return type(user) == AionUserSpec.Type.apiKey || a == null || a.getPasswordSecret() == null;
  }

  /** The engine's role body: {@code {"rules": [...]}}. */
  static ObjectNode roleBody(AionUser user) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode rules = body.putArray("rules");
    for (AionUserSpec.Rule r : user.getSpec().getRules()) {
      ObjectNode o = rules.addObject();
      ArrayNode ns = o.putArray("namespaces");
      r.getNamespaces().forEach(ns::add);
      if (r.getKeyPrefixes() != null && !r.getKeyPrefixes().isEmpty()) {
        ArrayNode kp = o.putArray("keyPrefixes");
        r.getKeyPrefixes().forEach(kp::add);
      }
      ArrayNode ops = o.putArray("operations");
      r.getOperations().forEach(op -> ops.add(JSON.convertValue(op, String.class)));
    }
    return body;
  }

  /** Whether the engine's role (its GET answer) grants what {@code wanted} (a {@link #roleBody}) asks, in any order. */
  static boolean sameRules(JsonNode engineRole, JsonNode wanted) {
    return engineRole != null && normal(engineRole.path("rules")).equals(normal(wanted.path("rules")));
  }

  private static List<List<Set<String>>> normal(JsonNode rules) {
    List<List<Set<String>>> out = new ArrayList<>();
    for (JsonNode r : rules) {
      out.add(List.of(strings(r.path("namespaces")), strings(r.path("keyPrefixes")), strings(r.path("operations"))));
    }
    return out;
  }

  /** Whether the engine's account (its GET answer) has exactly {@code roles}, in any order. */
  static boolean sameRoles(JsonNode account, List<String> roles) {
    return account != null && strings(account.path("roles")).equals(new TreeSet<>(roles));
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new TreeSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static ObjectNode rolesBody(List<String> roles) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode arr = body.putArray("roles");
    roles.forEach(arr::add);
    return body;
  }

  /** The id of an API key ({@code aion_<id>_<secret>}), or null when {@code key} is not one. */
  static String keyId(String key) {
    if (key == null) return null;
    Matcher m = KEY.matcher(key.strip());
    return m.matches() ? m.group(1) : null;
  }

  /** One value of a Secret's data, decoded, or null. */
  static String value(Secret s, String key) {
    if (s == null) return null;
    String v = s.getData() == null ? null : s.getData().get(key);
    if (v != null) {
      try {
        return new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return s.getStringData() == null ? null : s.getStringData().get(key);
  }

  /** Whether the AionUser owns {@code s} (it made it). */
  static boolean owned(AionUser user, Secret s) {
    return s.getMetadata().getOwnerReferences() != null && s.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> user.getMetadata().getUid() != null && user.getMetadata().getUid().equals(o.getUid()));
  }

  /**
   * The credentials Secret, named like the AionUser and owned by it (deleted with it): {@code username}, the secret
   * ({@code password} or {@code api-key}), the {@code cluster} and its {@code endpoint}.
   */
  static Secret credentials(AionUser user, String secretKey, String secretValue, String endpoint) {
    Map<String, String> data = new TreeMap<>();
    data.put(USERNAME, b64(user.getMetadata().getName()));
    data.put(secretKey, b64(secretValue));
    data.put(CLUSTER, b64(user.getSpec().getCluster()));
    data.put(ENDPOINT, b64(endpoint));
    return new SecretBuilder().withNewMetadata().withName(user.getMetadata().getName())
        .withNamespace(user.getMetadata().getNamespace())
        .withLabels(Map.of(Labels.MANAGED_BY, Labels.OPERATOR, Labels.PART_OF, Labels.APP, Labels.INSTANCE,
            user.getSpec().getCluster(), "aiondb.io/user", user.getMetadata().getName()))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(user.getApiVersion()).withKind(AionUser.KIND)
            .withName(user.getMetadata().getName()).withUid(user.getMetadata().getUid()).withController(true)
            .withBlockOwnerDeletion(true).build())
        .endMetadata().withType("Opaque").withData(data).build();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
