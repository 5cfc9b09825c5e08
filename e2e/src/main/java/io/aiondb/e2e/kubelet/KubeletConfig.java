package io.aiondb.e2e.kubelet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the process kubelet.
 *
 * @param nodeName the Node it registers and binds pods to
 * @param stateDir its directory: pods/ (volumes of running pods), volumes/ (one per claim), logs/ (one per pod),
 *     dns/ (the hosts files), pod-ips (address per pod name)
 * @param podSelector label selector of the pods it binds and runs (default: the operator's pods)
 * @param images which local build each image runs as
 * @param java the java executable for {@code java} in an image's entry point
 * @param jvmOptions added after {@code java} for every pod (besides the hosts file, DNS cache, tmp dir and
 *     MaxRAM from the memory limit, which are always set)
 * @param firstAddress first N of the pod addresses 127.0.0.N
 * @param lastAddress last N
 * @param shutdownGrace longest wait for pods to stop when the kubelet closes (then SIGKILL)
 */
public record KubeletConfig(String nodeName, Path stateDir, String podSelector, Images images, Path java,
    List<String> jvmOptions, int firstAddress, int lastAddress, Duration shutdownGrace) {

  public static final String DEFAULT_NODE = "aion-dev-node";
  /** The label every pod of an AionCluster carries (app.kubernetes.io/name=aion-db). */
  public static final String DEFAULT_SELECTOR = "app.kubernetes.io/name=aion-db";
  /** C1 only and the serial collector: several engine JVMs share two cores here. */
  public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  public static KubeletConfig defaults(Path stateDir, Path engineDir) {
    return new KubeletConfig(DEFAULT_NODE, stateDir, DEFAULT_SELECTOR, Images.engine(engineDir),
        Path.of(System.getProperty("java.home"), "bin", "java"), DEFAULT_JVM_OPTIONS, 10, 250, Duration.ofSeconds(30));
  }

  public KubeletConfig withImages(Images i) {
    return new KubeletConfig(nodeName, stateDir, podSelector, i, java, jvmOptions, firstAddress, lastAddress,
        shutdownGrace);
  }
}
