package io.aiondb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aion user|role|group|service ...}: users, roles, groups and service accounts through the HTTP API of the
 * member --http names (docs/security.md "Authentication and access control"; user-admin). Each is list, get, set
 * (create or replace) and delete, as the API's routes; a list is a table (-o json: the API's answer).
 */
final class AccessCommands {
  private AccessCommands() {}

  static String path(String kind, String name) {
    return "/v1/auth/" + kind + "/" + Http.seg(name);
  }

  static ArrayNode strings(List<String> values) {
    ArrayNode a = Output.JSON.createArrayNode();
    if (values != null) values.forEach(a::add);
    return a;
  }

  /** Prints the API's answer: -o json as is, otherwise a table of {@code columns} (lists joined by commas). */
  static void print(Base cmd, JsonNode r, List<String> columns) {
    if (cmd.json()) {
      cmd.printJson(r);
      return;
    }
    ArrayNode rows = Output.JSON.createArrayNode();
    for (JsonNode o : r.isArray() ? r : Output.JSON.createArrayNode().add(r)) {
      ObjectNode row = rows.addObject();
      for (String c : columns) {
        JsonNode v = o.get(c);
        if (v != null && v.isArray()) {
          List<String> parts = new ArrayList<>();
          v.forEach(x -> parts.add(x.isObject() ? x.path("keyId").asText(x.toString()) : x.asText()));
          row.put(c, String.join(",", parts));
        } else if (v != null) {
          row.set(c, v);
        }
      }
    }
    cmd.out().print(Output.objects(rows, columns));
  }

  /** list / get / delete, the same for every kind. */
  abstract static class Listing extends Base {
    abstract String kind();

    abstract List<String> columns();
  }

  abstract static class ListCmd extends Listing {
    @Override
    public Integer call() {
      print(this, admin().get("/v1/auth/" + kind()), columns());
      return ExitCode.OK;
    }
  }

  abstract static class GetCmd extends Listing {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Override
    public Integer call() {
      print(this, admin().get(path(kind(), name)), columns());
      return ExitCode.OK;
    }
  }

  abstract static class DeleteCmd extends Listing {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Override
    public Integer call() {
      JsonNode r = admin().delete(path(kind(), name));
      if (json()) printJson(r);
      else out().println(r.path("deleted").asBoolean() ? "deleted " + name : "no " + name + " (nothing deleted)");
      return ExitCode.OK;
    }
  }

  static final List<String> USER_COLUMNS = List.of("name", "roles");
  static final List<String> ROLE_COLUMNS = List.of("name", "builtIn", "rules");
  static final List<String> GROUP_COLUMNS = List.of("name", "roles", "members");
  static final List<String> SERVICE_COLUMNS = List.of("name", "roles", "keys");

  // ------------------------------------------------------------------ users

  @Command(name = "user", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Users who log in with a password (user-admin; docs/security.md).",
      subcommands = {UserList.class, UserGet.class, UserSet.class, UserDelete.class, UserRevoke.class})
  static final class Users extends Group {}

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Every user and its roles.")
  static final class UserList extends ListCmd {
    String kind() { return "users"; }
    List<String> columns() { return USER_COLUMNS; }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "One user and its roles.")
  static final class UserGet extends GetCmd {
    String kind() { return "users"; }
    List<String> columns() { return USER_COLUMNS; }
  }

  @Command(name = "set", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Create a user or change its roles (all of them: the list replaces the old one) and, with"
          + " --password-file, its password (which revokes its tokens). A new user needs a password.")
  static final class UserSet extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Option(names = "--role", paramLabel = "ROLE", description = "A role to bind (repeat for several; none: no roles).")
    List<String> roles = new ArrayList<>();

    @Option(names = "--password-file", paramLabel = "FILE",
        description = "A file whose first line is the password ('-': standard input).")
    String passwordFile;

    @Override
    public Integer call() {
      ObjectNode body = Output.JSON.createObjectNode();
      body.set("roles", strings(roles));
      if (passwordFile != null) {
        String password = new String(readFile(passwordFile), StandardCharsets.UTF_8).lines().findFirst().orElse("");
        if (password.isEmpty()) throw CliException.usage("the password is empty");
        body.put("password", password);
      }
      print(this, admin().put(path("users", name), body), USER_COLUMNS);
      return ExitCode.OK;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a user (its tokens stop working).")
  static final class UserDelete extends DeleteCmd {
    String kind() { return "users"; }
    List<String> columns() { return USER_COLUMNS; }
  }

  @Command(name = "revoke-tokens", mixinStandardHelpOptions = true,
      description = "Revoke every token the user holds (it logs in again).")
  static final class UserRevoke extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Override
    public Integer call() {
      JsonNode r = admin().post(path("users", name) + "/revoke-tokens", Output.JSON.createObjectNode());
      if (json()) printJson(r);
      else out().println("revoked the tokens of " + name);
      return ExitCode.OK;
    }
  }

  // ------------------------------------------------------------------ roles

  @Command(name = "role", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Roles: lists of rules (namespaces, key prefixes, operations) bound to users, groups and service"
          + " accounts (user-admin; docs/security.md).",
      subcommands = {RoleList.class, RoleGet.class, RoleSet.class, RoleDelete.class})
  static final class Roles extends Group {}

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Built-in and custom roles with their rules.")
  static final class RoleList extends ListCmd {
    String kind() { return "roles"; }
    List<String> columns() { return ROLE_COLUMNS; }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "One role and its rules.")
  static final class RoleGet extends GetCmd {
    String kind() { return "roles"; }
    List<String> columns() { return ROLE_COLUMNS; }
  }

  @Command(name = "set", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Create or replace a custom role from a JSON file: an array of rules, or {\"rules\": [...]}; a rule"
          + " is {\"namespaces\": [...], \"keyPrefixes\"?: [...], \"operations\": [...]}.")
  static final class RoleSet extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Option(names = "--rules-file", required = true, paramLabel = "FILE", description = "The rules ('-': standard input).")
    String rulesFile;

    @Override
    public Integer call() {
      JsonNode rules = parseJson(readFile(rulesFile), "--rules-file");
      ObjectNode body = Output.JSON.createObjectNode();
      if (rules.isArray()) body.set("rules", rules);
      else if (rules.isObject() && rules.has("rules") && rules.size() == 1) body.set("rules", rules.get("rules"));
      else throw CliException.usage("--rules-file: expected an array of rules or {\"rules\": [...]}");
      print(this, admin().put(path("roles", name), body), ROLE_COLUMNS);
      return ExitCode.OK;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Remove a custom role (bindings to it stay and grant nothing).")
  static final class RoleDelete extends DeleteCmd {
    String kind() { return "roles"; }
    List<String> columns() { return ROLE_COLUMNS; }
  }

  // ------------------------------------------------------------------ groups

  @Command(name = "group", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Groups: roles bound to each member on top of its own (user-admin; docs/security.md \"Groups\").",
      subcommands = {GroupList.class, GroupGet.class, GroupSet.class, GroupDelete.class})
  static final class Groups extends Group {}

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Every group, its roles and members.")
  static final class GroupList extends ListCmd {
    String kind() { return "groups"; }
    List<String> columns() { return GROUP_COLUMNS; }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "One group.")
  static final class GroupGet extends GetCmd {
    String kind() { return "groups"; }
    List<String> columns() { return GROUP_COLUMNS; }
  }

  @Command(name = "set", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Create or replace a group: its roles and its members (both lists replace the old ones).")
  static final class GroupSet extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Option(names = "--role", paramLabel = "ROLE", description = "A role of the group (repeat for several).")
    List<String> roles = new ArrayList<>();

    @Option(names = "--member", paramLabel = "user:NAME|service:NAME", description = "A member (repeat for several).")
    List<String> members = new ArrayList<>();

    @Override
    public Integer call() {
      ObjectNode body = Output.JSON.createObjectNode();
      body.set("roles", strings(roles));
      body.set("members", strings(members));
      print(this, admin().put(path("groups", name), body), GROUP_COLUMNS);
      return ExitCode.OK;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Remove a group: its members lose the roles it gave them.")
  static final class GroupDelete extends DeleteCmd {
    String kind() { return "groups"; }
    List<String> columns() { return GROUP_COLUMNS; }
  }

  // ------------------------------------------------------------------ service accounts

  @Command(name = "service", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Service accounts, which send an API key instead of a password (user-admin; docs/security.md).",
      subcommands = {ServiceList.class, ServiceGet.class, ServiceSet.class, ServiceDelete.class, KeyCreate.class,
          KeyDelete.class})
  static final class Services extends Group {}

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Every service account, its roles and key ids.")
  static final class ServiceList extends ListCmd {
    String kind() { return "services"; }
    List<String> columns() { return SERVICE_COLUMNS; }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "One service account.")
  static final class ServiceGet extends GetCmd {
    String kind() { return "services"; }
    List<String> columns() { return SERVICE_COLUMNS; }
  }

  @Command(name = "set", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "Create a service account or replace its roles (its keys stay).")
  static final class ServiceSet extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Option(names = "--role", paramLabel = "ROLE", description = "A role to bind (repeat for several).")
    List<String> roles = new ArrayList<>();

    @Override
    public Integer call() {
      ObjectNode body = Output.JSON.createObjectNode();
      body.set("roles", strings(roles));
      print(this, admin().put(path("services", name), body), SERVICE_COLUMNS);
      return ExitCode.OK;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Remove a service account and all its keys (they stop working at once).")
  static final class ServiceDelete extends DeleteCmd {
    String kind() { return "services"; }
    List<String> columns() { return SERVICE_COLUMNS; }
  }

  @Command(name = "key-create", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
      description = "A new API key for the account, printed once (only its hash is kept): store it now.")
  static final class KeyCreate extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Override
    public Integer call() {
      JsonNode r = admin().post(path("services", name) + "/keys", Output.JSON.createObjectNode());
      if (json()) printJson(r);
      else out().println(r.path("key").asText());
      return ExitCode.OK;
    }
  }

  @Command(name = "key-delete", mixinStandardHelpOptions = true,
      description = "Remove one API key of the account (it stops working at once).")
  static final class KeyDelete extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Parameters(index = "1", paramLabel = "KEY_ID") String keyId;

    @Override
    public Integer call() {
      JsonNode r = admin().delete(path("services", name) + "/keys/" + Http.seg(keyId));
      if (json()) printJson(r);
      else out().println(r.path("deleted").asBoolean() ? "deleted key " + keyId : "no key " + keyId + " (nothing deleted)");
      return ExitCode.OK;
    }
  }
}
