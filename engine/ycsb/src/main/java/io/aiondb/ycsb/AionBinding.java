package io.aiondb.ycsb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.client.AionClient;
import io.aiondb.client.KeyValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * YCSB binding for Aion over its Java client ({@link AionClient}, HTTP/1.1). A YCSB table is an Aion namespace
 * (created on first use); a record is one JSON value (see {@link Records}). Reads, read-before-update and scans use
 * the server's default, linearizable consistency.
 *
 * <ul>
 *   <li>update: a blind put when it writes every field of the record ({@code fieldcount}), else a read, merge and
 *       put (two round trips, not atomic: YCSB does not ask for atomic updates);</li>
 *   <li>scan: a query {@code {"start": key, "limit": n}} (one round trip, rows in key order).</li>
 * </ul>
 *
 * <p>Properties: {@code aion.urls} (comma-separated node URLs, default {@code http://127.0.0.1:7070}; YCSB thread
 * {@code i} talks to node {@code i mod n}, like {@code SingleNodeBench}), {@code aion.timeout.ms} (per request,
 * default 30000). The clients (one per node) are shared by every thread of the JVM.
 */
public final class AionBinding extends DB {
  private static final Map<String, AionClient> CLIENTS = new HashMap<>();
  private static final Set<String> NAMESPACES = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger NEXT_NODE = new AtomicInteger();
  private static int users;

  private AionClient client;
  private int fieldCount;

  @Override
  public void init() throws DBException {
    String[] urls = getProperties().getProperty("aion.urls", "http://127.0.0.1:7070").split(",");
    Duration timeout = Duration.ofMillis(Long.parseLong(getProperties().getProperty("aion.timeout.ms", "30000")));
    fieldCount = Integer.parseInt(getProperties().getProperty("fieldcount", "10"));
    String url = urls[Math.floorMod(NEXT_NODE.getAndIncrement(), urls.length)].trim();
    synchronized (CLIENTS) {
      client = CLIENTS.computeIfAbsent(url, u -> AionClient.connect(u, timeout));
      users++;
    }
  }

  @Override
  public void cleanup() {
    synchronized (CLIENTS) {
      if (--users == 0) {
        CLIENTS.values().forEach(AionClient::close);
        CLIENTS.clear();
      }
    }
  }

  /** The namespace of a YCSB table, created once per JVM (creating is idempotent on the server). */
  private String namespace(String table) {
    if (!NAMESPACES.contains(table)) {
      client.createNamespace(table);
      NAMESPACES.add(table);
    }
    return table;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      Optional<KeyValue> kv = client.get(namespace(table), utf8(key), 0);
      if (kv.isEmpty()) return Status.NOT_FOUND;
      Records.decode(kv.get().value(), fields, result);
      return Status.OK;
    } catch (RuntimeException e) {
      return Failures.error("aion", "read", key, e);
    }
  }

  @Override
  public Status scan(String table, String startkey, int recordcount, Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    try {
      ObjectNode q = JsonNodeFactory.instance.objectNode().put("start", startkey).put("limit", recordcount);
      JsonNode page = client.query(namespace(table), q);
      for (JsonNode item : page.path("items")) {
        HashMap<String, ByteIterator> row = new HashMap<>();
        Records.decode(item.path("value"), fields, row);
        result.add(row);
      }
      return Status.OK;
    } catch (RuntimeException e) {
      return Failures.error("aion", "scan", startkey, e);
    }
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    try {
      String ns = namespace(table);
      byte[] record;
      if (values.size() >= fieldCount) {
        record = Records.encode(values);
      } else {
        Optional<KeyValue> kv = client.get(ns, utf8(key), 0);
        if (kv.isEmpty()) return Status.NOT_FOUND;
        record = Records.merge(kv.get().value(), values);
      }
      client.put(ns, utf8(key), record, AionClient.JSON);
      return Status.OK;
    } catch (RuntimeException e) {
      return Failures.error("aion", "update", key, e);
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    try {
      client.put(namespace(table), utf8(key), Records.encode(values), AionClient.JSON);
      return Status.OK;
    } catch (RuntimeException e) {
      return Failures.error("aion", "insert", key, e);
    }
  }

  @Override
  public Status delete(String table, String key) {
    try {
      return client.delete(namespace(table), utf8(key), -1).applied() ? Status.OK : Status.NOT_FOUND;
    } catch (RuntimeException e) {
      return Failures.error("aion", "delete", key, e);
    }
  }
}
