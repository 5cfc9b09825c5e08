package io.aiondb.e2e.kubelet;

import io.fabric8.kubernetes.api.model.Service;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Cluster DNS as hosts files, read by each JVM the harness starts through {@code -Djdk.net.hosts.file} (the JDK then
 * resolves names from that file only, and re-reads it on every lookup; the harness also lowers the JVM's DNS cache
 * to one second).
 *
 * <p>Names follow Kubernetes' DNS spec for the cluster domain {@code cluster.local}:
 * <ul>
 *   <li>a pod with {@code hostname} and {@code subdomain}, selected by a headless Service of that name in its
 *       namespace, gets {@code host.sub.ns.svc.cluster.local} once it is ready (at once with the Service's
 *       {@code publishNotReadyAddresses});
 *   <li>a headless Service resolves to those pods' addresses; a ClusterIP Service to its ready pods' addresses
 *       (there is no kube-proxy: this stands in for the virtual IP), first pod name first;
 *   <li>the forms a pod's resolv.conf search list completes are written too: {@code x.ns.svc}, {@code x.ns},
 *       and, in the file of namespace ns only, {@code x} alone (e.g. {@code aion-0.aion-peers} or {@code aion}).
 * </ul>
 * {@link #GLOBAL} (for the operator and tools) has all but the namespace-relative forms. Every file also maps
 * {@code localhost} and this machine's host name to 127.0.0.1, since the JDK looks those up in the file as well.
 */
final class HostsFile {
  static final String GLOBAL = "hosts";
  static final String DOMAIN = "cluster.local";

  /** What the DNS needs to know of a pod. */
  record PodAddress(String namespace, String name, Map<String, String> labels, String hostname, String subdomain,
      String ip, boolean ready) {}

  private final Path dir;
  private final Map<String, String> written = new HashMap<>();

  HostsFile(Path dir) {
    this.dir = dir;
  }

  /** The file a pod of {@code namespace} reads. */
  Path forNamespace(String namespace) {
    return dir.resolve("hosts." + namespace);
  }

  Path global() {
    return dir.resolve(GLOBAL);
  }

  /** Recomputes every file; writes (atomically) only those whose content changed. */
  void update(List<PodAddress> pods, List<Service> services, Set<String> namespaces) throws IOException {
    Map<String, Set<String>> global = new LinkedHashMap<>(); // ip -> names
    Map<String, Map<String, Set<String>>> local = new HashMap<>(); // ns -> ip -> names
    List<PodAddress> sorted = pods.stream().filter(p -> p.ip() != null)
        .sorted(Comparator.comparing(PodAddress::namespace).thenComparing(PodAddress::name)).toList();
    for (Service svc : services) {
      String ns = svc.getMetadata().getNamespace();
      String name = svc.getMetadata().getName();
      Map<String, String> selector = svc.getSpec() == null ? null : svc.getSpec().getSelector();
      if (selector == null || selector.isEmpty() || "ExternalName".equals(svc.getSpec().getType())) continue;
      boolean headless = "None".equals(svc.getSpec().getClusterIP());
      boolean notReadyToo = headless && Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
      for (PodAddress pod : sorted) {
        if (!pod.namespace().equals(ns) || !matches(selector, pod.labels())) continue;
        if (!pod.ready() && !notReadyToo) continue;
        add(global, local, ns, pod.ip(), name + "." + ns);
        if (headless && name.equals(pod.subdomain()) && pod.hostname() != null) {
          add(global, local, ns, pod.ip(), pod.hostname() + "." + name + "." + ns);
        }
      }
    }
    List<String> base = new ArrayList<>();
    base.add("# Written by the process kubelet (e2e/, a test harness): cluster DNS for JVMs started with");
    base.add("# -Djdk.net.hosts.file. Regenerated whenever pods or Services change.");
    base.add("127.0.0.1 localhost" + machineName());
    write(global(), base, global);
    for (String ns : namespaces) {
      Map<String, Set<String>> merged = new LinkedHashMap<>();
      global.forEach((ip, names) -> merged.computeIfAbsent(ip, k -> new LinkedHashSet<>()).addAll(names));
      local.getOrDefault(ns, Map.of()).forEach((ip, names) ->
          merged.computeIfAbsent(ip, k -> new LinkedHashSet<>()).addAll(names));
      write(forNamespace(ns), base, merged);
    }
  }

  /** {@code relative} is {@code x.ns}: adds the absolute forms everywhere and {@code x} in namespace ns. */
  private static void add(Map<String, Set<String>> global, Map<String, Map<String, Set<String>>> local, String ns,
      String ip, String relative) {
    Set<String> names = global.computeIfAbsent(ip, k -> new LinkedHashSet<>());
    names.add(relative + ".svc." + DOMAIN);
    names.add(relative + ".svc");
    names.add(relative);
    String inNamespace = relative.substring(0, relative.length() - ns.length() - 1);
    local.computeIfAbsent(ns, k -> new LinkedHashMap<>()).computeIfAbsent(ip, k -> new LinkedHashSet<>())
        .add(inNamespace);
  }

  private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    if (labels == null) return false;
    return selector.entrySet().stream().allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()));
  }

  private void write(Path file, List<String> header, Map<String, Set<String>> entries) throws IOException {
    StringBuilder s = new StringBuilder();
    header.forEach(l -> s.append(l).append('\n'));
    // One line per name, in a stable order: a name with several addresses gets several lines, first pod first.
    Map<String, List<String>> byName = new LinkedHashMap<>();
    entries.forEach((ip, names) -> names.forEach(n -> byName.computeIfAbsent(n, k -> new ArrayList<>()).add(ip)));
    for (String name : new TreeSet<>(byName.keySet())) {
      for (String ip : byName.get(name)) {
        s.append(ip).append(' ').append(name).append('\n');
      }
    }
    String content = s.toString();
    if (content.equals(written.get(file.toString())) && Files.exists(file)) return;
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    written.put(file.toString(), content);
  }

  private static String machineName() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name == null || name.isBlank() || name.equals("localhost") ? "" : " " + name;
    } catch (IOException e) {
      return "";
    }
  }
}
