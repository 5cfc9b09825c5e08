package io.aiondb.ycsb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Vector;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/**
 * YCSB binding for Redis over Jedis, after YCSB's own redis binding: a record is a hash (one hash field per YCSB
 * field) and every key is also a member of a sorted set, the table's index, which scans walk. Two differences, both
 * in Redis's favour or neutral, and both written here so the comparison can be judged:
 *
 * <ul>
 *   <li>The index holds every key with score 0 and a scan is {@code ZRANGEBYLEX [startkey + LIMIT 0 n}: rows in key
 *       order, like Aion's and etcd's scans. YCSB's binding scores keys by {@code String.hashCode()}, which is not
 *       key order.</li>
 *   <li>Commands of one operation go in one pipeline (insert: HSET + ZADD; delete: DEL + ZREM; scan: the index range,
 *       then every HGETALL in one pipeline): one or two round trips where YCSB's binding makes up to n + 1.</li>
 * </ul>
 *
 * <p>Keys are {@code table:key}; the index of a table is {@code _index:table}. Properties: {@code redis.host}
 * (default 127.0.0.1), {@code redis.port} (default 6379), {@code redis.timeout.ms} (default 30000). One connection
 * per YCSB thread, as in YCSB's binding.
 */
public final class RedisBinding extends DB {
  private Jedis jedis;

  @Override
  public void init() throws DBException {
    String host = getProperties().getProperty("redis.host", "127.0.0.1");
    int port = Integer.parseInt(getProperties().getProperty("redis.port", "6379"));
    int timeout = Integer.parseInt(getProperties().getProperty("redis.timeout.ms", "30000"));
    jedis = new Jedis(host, port, timeout);
  }

  @Override
  public void cleanup() {
    jedis.close();
  }

  private static String redisKey(String table, String key) {
    return table + ":" + key;
  }

  private static String index(String table) {
    return "_index:" + table;
  }

  @Override
  public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      String k = redisKey(table, key);
      if (fields == null) {
        Map<String, String> all = jedis.hgetAll(k);
        if (all.isEmpty()) return Status.NOT_FOUND;
        StringByteIterator.putAllAsByteIterators(result, all);
      } else {
        List<String> names = new ArrayList<>(fields);
        List<String> values = jedis.hmget(k, names.toArray(new String[0]));
        Iterator<String> v = values.iterator();
        boolean any = false;
        for (String name : names) {
          String value = v.next();
          if (value != null) {
            result.put(name, new StringByteIterator(value));
            any = true;
          }
        }
        if (!any) return Status.NOT_FOUND;
      }
      return Status.OK;
    } catch (RuntimeException e) {
      return Failures.error("redis", "read", key, e);
    }
  }

  @Override
  public Status scan(String table, String startkey, int recordcount, Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    try {
      List<String> keys = jedis.zrangeByLex(index(table), "[" + startkey, "+", 0, recordcount);
      if (keys.isEmpty()) return Status.OK;
      Pipeline p = jedis.pipelined();
      List<Response<Map<String, String>>> rows = new ArrayList<>(keys.size());
      for (String key : keys) rows.add(p.hgetAll(redisKey(table, key)));
      p.sync();
      for (Response<Map<String, String>> r : rows) {
        HashMap<String, ByteIterator> row = new HashMap<>();
        for (Map.Entry<String, String> e : r.get().entrySet()) {
          if (fields == null || fields.contains(e.getKey())) row.put(e.getKey(), new StringByteIterator(e.getValue()));
        }
        result.add(row);
      }
      return Status.OK;
    } catch (RuntimeException e) {
      return Failures.error("redis", "scan", startkey, e);
    }
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    try {
      jedis.hset(redisKey(table, key), StringByteIterator.getStringMap(values));
      return Status.OK;
    } catch (RuntimeException e) {
      return Failures.error("redis", "update", key, e);
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    try {
      Pipeline p = jedis.pipelined();
      Response<Long> hset = p.hset(redisKey(table, key), StringByteIterator.getStringMap(values));
      Response<Long> zadd = p.zadd(index(table), 0, key);
      p.sync();
      hset.get(); // a failed command throws here
      zadd.get();
      return Status.OK;
    } catch (RuntimeException e) {
      return Failures.error("redis", "insert", key, e);
    }
  }

  @Override
  public Status delete(String table, String key) {
    try {
      Pipeline p = jedis.pipelined();
      Response<Long> deleted = p.del(redisKey(table, key));
      Response<Long> unindexed = p.zrem(index(table), key);
      p.sync();
      unindexed.get();
      return deleted.get() > 0 ? Status.OK : Status.NOT_FOUND;
    } catch (RuntimeException e) {
      return Failures.error("redis", "delete", key, e);
    }
  }
}
