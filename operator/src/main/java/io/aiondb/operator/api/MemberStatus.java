package io.aiondb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One member as the engine's cluster API reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberStatus {
  private String name;
  private String role;
  private Boolean caughtUp;
  private String version;
  private String membership;

  public MemberStatus() {}

  public MemberStatus(String name, String role, Boolean caughtUp, String version) {
    this.name = name;
    this.role = role;
    this.caughtUp = caughtUp;
    this.version = version;
  }

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getRole() { return role; }
  public void setRole(String role) { this.role = role; }
  public Boolean getCaughtUp() { return caughtUp; }
  public void setCaughtUp(Boolean caughtUp) { this.caughtUp = caughtUp; }
  public String getMembership() { return membership; }
  public void setMembership(String membership) { this.membership = membership; }
  public String getVersion() { return version; }
  public void setVersion(String version) { this.version = version; }
}
