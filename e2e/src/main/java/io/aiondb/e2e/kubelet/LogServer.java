package io.aiondb.e2e.kubelet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's log endpoint, so that {@code kubectl logs} (and {@code kubectl aion logs}) work against the process
 * kubelet: the API server's {@code pods/log} calls {@code GET https://<node InternalIP>:<kubeletEndpoint
 * port>/containerLogs/<ns>/<pod>/<container>} (the API server verifies no kubelet certificate without
 * {@code --kubelet-certificate-authority}, which start.sh does not pass; this one is self-signed, made by keytool).
 *
 * <p>A pod's log file holds every container start, each after a line {@code --- process kubelet: starting <name>: ...};
 * the answer is the lines of the container's last start ({@code previous=true}: the one before), without that line.
 * Supported: {@code tailLines}, {@code limitBytes}, {@code follow} (until the client goes or the container starts
 * again or stops). Not supported, and ignored: {@code timestamps}, {@code sinceSeconds}, {@code sinceTime} (the
 * process output has no times). Binds 127.0.0.1 only and asks for no credentials: a test harness.
 */
final class LogServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogServer.class);
  static final String MARKER = "--- process kubelet: starting ";

  /** What the server needs of a pod: its log file and whether the container may still write to it. */
  interface PodLog {
    Path file();

    boolean running();
  }

  private final Map<String, PodLog> byName = new ConcurrentHashMap<>(); // "<ns>/<pod>"
  private final HttpsServer server;

  LogServer(Path stateDir, Path java) throws IOException {
    SSLContext tls = selfSigned(stateDir, java);
    server = HttpsServer.create(new InetSocketAddress(ProcessKubelet.HOST_IP, 0), 16);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "kubelet-logs");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/containerLogs/", this::handle);
    server.start();
    LOG.info("process kubelet: container logs on https://{}:{}", ProcessKubelet.HOST_IP, port());
  }

  int port() {
    return server.getAddress().getPort();
  }

  void put(String namespace, String pod, PodLog log) {
    byName.put(namespace + "/" + pod, log);
  }

  void remove(String namespace, String pod, PodLog log) {
    byName.remove(namespace + "/" + pod, log);
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      String[] parts = x.getRequestURI().getPath().substring("/containerLogs/".length()).split("/");
      if (!"GET".equals(x.getRequestMethod()) || parts.length != 3) {
        reply(x, 404, "not found\n");
        return;
      }
      PodLog log = byName.get(parts[0] + "/" + parts[1]);
      if (log == null || !Files.exists(log.file())) {
        reply(x, 404, "no pod " + parts[0] + "/" + parts[1] + " on this node\n");
        return;
      }
      Map<String, String> q = query(x.getRequestURI().getRawQuery());
      boolean previous = "true".equals(q.get("previous"));
      boolean follow = "true".equals(q.get("follow")) && !previous;
      int tail = q.containsKey("tailLines") ? Integer.parseInt(q.get("tailLines")) : -1;
      long limit = q.containsKey("limitBytes") ? Long.parseLong(q.get("limitBytes")) : Long.MAX_VALUE;

      Section s = section(log.file(), parts[2], previous);
      if (s == null) {
        reply(x, 400, "container " + parts[2] + (previous ? " has no previous instance" : " has not started") + "\n");
        return;
      }
      List<String> lines = s.lines;
      if (tail >= 0 && lines.size() > tail) lines = lines.subList(lines.size() - tail, lines.size());
      x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      x.sendResponseHeaders(200, 0);
      OutputStream out = x.getResponseBody();
      long[] written = {0};
      for (String l : lines) {
        if (!write(out, l + "\n", written, limit)) return;
      }
      out.flush();
      if (follow) follow(log, s.end, out, written, limit, () -> log.running());
    } catch (NumberFormatException e) {
      reply(x, 400, "bad number: " + e.getMessage() + "\n");
    } catch (IOException e) {
      // the client went away (a follow that was stopped)
    }
  }

  /** Copies what is appended after {@code from} until the container restarts or stops or the client goes. */
  private static void follow(PodLog log, long from, OutputStream out, long[] written, long limit, BooleanSupplier running)
      throws IOException {
    long at = from;
    StringBuilder partial = new StringBuilder();
    int idle = 0;
    while (true) {
      long size = Files.size(log.file());
      if (size > at) {
        idle = 0;
        byte[] chunk;
        try (RandomAccessFile f = new RandomAccessFile(log.file().toFile(), "r")) {
          f.seek(at);
          chunk = new byte[(int) Math.min(size - at, 1 << 20)];
          f.readFully(chunk);
        }
        at += chunk.length;
        partial.append(new String(chunk, StandardCharsets.UTF_8));
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
          String line = partial.substring(0, nl);
          partial.delete(0, nl + 1);
          if (line.startsWith(MARKER)) return; // the container started again: a new instance
          if (!write(out, line + "\n", written, limit)) return;
        }
        out.flush();
      } else if (!running.getAsBoolean() && ++idle > 4) {
        return;
      } else {
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static boolean write(OutputStream out, String s, long[] written, long limit) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    long room = limit - written[0];
    if (room <= 0) return false;
    out.write(b, 0, (int) Math.min(b.length, room));
    written[0] += Math.min(b.length, room);
    return written[0] < limit;
  }

  record Section(List<String> lines, long end) {}

  /** The lines of the container's last start in the file (or the one before), and the file's length read. */
  static Section section(Path file, String container, boolean previous) throws IOException {
    byte[] all;
    try (InputStream in = Files.newInputStream(file)) {
      all = in.readAllBytes();
    }
    int end = all.length;
    while (end > 0 && all[end - 1] != '\n') end--; // a line still being written is sent by follow
    List<List<String>> starts = new ArrayList<>();
    List<String> current = null;
    for (String line : new String(all, 0, end, StandardCharsets.UTF_8).split("\n", -1)) {
      if (line.startsWith(MARKER)) {
        String name = line.substring(MARKER.length(), Math.max(MARKER.length(), line.indexOf(':', MARKER.length())));
        current = name.equals(container) ? new ArrayList<>() : null;
        if (current != null) starts.add(current);
      } else if (current != null) {
        current.add(line);
      }
    }
    for (List<String> s : starts) {
      if (!s.isEmpty() && s.get(s.size() - 1).isEmpty()) s.remove(s.size() - 1);
    }
    int index = starts.size() - (previous ? 2 : 1);
    if (index < 0) return null;
    return new Section(starts.get(index), end);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null) return q;
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) q.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return q;
  }

  private static void reply(HttpExchange x, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.sendResponseHeaders(status, b.length);
    x.getResponseBody().write(b);
  }

  /** A self-signed serving certificate for 127.0.0.1 (keytool of the JDK the pods run on), made once per state dir. */
  private static SSLContext selfSigned(Path stateDir, Path java) throws IOException {
    Path store = stateDir.resolve("kubelet-serving.p12");
    char[] pass = "process-kubelet".toCharArray();
    if (!Files.exists(store)) {
      Path keytool = java.resolveSibling("keytool");
      Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "kubelet", "-keyalg", "EC",
          "-groupname", "secp256r1", "-dname", "CN=process-kubelet", "-validity", "3650", "-ext", "SAN=ip:127.0.0.1",
          "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(pass))
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      try {
        if (p.waitFor() != 0) throw new IOException("keytool failed: " + out);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, pass);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pass);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot load " + store + ": " + e, e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
