package io.aiondb.server.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * One fault at a time on a {@link LocalCluster}, drawn from a seeded random: kill -9 and restart, a partition of one
 * node from the others, SIGSTOP/SIGCONT, or a leadership transfer; each held 1.5-4 s, with recovery time between.
 * The sequence of faults is a function of the seed (their timing is not). {@link #faults()} lists what was done.
 */
final class Nemesis {
  private final LocalCluster cl;
  private final Random random;
  private final List<String> faults = new ArrayList<>();

  Nemesis(LocalCluster cl, long seed) {
    this.cl = cl;
    this.random = new Random(seed);
  }

  List<String> faults() {
    return faults;
  }

  /** Injects faults for about {@code duration}, then heals everything. The sleeps are the fault schedule itself. */
  void run(Duration duration) throws Exception {
    long end = System.nanoTime() + duration.toNanos();
    try {
      while (System.nanoTime() < end) {
        Thread.sleep(1000 + random.nextInt(1500));
        int node = 1 + random.nextInt(cl.size());
        int fault = random.nextInt(4);
        long hold = 1500 + random.nextInt(2500);
        switch (fault) {
          case 0 -> {
            faults.add("kill -9 n" + node);
            cl.kill(node);
            Thread.sleep(hold);
            cl.start(node);
          }
          case 1 -> {
            faults.add("partition n" + node + " from the others");
            cl.partition(Set.of(node));
            Thread.sleep(hold);
            cl.heal();
          }
          case 2 -> {
            faults.add("SIGSTOP n" + node);
            cl.pause(node);
            Thread.sleep(hold);
            cl.resume(node);
          }
          default -> {
            faults.add("transfer leadership to n" + node);
            try {
              Http.post(cl.url(node) + "/v1/cluster/leader", "{\"id\":\"n" + node + "\"}");
            } catch (Throwable e) {
              faults.add("  (transfer refused: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
            }
          }
        }
        Thread.sleep(1500); // let the cluster recover before the next fault
      }
    } finally {
      heal();
    }
  }

  void heal() throws InterruptedException {
    cl.heal();
    for (int i = 1; i <= cl.size(); i++) cl.resume(i);
  }
}
