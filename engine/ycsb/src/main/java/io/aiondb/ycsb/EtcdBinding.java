package io.aiondb.ycsb;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * YCSB binding for etcd v3 over jetcd (gRPC). A record is the etcd key {@code table/key} holding the same JSON value
 * as in Aion ({@link Records}). Reads are etcd's default linearizable reads.
 *
 * <ul>
 *   <li>update: a blind put when it writes every field, else get, merge and put (as for Aion);</li>
 *   <li>scan: one range request {@code [table/startkey, table0)} with {@code limit n} (etcd returns the range in key
 *       order and stops at the limit).</li>
 * </ul>
 *
 * <p>Properties: {@code etcd.endpoints} (comma-separated, default {@code http://127.0.0.1:2379}; jetcd spreads
 * requests over them), {@code etcd.timeout.ms} (default 30000). One client is shared by every thread of the JVM.
 */
public final class EtcdBinding extends DB {
  private static final Object LOCK = new Object();
  private static Client shared;
  private static int users;

  private KV kv;
  private long timeoutMs;
  private int fieldCount;

  @Override
  public void init() throws DBException {
    timeoutMs = Long.parseLong(getProperties().getProperty("etcd.timeout.ms", "30000"));
    fieldCount = Integer.parseInt(getProperties().getProperty("fieldcount", "10"));
    synchronized (LOCK) {
      if (shared == null) {
        String[] endpoints = getProperties().getProperty("etcd.endpoints", "http://127.0.0.1:2379").split(",");
        shared = Client.builder().endpoints(endpoints).build();
      }
      users++;
      kv = shared.getKVClient();
    }
  }

  @Override
  public void cleanup() {
    synchronized (LOCK) {
      if (--users == 0) {
        shared.close();
        shared = null;
      }
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static ByteSequence recordKey(String table, String key) {
    return bytes(table + "/" + key);
  }

  private <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      GetResponse r = await(kv.get(recordKey(table, key)));
      if (r.getKvs().isEmpty()) return Status.NOT_FOUND;
      Records.decode(r.getKvs().getFirst().getValue().getBytes(), fields, result);
      return Status.OK;
    } catch (Exception e) {
      return Failures.error("etcd", "read", key, e);
    }
  }

  @Override
  public Status scan(String table, String startkey, int recordcount, Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    try {
      GetOption range = GetOption.builder().withRange(bytes(table + "0")).withLimit(recordcount).build();
      GetResponse r = await(kv.get(recordKey(table, startkey), range));
      for (io.etcd.jetcd.KeyValue item : r.getKvs()) {
        HashMap<String, ByteIterator> row = new HashMap<>();
        Records.decode(item.getValue().getBytes(), fields, row);
        result.add(row);
      }
      return Status.OK;
    } catch (Exception e) {
      return Failures.error("etcd", "scan", startkey, e);
    }
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    try {
      ByteSequence k = recordKey(table, key);
      byte[] record;
      if (values.size() >= fieldCount) {
        record = Records.encode(values);
      } else {
        GetResponse r = await(kv.get(k));
        if (r.getKvs().isEmpty()) return Status.NOT_FOUND;
        record = Records.merge(r.getKvs().getFirst().getValue().getBytes(), values);
      }
      await(kv.put(k, ByteSequence.from(record)));
      return Status.OK;
    } catch (Exception e) {
      return Failures.error("etcd", "update", key, e);
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    try {
      await(kv.put(recordKey(table, key), ByteSequence.from(Records.encode(values))));
      return Status.OK;
    } catch (Exception e) {
      return Failures.error("etcd", "insert", key, e);
    }
  }

  @Override
  public Status delete(String table, String key) {
    try {
      return await(kv.delete(recordKey(table, key))).getDeleted() > 0 ? Status.OK : Status.NOT_FOUND;
    } catch (Exception e) {
      return Failures.error("etcd", "delete", key, e);
    }
  }
}
