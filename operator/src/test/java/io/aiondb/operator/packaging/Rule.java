package io.aiondb.operator.packaging;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** One permission: verb on group/resource (resource may be resource/subresource). */
public record Rule(String group, String resource, String verb) implements Comparable<Rule> {
  public static Set<Rule> expand(Collection<PolicyRule> rules) {
    Set<Rule> expanded = new TreeSet<>();
    for (PolicyRule r : rules) {
      for (String g : r.getApiGroups()) {
        for (String res : r.getResources()) {
          for (String v : r.getVerbs()) {
            expanded.add(new Rule(g, res, v));
          }
        }
      }
    }
    return expanded;
  }

  public boolean allowedBy(Set<Rule> granted) {
    return granted.stream().anyMatch(g -> (g.group.equals(group) || g.group.equals("*"))
        && (g.resource.equals(resource) || g.resource.equals("*")) && (g.verb.equals(verb) || g.verb.equals("*")));
  }

  @Override
  public int compareTo(Rule o) {
    return toString().compareTo(o.toString());
  }

  @Override
  public String toString() {
    return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource;
  }

  public static List<String> sorted(Collection<Rule> rules) {
    return rules.stream().map(Rule::toString).sorted().toList();
  }
}
