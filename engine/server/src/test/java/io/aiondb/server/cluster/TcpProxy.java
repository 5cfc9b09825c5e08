package io.aiondb.server.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder for one direction of one link between two nodes. {@link #cut()} drops every open connection and
 * refuses new ones until {@link #heal()}: the sending node sees the peer vanish, exactly as in a partition.
 * {@link #blackhole()} keeps connections open (and accepts new ones) but forwards nothing either way: every request
 * waits out its RPC timeout, as with a peer that accepts TCP and never answers; {@link #heal()} then closes those
 * connections (their streams lost bytes) so the sender reconnects.
 */
final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private volatile boolean blackhole;
  private volatile boolean closed;

  TcpProxy(String listenIp, int port, String targetIp) throws IOException {
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getByName(listenIp), port), 128);
    target = new InetSocketAddress(InetAddress.getByName(targetIp), port);
    Thread.ofVirtual().name("proxy-" + listenIp + ":" + port).start(this::acceptLoop);
  }

  private void acceptLoop() {
    while (!closed) {
      Socket in;
      try {
        in = server.accept();
      } catch (IOException e) {
        return;
      }
      if (cut) {
        closeQuietly(in);
        continue;
      }
      Thread.ofVirtual().start(() -> connect(in));
    }
  }

  private void connect(Socket in) {
    Socket out = new Socket();
    try {
      out.connect(target, 2000);
      out.setTcpNoDelay(true);
      in.setTcpNoDelay(true);
    } catch (IOException e) {
      closeQuietly(in);
      closeQuietly(out);
      return;
    }
    open.add(in);
    open.add(out);
    Thread.ofVirtual().start(() -> pump(in, out));
    Thread.ofVirtual().start(() -> pump(out, in));
  }

  private void pump(Socket from, Socket to) {
    byte[] buf = new byte[64 * 1024];
    try (InputStream is = from.getInputStream(); OutputStream os = to.getOutputStream()) {
      int n;
      boolean dropping = false; // once bytes were dropped, this stream is broken: never forward on it again
      while (!cut && (n = is.read(buf)) >= 0) {
        if (cut) break;
        dropping |= blackhole;
        if (!dropping) os.write(buf, 0, n);
      }
    } catch (IOException ignored) {
      // connection ended
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  void cut() {
    cut = true;
    for (Socket s : open) closeQuietly(s);
    open.clear();
  }

  void blackhole() {
    blackhole = true;
  }

  void heal() {
    if (blackhole) {
      blackhole = false;
      for (Socket s : open) closeQuietly(s);
      open.clear();
    }
    cut = false;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    cut();
    try {
      server.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
