package io.aiondb.operator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.extensions.CelExtensions;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks an object against a CRD's openAPIV3Schema the way the API server does for the parts this CRD uses: types,
 * enum, pattern, bounds, lengths, required, unknown fields (strict field validation, kubectl's default), and the
 * x-kubernetes-validations CEL rules (with the strings extension; transition rules only when an old value exists).
 * Not a full implementation of Kubernetes validation: a stand-in until tests run against a real API server.
 */
public final class CrdValidator {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN).addVar("oldSelf", SimpleType.DYN).addLibraries(CelExtensions.strings()).build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
      .addLibraries(CelExtensions.strings()).build();

  private final JsonNode crd;
  private final JsonNode schema;

  public CrdValidator(Path crdFile) throws IOException {
    this.crd = YAML.readTree(crdFile.toFile());
    this.schema = crd.at("/spec/versions/0/schema/openAPIV3Schema");
  }

  public JsonNode crd() {
    return crd;
  }

  public JsonNode schema() {
    return schema;
  }

  /** Errors for creating {@code object}; empty if the API server would accept it. */
  public List<String> create(JsonNode object) {
    return update(null, object);
  }

  /** Errors for updating {@code old} to {@code object}. */
  public List<String> update(JsonNode old, JsonNode object) {
    List<String> errors = new ArrayList<>();
    validate("", schema, object, old, errors, true);
    return errors;
  }

  private void validate(String path, JsonNode s, JsonNode v, JsonNode old, List<String> errors, boolean root) {
    if (v == null || v.isNull()) {
      return;
    }
    String type = s.path("type").asText("");
    switch (type) {
      case "object" -> {
        if (!v.isObject()) {
          errors.add(path + ": must be an object");
          return;
        }
        JsonNode props = s.path("properties");
        for (JsonNode req : s.path("required")) {
          if (!v.has(req.asText())) {
            errors.add(path + "." + req.asText() + ": Required value");
          }
        }
        if (s.has("maxProperties") && v.size() > s.get("maxProperties").asInt()) {
          errors.add(path + ": must have at most " + s.get("maxProperties").asInt() + " items");
        }
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        for (Map.Entry<String, JsonNode> f : v.properties()) {
          JsonNode oldField = old == null ? null : old.get(f.getKey());
          if (props.has(f.getKey())) {
            validate(path + "." + f.getKey(), props.get(f.getKey()), f.getValue(), oldField, errors, false);
          } else if (s.has("additionalProperties")) {
            validate(path + "." + f.getKey(), s.get("additionalProperties"), f.getValue(), oldField, errors, false);
          } else if (!preserve && !(root && List.of("apiVersion", "kind", "metadata").contains(f.getKey()))) {
            errors.add(path + "." + f.getKey() + ": unknown field");
          }
        }
      }
      case "array" -> {
        if (!v.isArray()) {
          errors.add(path + ": must be an array");
          return;
        }
        if (s.has("maxItems") && v.size() > s.get("maxItems").asInt()) {
          errors.add(path + ": must have at most " + s.get("maxItems").asInt() + " items");
        }
        for (int i = 0; i < v.size(); i++) {
          validate(path + "[" + i + "]", s.path("items"), v.get(i), null, errors, false);
        }
      }
      case "string" -> {
        if (!v.isTextual()) {
          errors.add(path + ": must be a string");
          return;
        }
        String text = v.asText();
        if (s.has("maxLength") && text.length() > s.get("maxLength").asInt()) {
          errors.add(path + ": may not be longer than " + s.get("maxLength").asInt());
        }
        if (s.has("minLength") && text.length() < s.get("minLength").asInt()) {
          errors.add(path + ": should be at least " + s.get("minLength").asInt() + " chars long");
        }
        if (s.has("pattern") && !Pattern.compile(s.get("pattern").asText()).matcher(text).find()) {
          errors.add(path + ": should match '" + s.get("pattern").asText() + "'");
        }
      }
      case "integer", "number" -> {
        if (!v.isNumber() || (type.equals("integer") && !v.canConvertToLong())) {
          errors.add(path + ": must be " + type);
          return;
        }
        if (s.has("minimum") && v.asDouble() < s.get("minimum").asDouble()) {
          errors.add(path + ": should be greater than or equal to " + s.get("minimum").asText());
        }
        if (s.has("maximum") && v.asDouble() > s.get("maximum").asDouble()) {
          errors.add(path + ": should be less than or equal to " + s.get("maximum").asText());
        }
      }
      case "boolean" -> {
        if (!v.isBoolean()) {
          errors.add(path + ": must be a boolean");
          return;
        }
      }
      default -> { }
    }
    if (s.has("enum")) {
      boolean found = false;
      for (JsonNode e : s.get("enum")) {
        found |= e.equals(v);
      }
      if (!found) {
        errors.add(path + ": Unsupported value: " + v + ": supported values: " + s.get("enum"));
      }
    }
    for (JsonNode rule : s.path("x-kubernetes-validations")) {
      String expr = rule.get("rule").asText();
      boolean transition = expr.contains("oldSelf");
      if (transition && old == null) {
        continue;
      }
      Object result = eval(expr, v, old);
      if (!Boolean.TRUE.equals(result)) {
        errors.add(path + ": Invalid value: " + rule.path("message").asText(expr));
      }
    }
  }

  /** Evaluates one rule; public for tests of the rules themselves. */
  public static Object eval(String expr, JsonNode self, JsonNode oldSelf) {
    try {
      CelAbstractSyntaxTree ast = COMPILER.compile(expr).getAst();
      Map<String, Object> vars = new LinkedHashMap<>();
      vars.put("self", toCel(self));
      if (oldSelf != null) {
        vars.put("oldSelf", toCel(oldSelf));
      }
      return RUNTIME.createProgram(ast).eval(name -> Optional.ofNullable(vars.get(name)));
    } catch (Exception e) {
      throw new IllegalStateException("CEL rule " + expr + " failed: " + e.getMessage(), e);
    }
  }

  private static Object toCel(JsonNode node) {
    return JSON.convertValue(node, Object.class) instanceof Object o ? normalize(o) : null;
  }

  @SuppressWarnings("unchecked")
  private static Object normalize(Object o) {
    if (o instanceof Integer i) {
      return i.longValue();
    }
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      ((Map<String, Object>) m).forEach((k, val) -> out.put(k, normalize(val)));
      return out;
    }
    if (o instanceof List<?> l) {
      return l.stream().map(CrdValidator::normalize).toList();
    }
    return o;
  }
}
