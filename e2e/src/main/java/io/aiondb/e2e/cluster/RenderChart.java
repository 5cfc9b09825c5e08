package io.aiondb.e2e.cluster;

import com.marcnuri.helm.Helm;
import io.aiondb.e2e.kubelet.Launcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code RenderChart CHART RELEASE NAMESPACE KUBE_VERSION [NAME=VALUE]...}: prints {@code helm template} of the chart, rendered by
 * the Helm library embedded in helm-java (no helm binary).
 *
 * <p>It runs as its own short-lived JVM ({@link #render}) on purpose: loading Helm's Go library into a JVM installs
 * Go's signal handlers, after which SIGINT and SIGTERM no longer reach the JVM's shutdown hooks, so a long-running
 * process (the dev cluster, the tests) that rendered the chart in-process could not be stopped cleanly.
 */
public final class RenderChart {
  private RenderChart() {}

  public static void main(String[] args) {
    var template = new Helm(Path.of(args[0])).template().withName(args[1]).withNamespace(args[2])
        .withKubeVersion(args[3]);
    for (int i = 4; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      template.set(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    String yaml = template.call();
    System.out.print(yaml);
    System.out.flush();
  }

  /** Runs {@link #main} in a child JVM with this JVM's class path and returns the manifests. */
  public static String render(Path chart, String release, String namespace, String kubeVersion,
      Map<String, String> values) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        RenderChart.class.getName(), chart.toString(), release, namespace, kubeVersion));
    values.forEach((k, v) -> command.add(k + "=" + v));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().putAll(System.getenv());
    Process p = Launcher.start(pb);
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      Launcher.stop(p, 1000);
      throw new IOException("rendering " + chart + " failed (exit " + p.exitValue() + ")");
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
