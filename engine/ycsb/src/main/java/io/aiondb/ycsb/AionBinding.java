package io.aiondb.ycsb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.client.Aion;
import io.aiondb.client.KeyValue;
import io.aiondb.client.PutBatch;
import io.aiondb.client.Read;
import io.aiondb.client.ValueType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.ConcurrentHashMap;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * YCSB binding for Aion over its native Java client ({@link Aion}, the binary protocol): writes and linearizable
 * reads go to the leader, as the client routes them. A YCSB table is an Aion namespace (created on first use); a
 * record is one JSON value (see {@link Records}). Reads, read-before-update and scans are linearizable.
 *
 * <ul>
 *   <li>update: a blind put when it writes every field of the record ({@code fieldcount}), else a read, merge and
 *       put (two round trips, not atomic: YCSB does not ask for atomic updates);</li>
 *   <li>scan: a query {@code {"start": key, "limit": n}} (one round trip, rows in key order).</li>
 * </ul>
 *
 * <p>Properties: {@code aion.endpoints} (comma-separated protocol addresses of the members, default
 * {@code 127.0.0.1:7071}), {@code aion.timeout.ms} (per request, retries included, default 30000),
 * {@code aion.batchsize} (default 1: every insert is its own put). With {@code aion.batchsize} N &gt; 1 the load
 * phase (not {@code -t}) buffers each thread's inserts and writes them N at a time as one batch
 * ({@link PutBatch}, one log entry; also before 4 MiB of keys and values): buffered inserts answer
 * {@code BATCHED_OK}, the insert that fills a batch answers for the whole batch, and cleanup writes the rest. Load
 * latencies then measure batches, not records: compare throughput only, and keep the default when comparing with a
 * store whose binding writes record by record. One client is shared by every thread of the JVM (it pipelines
 * requests over a few connections per node).
 */
public final class AionBinding extends DB {
  private static final Set<String> NAMESPACES = ConcurrentHashMap.newKeySet();
  private static Aion shared;
  private static int users;

  private Aion client;
  private int fieldCount;
  private int batchSize = 1;
  private PutBatch batch;
  private String batchTable;

  @Override
  public void init() throws DBException {
    String endpoints = getProperties().getProperty("aion.endpoints", "127.0.0.1:7071");
    Duration timeout = Duration.ofMillis(Long.parseLong(getProperties().getProperty("aion.timeout.ms", "30000")));
    fieldCount = Integer.parseInt(getProperties().getProperty("fieldcount", "10"));
    boolean load = !Boolean.parseBoolean(getProperties().getProperty("dotransactions", "true"));
    try {
      int n = Integer.parseInt(getProperties().getProperty("aion.batchsize", "1").strip());
      if (n < 1 || n > PutBatch.MAX_ITEMS) throw new NumberFormatException();
      if (load) batchSize = n;
    } catch (NumberFormatException e) {
      throw new DBException("aion.batchsize must be 1.." + PutBatch.MAX_ITEMS + ", not '"
          + getProperties().getProperty("aion.batchsize") + "'");
    }
    synchronized (AionBinding.class) {
      if (shared == null) {
        try {
          shared = Aion.builder().seeds(endpoints).requestTimeout(timeout).connectionsPerNode(4).connect();
        } catch (RuntimeException e) {
          throw new DBException("cannot connect to Aion at " + endpoints + ": " + e.getMessage(), e);
        }
      }
      client = shared;
      users++;
    }
  }

  @Override
  public void cleanup() throws DBException {
    try {
      int left = batch == null ? 0 : batch.size();
      if (left > 0 && !flush().isOk()) {
        throw new DBException("the last batch of inserts (" + left + " records) was not written");
      }
    } finally {
      release();
    }
  }

  private void release() {
    synchronized (AionBinding.class) {
      if (--users == 0 && shared != null) {
        shared.close();
        shared = null;
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
      Optional<KeyValue> kv = client.get(namespace(table), utf8(key), Read.linearizable());
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
      JsonNode page = client.query(namespace(table), q.toString());
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
        Optional<KeyValue> kv = client.get(ns, utf8(key), Read.linearizable());
        if (kv.isEmpty()) return Status.NOT_FOUND;
        record = Records.merge(kv.get().value(), values);
      }
      client.put(ns, utf8(key), record, ValueType.JSON, -1);
      return Status.OK;
    } catch (RuntimeException e) {
      return Failures.error("aion", "update", key, e);
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    if (batchSize > 1) return buffer(table, key, values);
    try {
      client.put(namespace(table), utf8(key), Records.encode(values), ValueType.JSON, -1);
      return Status.OK;
    } catch (RuntimeException e) {
      return Failures.error("aion", "insert", key, e);
    }
  }

  /** Adds an insert to this thread's batch; writes the batch when it is full (or the table changes). */
  private Status buffer(String table, String key, Map<String, ByteIterator> values) {
    try {
      byte[] k = utf8(key);
      byte[] record = Records.encode(values);
      Status status = Status.BATCHED_OK;
      if (batch != null && (!table.equals(batchTable)
          || batch.bytes() + k.length + record.length > PutBatch.MAX_BYTES)) {
        status = flush();
        if (!status.isOk()) return status;
      }
      if (batch == null) {
        batch = client.putBatch(namespace(table));
        batchTable = table;
      }
      batch.put(k, record, ValueType.JSON);
      return batch.size() >= batchSize ? flush() : status;
    } catch (RuntimeException e) {
      return Failures.error("aion", "insert", key, e);
    }
  }

  /** Writes the buffered batch (one entry): OK, or the error of the whole batch (none of it was written). */
  private Status flush() {
    PutBatch b = batch;
    batch = null;
    try {
      b.commit();
      return Status.OK;
    } catch (RuntimeException e) {
      return Failures.error("aion", "insert batch of " + b.size() + " records into", batchTable, e);
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
