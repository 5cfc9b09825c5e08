package io.aiondb.server.consensus.raft;

import io.aiondb.server.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.ratis.protocol.RaftPeer;

/**
 * Parses {@code cluster.peers}: {@code id=host:raftPort[:httpPort]}, comma-separated. Hosts may be DNS names (pod
 * names on Kubernetes); they are resolved when connecting, not here. The HTTP address travels in the Raft
 * configuration in the peer's data-stream address (Aion does not use Ratis DataStream; the client and admin addresses
 * must stay the Raft address, gRPC sends requests there), so every member can tell clients and the operator where to go.
 */
public final class Peers {
  private static final Pattern ID = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,62})");
  private static final Pattern HOST = Pattern.compile("[a-zA-Z0-9_.-]{1,253}");

  public record Peer(String id, String host, int raftPort, int httpPort) {
    public String raftAddress() {
      return host + ":" + raftPort;
    }

    public String httpAddress() {
      return host + ":" + httpPort;
    }

    public RaftPeer toRaftPeer() {
      return RaftPeer.newBuilder().setId(id).setAddress(raftAddress()).setDataStreamAddress(httpAddress()).build();
    }
  }

  private Peers() {}

  public static List<Peer> parse(String spec, String selfId, String raftHost, int raftPort, int httpPort) {
    if (!ID.matcher(selfId).matches()) {
      throw new ConfigException("node.id must be 1-63 of a-z A-Z 0-9 _ . - starting with a letter or digit, not '" + selfId + "'");
    }
    List<Peer> out = new ArrayList<>();
    if (spec == null || spec.isBlank()) {
      out.add(new Peer(selfId, "0.0.0.0".equals(raftHost) ? "127.0.0.1" : raftHost, raftPort, httpPort));
      return out;
    }
    if (raftPort == 0) throw new ConfigException("raft.port=0 (a free port) only works without cluster.peers");
    Set<String> ids = new LinkedHashSet<>();
    for (String item : spec.split(",")) {
      String it = item.trim();
      if (it.isEmpty()) continue;
      int eq = it.indexOf('=');
      if (eq <= 0) throw bad(it, "expected id=host:raftPort[:httpPort]");
      String id = it.substring(0, eq);
      if (!ID.matcher(id).matches()) throw bad(it, "bad member id '" + id + "'");
      String[] hp = it.substring(eq + 1).split(":");
      if (hp.length < 2 || hp.length > 3 || !HOST.matcher(hp[0]).matches()) throw bad(it, "expected id=host:raftPort[:httpPort]");
      int rp = port(it, hp[1]);
      int h = hp.length == 3 ? port(it, hp[2]) : httpPort;
      if (!ids.add(id)) throw bad(it, "member id '" + id + "' appears twice");
      out.add(new Peer(id, hp[0], rp, h));
    }
    if (out.isEmpty()) throw new ConfigException("cluster.peers lists no member");
    return out;
  }

  private static int port(String item, String s) {
    try {
      int p = Integer.parseInt(s);
      if (p < 1 || p > 65535) throw new NumberFormatException();
      return p;
    } catch (NumberFormatException e) {
      throw bad(item, "bad port '" + s + "'");
    }
  }

  private static ConfigException bad(String item, String why) {
    return new ConfigException("cluster.peers entry '" + item + "': " + why);
  }
}
