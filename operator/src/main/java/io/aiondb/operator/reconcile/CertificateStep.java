package io.aiondb.operator.reconcile;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.TlsSpec;
import io.aiondb.operator.model.ClusterNames;
import io.aiondb.operator.model.TlsBuilders;
import io.aiondb.operator.tls.Certificates;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * The "secrets and certificates" step. With {@code spec.tls.mode: Generated} it keeps a CA Secret and the members'
 * certificate Secret, reissuing the certificate when it is missing, not from the CA, names the wrong hosts, or has
 * less than {@link Certificates#RENEW_BEFORE} left (members re-read it without a restart). With {@code Secret} it only
 * checks the user's Secret: present, complete, valid now, and naming every member and the client Service; if not,
 * a blocker says what is wrong and the cluster is left as it is. The generated certificate of a running cluster is
 * renewed even while the cluster is paused or a change is refused ({@link #renewRunning}). Returns the CA the operator trusts when it calls
 * the cluster's API. Calls: get, create and update of Secrets.
 */
final class CertificateStep {
  static final String TLS_SECRET_NOT_FOUND = "TLSSecretNotFound";
  static final String TLS_SECRET_INVALID = "TLSSecretInvalid";

  /** The CA PEM to trust (null with TLS off), blockers, and what was done (for events). */
  record Outcome(String caPem, List<Blocker> blockers, List<String> actions) {}

  private final KubernetesClient client;
  private final Applier applier;

  CertificateStep(KubernetesClient client, Applier applier) {
    this.client = client;
    this.applier = applier;
  }

  Outcome check(AionCluster cluster) {
    return switch (TlsBuilders.mode(cluster)) {
      case Disabled -> new Outcome(null, List.of(), List.of());
      case Secret -> checkUserSecret(cluster);
      case Generated -> new Outcome(existingCa(cluster), List.of(), List.of()); // issued in ensure()
    };
  }

  /** Generated mode: creates or renews what is needed. Only called when nothing blocks the reconcile. */
  Outcome ensure(AionCluster cluster, Instant now) {
    if (TlsBuilders.mode(cluster) != TlsSpec.Mode.Generated) return check(cluster);
    ClusterNames names = ClusterNames.of(cluster);
    List<String> actions = new ArrayList<>();
    Map<String, String> ca = read(names.namespace(), names.caSecret());
    Certificates.Pair caPair = ca == null ? null : new Certificates.Pair(ca.get(TlsBuilders.CA), ca.get(TlsBuilders.CA_KEY));
    X509Certificate caCert = caPair == null ? null : parseOrNull(caPair.certPem());
    if (caCert == null || caPair.keyPem() == null) {
      caPair = Certificates.newCa(names.namespace() + "/" + names.name() + " CA", now);
      applier.apply(TlsBuilders.caSecret(cluster, caPair.certPem(), caPair.keyPem()));
      caCert = parseOrNull(caPair.certPem());
      actions.add("Created CA Secret " + names.caSecret() + ".");
    }
    Map<String, String> leaf = read(names.namespace(), names.tlsSecret());
    String why = reissueReason(cluster, leaf, caCert, caPair.certPem(), now);
    if (why != null) {
      Certificates.Pair issued = Certificates.issue(caPair, TlsBuilders.generatedNames(cluster),
          List.of(TlsBuilders.PEER_URI), now);
      applier.apply(TlsBuilders.memberSecret(cluster, issued.certPem(), issued.keyPem(), caPair.certPem()));
      actions.add("Issued the members' certificate in Secret " + names.tlsSecret() + " (" + why + ").");
    }
    return new Outcome(caPair.certPem(), List.of(), actions);
  }

  /**
   * Renews the generated certificate the running members use when it has less than {@link Certificates#RENEW_BEFORE}
   * left, and does nothing else. Runs when the rest of the reconcile does not (spec.paused, or a change that is
   * refused): a refusal left unfixed must not become an outage when the certificate expires. Only a certificate the
   * running StatefulSet mounts from {@code <name>-tls} and that the cluster's generated CA signed is touched, and it
   * keeps its names; creating a CA or a first certificate waits for the unblocked reconcile ({@link #ensure}).
   */
  List<String> renewRunning(AionCluster cluster, StatefulSet running, Instant now) {
    ClusterNames names = ClusterNames.of(cluster);
    if (running == null || running.getSpec() == null || !names.tlsSecret().equals(ChangeGate.tlsSecret(running))) {
      return List.of();
    }
    Map<String, String> ca = read(names.namespace(), names.caSecret());
    Map<String, String> leaf = read(names.namespace(), names.tlsSecret());
    if (ca == null || ca.get(TlsBuilders.CA_KEY) == null || leaf == null || leaf.get(TlsBuilders.KEY) == null) {
      return List.of();
    }
    X509Certificate caCert = parseOrNull(ca.get(TlsBuilders.CA));
    X509Certificate cert = parseOrNull(leaf.get(TlsBuilders.CERT));
    if (caCert == null || cert == null || !Certificates.signedBy(cert, caCert)) return List.of();
    Instant notAfter = cert.getNotAfter().toInstant();
    if (Duration.between(now, notAfter).compareTo(Certificates.RENEW_BEFORE) >= 0) return List.of();
    List<String> hosts;
    List<String> uris; // the same names as before: the members' peer check keeps accepting it
    try {
      hosts = Certificates.dnsNames(cert);
      uris = Certificates.uris(cert);
    } catch (GeneralSecurityException e) {
      return List.of();
    }
    if (hosts.isEmpty()) return List.of();
    Certificates.Pair caPair = new Certificates.Pair(ca.get(TlsBuilders.CA), ca.get(TlsBuilders.CA_KEY));
    Certificates.Pair issued = Certificates.issue(caPair, hosts, uris, now);
    applier.apply(TlsBuilders.memberSecret(cluster, issued.certPem(), issued.keyPem(), caPair.certPem()));
    return List.of("Issued the members' certificate in Secret " + names.tlsSecret() + " (renewal: it expires " + notAfter
        + "; renewed although " + (cluster.getSpec().isPaused() ? "the cluster is paused" : "a change is refused")
        + ", so that it does not expire).");
  }

  private static String reissueReason(AionCluster cluster, Map<String, String> leaf, X509Certificate ca, String caPem,
      Instant now) {
    if (leaf == null || leaf.get(TlsBuilders.CERT) == null || leaf.get(TlsBuilders.KEY) == null) return "none yet";
    X509Certificate cert = parseOrNull(leaf.get(TlsBuilders.CERT));
    if (cert == null) return "the old one did not parse";
    if (!Certificates.signedBy(cert, ca) || !caPem.equals(leaf.get(TlsBuilders.CA))) return "the CA changed";
    try {
      if (!new HashSet<>(Certificates.dnsNames(cert)).equals(new HashSet<>(TlsBuilders.generatedNames(cluster)))) {
        return "the names changed";
      }
      if (!Certificates.uris(cert).contains(TlsBuilders.PEER_URI)) return "it gets the peer name " + TlsBuilders.PEER_URI;
    } catch (GeneralSecurityException e) {
      return "the old one's names did not parse";
    }
    Duration left = Duration.between(now, cert.getNotAfter().toInstant());
    if (left.compareTo(Certificates.RENEW_BEFORE) < 0) return "renewal: it expires " + cert.getNotAfter().toInstant();
    return null;
  }

  private Outcome checkUserSecret(AionCluster cluster) {
    String name = TlsBuilders.secretName(cluster);
    String ns = cluster.getMetadata().getNamespace();
    Map<String, String> s = read(ns, name);
    if (s == null) {
      return blocked(TLS_SECRET_NOT_FOUND, "Secret " + name + " (spec.tls.secretName) does not exist in namespace " + ns
          + ". Create it with tls.crt, tls.key and ca.crt (a cert-manager Certificate writes these); nothing was changed.");
    }
    List<String> missing = new ArrayList<>();
    for (String key : List.of(TlsBuilders.CERT, TlsBuilders.KEY, TlsBuilders.CA)) if (s.get(key) == null) missing.add(key);
    if (!missing.isEmpty()) {
      return blocked(TLS_SECRET_INVALID, "Secret " + name + " lacks " + String.join(", ", missing)
          + " (it needs tls.crt, tls.key and ca.crt); nothing was changed.");
    }
    X509Certificate cert = parseOrNull(s.get(TlsBuilders.CERT));
    X509Certificate ca = parseOrNull(s.get(TlsBuilders.CA));
    if (cert == null || ca == null) {
      return blocked(TLS_SECRET_INVALID, "Secret " + name + ": " + (cert == null ? "tls.crt" : "ca.crt")
          + " is not a PEM certificate; nothing was changed.");
    }
    // From here the CA is readable: a refusal still lets the operator read the running members' state through it.
    String caPem = s.get(TlsBuilders.CA);
    Instant now = Instant.now();
    if (cert.getNotAfter().toInstant().isBefore(now) || cert.getNotBefore().toInstant().isAfter(now)) {
      return blocked(caPem, TLS_SECRET_INVALID, "Secret " + name + ": tls.crt is valid only from " + cert.getNotBefore().toInstant()
          + " to " + cert.getNotAfter().toInstant() + "; nothing was changed.");
    }
    try {
      List<String> sans = Certificates.dnsNames(cert);
      List<String> uncovered = TlsBuilders.requiredNames(cluster).stream().filter(h -> !Certificates.covers(sans, h)).toList();
      if (!uncovered.isEmpty()) {
        return blocked(caPem, TLS_SECRET_INVALID, "Secret " + name + ": tls.crt does not name " + String.join(", ", uncovered)
            + " (peers and clients dial these; a wildcard *." + ClusterNames.of(cluster).peerService() + "." + ns
            + ".svc covers every member); nothing was changed.");
      }
    } catch (GeneralSecurityException e) {
      return blocked(caPem, TLS_SECRET_INVALID, "Secret " + name + ": cannot read the names in tls.crt: " + e.getMessage());
    }
    return new Outcome(s.get(TlsBuilders.CA), List.of(), List.of());
  }

  private static Outcome blocked(String reason, String message) {
    return blocked(null, reason, message);
  }

  private static Outcome blocked(String caPem, String reason, String message) {
    return new Outcome(caPem, List.of(new Blocker(reason, message)), List.of());
  }

  private String existingCa(AionCluster cluster) {
    Map<String, String> ca = read(cluster.getMetadata().getNamespace(), ClusterNames.of(cluster).caSecret());
    return ca == null ? null : ca.get(TlsBuilders.CA);
  }

  /** The Secret's values decoded, or null if it does not exist. */
  private Map<String, String> read(String namespace, String name) {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) return null;
    Map<String, String> out = new java.util.HashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.US_ASCII)));
    }
    if (secret.getStringData() != null) out.putAll(secret.getStringData());
    return out;
  }

  private static X509Certificate parseOrNull(String pem) {
    if (pem == null) return null;
    try {
      return Certificates.parse(pem);
    } catch (GeneralSecurityException e) {
      return null;
    }
  }
}
