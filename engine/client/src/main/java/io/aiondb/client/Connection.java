package io.aiondb.client;

import io.aiondb.client.protocol.Frames;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One TCP connection to one node, shared by many requests in flight (pipelining): a virtual thread reads answers
 * and completes each request's future by id. When the connection breaks, every request in flight fails with
 * {@link AionException.UnknownOutcome} (its frame was sent; the caller decides whether a retry is safe).
 */
final class Connection implements AutoCloseable {
  /** Receives the frames of a stream (a watch). Called on the connection's reader thread. */
  interface StreamHandler {
    void frame(int kind, byte[] payload);

    void broken(AionException e);
  }

  private sealed interface Pending permits Call, Stream {}

  private record Call(CompletableFuture<byte[]> future) implements Pending {}

  private record Stream(StreamHandler handler) implements Pending {}

  final String address;
  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(1);
  private final String nodeId;
  private volatile boolean closed;
  /** Set once after open by the client that owns the connection; none: requests carry no trace context. */
  private volatile ClientTracing tracing;

  void tracing(ClientTracing t) {
    this.tracing = t;
  }

  private Connection(String address, Socket socket, String nodeId) throws IOException {
    this.address = address;
    this.socket = socket;
    this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
    this.nodeId = nodeId;
  }

  /** Connects, says HELLO and starts reading. Throws {@link AionException.Unavailable} when the node cannot be reached. */
  static Connection open(String address, Duration connectTimeout, String clientName, javax.net.ssl.SSLContext tls) {
    return open(address, connectTimeout, clientName, tls, null);
  }

  /**
   * As above, then AUTH with {@code token} when it is not null: a token the node refuses is an
   * {@link AionException} with code {@code UNAUTHENTICATED} (not retried: a new token is needed).
   */
  static Connection open(String address, Duration connectTimeout, String clientName, javax.net.ssl.SSLContext tls,
      String token) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0) throw new IllegalArgumentException("an address is host:port, not '" + address + "'");
    String host = address.substring(0, colon);
    int port = Integer.parseInt(address.substring(colon + 1));
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
      s.setSoTimeout((int) connectTimeout.toMillis());
      if (tls != null) {
        // the member's certificate must chain to the CA and name the host we dialled
        javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket(s, host, port, true);
        javax.net.ssl.SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(params);
        ssl.startHandshake();
        s = ssl;
      }
      OutputStream o = s.getOutputStream();
      o.write(Frames.frame(0, Frames.HELLO, io.aiondb.client.protocol.Requests.hello(clientName)));
      o.flush();
      DataInputStream i = new DataInputStream(s.getInputStream());
      int len = i.readInt();
      if (len < 5 || len > Frames.MAX_FRAME) throw new IOException("bad frame length " + len + " (is this Aion's protocol port?)");
      i.readInt();
      int kind = i.readUnsignedByte();
      byte[] payload = i.readNBytes(len - 5);
      Frames.In r = new Frames.In(payload);
      if (kind == Frames.ERROR) throw AionException.of(r.string(), r.string());
      if (kind != Frames.OK) throw new IOException("unexpected answer to HELLO");
      int version = r.u8();
      if (version != Frames.VERSION) throw new IOException("server speaks protocol version " + version);
      String nodeId = r.string();
      if (token != null) {
        o.write(Frames.frame(0, Frames.AUTH, io.aiondb.client.protocol.Requests.auth(token)));
        o.flush();
        int alen = i.readInt();
        if (alen < 5 || alen > Frames.MAX_FRAME) throw new IOException("bad frame length " + alen);
        i.readInt();
        int akind = i.readUnsignedByte();
        Frames.In ar = new Frames.In(i.readNBytes(alen - 5));
        if (akind == Frames.ERROR) {
          AionException refused = AionException.of(ar.string(), ar.string());
          closeQuietly(s);
          throw refused;
        }
        if (akind != Frames.OK) throw new IOException("unexpected answer to AUTH");
      }
      s.setSoTimeout(0);
      Connection c = new Connection(address, s, nodeId);
      Thread.ofVirtual().name("aion-conn-" + address).start(c::readLoop);
      return c;
    } catch (IOException e) {
      closeQuietly(s);
      throw new AionException.Unavailable("UNREACHABLE", "cannot connect to " + address + ": " + e.getMessage());
    } catch (RuntimeException e) {
      closeQuietly(s);
      throw e;
    }
  }

  String nodeId() {
    return nodeId;
  }

  boolean isOpen() {
    return !closed;
  }

  private long newId() {
    long id = nextId.getAndIncrement() & 0xFFFFFFFFL;
    return id == 0 ? newId() : id;
  }

  /** Sends one request; the future completes with the OK payload or fails with the server's error. */
  CompletableFuture<byte[]> call(int kind, byte[] payload) {
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    if (payload.length > Frames.MAX_FRAME - 5) { // the server would close the connection, failing every call on it
      f.completeExceptionally(new AionException.InvalidRequest(413, "VALUE_TOO_LARGE", "the request is "
          + payload.length + " bytes; a protocol frame holds at most " + (Frames.MAX_FRAME - 5)));
      return f;
    }
    ClientTracing t = tracing;
    ClientTracing.Traced traced = t == null ? null : t.start(kind, address);
    if (traced != null) { // TRACED: the server's spans of this request join the trace (docs/protocol.md)
      payload = Frames.traced(traced.traceparent(), traced.tracestate(), kind, payload);
      kind = Frames.TRACED;
      f.whenComplete((v, e) -> traced.end(e));
    }
    long id = newId();
    Call call = new Call(f);
    pending.put(id, call);
    f.whenComplete((v, e) -> pending.remove(id, call)); // also when the caller gave up on it (timeout)
    if (!send(id, kind, payload)) {
      pending.remove(id);
      f.completeExceptionally(new AionException.Unavailable("UNREACHABLE", "connection to " + address + " is closed"));
    }
    return f;
  }

  /** Starts a stream (a watch); returns its id, or -1 if the connection is closed. */
  long stream(int kind, byte[] payload, StreamHandler handler) {
    long id = newId();
    pending.put(id, new Stream(handler));
    if (!send(id, kind, payload)) {
      pending.remove(id);
      return -1;
    }
    return id;
  }

  /** Forgets a stream (after CANCEL or when its owner gives up on it). */
  void endStream(long id) {
    pending.remove(id);
  }

  private boolean send(long id, int kind, byte[] payload) {
    if (closed) return false;
    byte[] frame = Frames.frame(id, kind, payload);
    writeLock.lock();
    try {
      out.write(frame);
      out.flush();
      return true;
    } catch (IOException e) {
      fail(e);
      return true; // the request may have left: its future is failed by fail()
    } finally {
      writeLock.unlock();
    }
  }

  private void readLoop() {
    try {
      while (!closed) {
        int len = in.readInt();
        if (len < 5 || len > Frames.MAX_FRAME) throw new IOException("protocol error: frame length " + len);
        long id = in.readInt() & 0xFFFFFFFFL;
        int kind = in.readUnsignedByte();
        byte[] payload = in.readNBytes(len - 5);
        if (payload.length != len - 5) throw new IOException("connection closed mid-frame");
        Pending p = kind == Frames.EVENT ? pending.get(id) : pending.remove(id);
        switch (p) {
          case null -> {
            if (id == 0 && kind == Frames.ERROR) {
              Frames.In r = new Frames.In(payload);
              String code = r.string();
              String message = r.string();
              if (code.equals("CONNECTION_IDLE")) { // the server processed nothing sent after it: safe to resend
                fail(new AionException.Unavailable(code, "connection to " + address + " closed by the server: " + message));
                return;
              }
              throw new IOException("the server closed the connection: " + code + ": " + message);
            }
          }
          case Call c -> {
            if (kind == Frames.OK) c.future().complete(payload);
            else c.future().completeExceptionally(error(kind, payload));
          }
          case Stream s -> s.handler().frame(kind, payload);
        }
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private static AionException error(int kind, byte[] payload) {
    if (kind != Frames.ERROR) return new AionException(500, "PROTOCOL", "unexpected answer kind " + kind);
    Frames.In r = new Frames.In(payload);
    return AionException.of(r.string(), r.string());
  }

  /** Closes; pending calls fail with {@code cause} when it is an {@link AionException.Unavailable}, else unknown. */
  private void fail(Exception cause) {
    if (closed) return;
    closed = true;
    closeQuietly(socket);
    String why = "connection to " + address + " lost: " + cause.getMessage();
    for (var e : pending.entrySet()) {
      pending.remove(e.getKey());
      switch (e.getValue()) {
        case Call c -> c.future().completeExceptionally(cause instanceof AionException.Unavailable u ? u
            : new AionException.UnknownOutcome("CONNECTION_LOST", why));
        case Stream s -> s.handler().broken(new AionException.Unavailable("CONNECTION_LOST", why));
      }
    }
  }

  @Override
  public void close() {
    fail(new IOException("closed by the client"));
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
