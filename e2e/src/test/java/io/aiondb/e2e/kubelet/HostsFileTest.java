package io.aiondb.e2e.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostsFileTest {
  private static final Map<String, String> LABELS = Map.of("app.kubernetes.io/instance", "aion");

  static Service service(String name, boolean headless, boolean notReady) {
    return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("db").endMetadata()
        .withNewSpec().withSelector(LABELS).withClusterIP(headless ? "None" : "10.0.0.5")
        .withPublishNotReadyAddresses(notReady).endSpec().build();
  }

  static HostsFile.PodAddress pod(String name, String ip, boolean ready) {
    return new HostsFile.PodAddress("db", name, LABELS, name, "aion-peers", ip, ready);
  }

  @Test
  void podNamesOfAHeadlessServiceAndServiceNamesResolve(@TempDir Path dir) throws Exception {
    HostsFile hosts = new HostsFile(dir);
    hosts.update(List.of(pod("aion-0", "127.0.0.10", true), pod("aion-1", "127.0.0.11", false)),
        List.of(service("aion-peers", true, true), service("aion", false, false)), Set.of("db"));
    List<String> global = Files.readAllLines(hosts.global());
    assertThat(global).contains("127.0.0.1 localhost" + global.stream().filter(l -> l.startsWith("127.0.0.1 localhost"))
        .findFirst().orElseThrow().substring("127.0.0.1 localhost".length()));
    assertThat(global).contains(
        "127.0.0.10 aion-0.aion-peers.db.svc.cluster.local", "127.0.0.10 aion-0.aion-peers.db.svc",
        "127.0.0.10 aion-0.aion-peers.db",
        // publishNotReadyAddresses: the unready member resolves too
        "127.0.0.11 aion-1.aion-peers.db.svc.cluster.local",
        // the client Service: ready members only
        "127.0.0.10 aion.db.svc");
    assertThat(global).doesNotContain("127.0.0.11 aion.db.svc", "127.0.0.10 aion-0.aion-peers", "127.0.0.10 aion");
    List<String> local = Files.readAllLines(hosts.forNamespace("db"));
    assertThat(local).contains("127.0.0.10 aion-0.aion-peers", "127.0.0.11 aion-1.aion-peers", "127.0.0.10 aion",
        "127.0.0.10 aion-0.aion-peers.db.svc.cluster.local");
  }

  @Test
  void withoutPublishNotReadyAddressesOnlyReadyPodsResolve(@TempDir Path dir) throws Exception {
    HostsFile hosts = new HostsFile(dir);
    hosts.update(List.of(pod("aion-0", "127.0.0.10", false)), List.of(service("aion-peers", true, false)), Set.of("db"));
    assertThat(Files.readString(hosts.global())).doesNotContain("aion-0");
  }
}
