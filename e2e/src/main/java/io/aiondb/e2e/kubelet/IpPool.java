package io.aiondb.e2e.kubelet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loopback addresses for pods: {@code 127.0.0.first} to {@code 127.0.0.last}, one per pod name
 * ({@code namespace/name}), kept in a file so that a pod that is recreated, or the harness restarted on the same
 * state directory, gets the same address again. (A real cluster gives a recreated pod a new IP; keeping it means a
 * peer's cached DNS answer is never stale, which the harness could not otherwise promise without a DNS server.)
 *
 * <p>A new address is handed out only if every port the pod's containers declare can be bound on it, so a process
 * of someone else's on that address (or on 0.0.0.0) is never fought over.
 */
final class IpPool {
  private final Path file;
  private final int first;
  private final int last;
  private final Map<String, String> byPod = new LinkedHashMap<>();

  IpPool(Path file, int first, int last) {
    this.file = file;
    this.first = first;
    this.last = last;
    try {
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          String[] kv = line.trim().split("\\s+");
          if (kv.length == 2) byPod.put(kv[0], kv[1]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  synchronized String addressOf(String namespace, String name, Collection<Integer> ports) {
    String key = namespace + "/" + name;
    String ip = byPod.get(key);
    if (ip != null) return ip;
    for (int n = first; n <= last; n++) {
      String candidate = "127.0.0." + n;
      if (!byPod.containsValue(candidate) && free(candidate, ports)) {
        byPod.put(key, candidate);
        save();
        return candidate;
      }
    }
    throw new IllegalStateException("no free loopback address left in 127.0.0." + first + "-" + last);
  }

  private static boolean free(String ip, Collection<Integer> ports) {
    for (int port : ports) {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private void save() {
    try {
      StringBuilder s = new StringBuilder();
      byPod.forEach((k, v) -> s.append(k).append(' ').append(v).append('\n'));
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, s);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
