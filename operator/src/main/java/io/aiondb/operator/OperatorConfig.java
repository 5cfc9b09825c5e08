package io.aiondb.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The operator's settings ({@code aion.operator.*} in application.properties, or AION_OPERATOR_* env vars). */
@ConfigMapping(prefix = "aion.operator")
public interface OperatorConfig {
  /** Image repository of the engine; the tag is spec.version (spec.image overrides both). */
  @WithDefault("ghcr.io/aiondb/aion-server")
  String engineImageRepository();

  /** Base URL of a cluster's HTTP API; {name} and {namespace} are replaced. Default: its client Service. */
  @WithDefault("http://{name}.{namespace}.svc:7070")
  String engineUrlTemplate();

  /**
   * Base URL of one member's own HTTP API (its {@code /v1/status}: whether it waits to be added, or lost its data);
   * {pod}, {name} and {namespace} are replaced. Default: its stable name through the peer Service.
   */
  @WithDefault("http://{pod}.{name}-peers.{namespace}.svc:7070")
  String engineMemberUrlTemplate();

  /** Longest wait for one engine call. */
  @WithDefault("3s")
  Duration engineTimeout();

  /** How often a healthy cluster is looked at again (to refresh leader and members). */
  @WithDefault("30s")
  Duration resyncInterval();

  /**
   * How often an AionUser is checked again against the engine (a changed password Secret, an account changed through
   * the API); one that is not Ready is retried after a sixth of this, or half of it when waiting on the user.
   */
  @WithDefault("60s")
  Duration userResyncInterval();

  /** First retry delay when the engine cannot be reached; doubles on every failure up to backoff-max. */
  @WithDefault("2s")
  Duration backoffInitial();

  @WithDefault("2m")
  Duration backoffMax();

  /**
   * Leader election (prod profile): the Lease that lets one of several operator replicas reconcile while the others
   * wait. Namespace: the operator's own (the chart passes it); empty means the client's namespace.
   */
  @WithDefault("aion-operator-leader")
  String leaseName();

  java.util.Optional<String> leaseNamespace();

  /** This replica's name in the Lease (the chart passes the pod name); empty: host name and process id. */
  java.util.Optional<String> identity();
}
