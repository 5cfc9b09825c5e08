package io.aiondb.kubectl;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code kubectl aion} (docs/kubectl-plugin.md): the command line, its global options and the Kubernetes client. */
@Command(name = "kubectl aion", mixinStandardHelpOptions = true, versionProvider = KubectlAion.Version.class,
    description = "Operate Aion DB clusters (AionCluster resources) on Kubernetes.",
    subcommands = {StatusCommand.class, SwitchoverCommand.class, RestartCommand.class, BackupCommand.class,
        LogsCommand.class, KubectlAion.VersionCommand.class, CommandLine.HelpCommand.class})
public final class KubectlAion implements Runnable {
  @Option(names = {"-n", "--namespace"}, scope = ScopeType.INHERIT,
      description = "The cluster's namespace (default: the kubeconfig context's, else default).")
  String namespace;

  @Option(names = "--kubeconfig", scope = ScopeType.INHERIT,
      description = "The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
  Path kubeconfig;

  @Option(names = "--context", scope = ScopeType.INHERIT, description = "The kubeconfig context to use.")
  String context;

  @Option(names = "--connect", scope = ScopeType.INHERIT, defaultValue = "proxy",
      description = "How to reach the members' API: proxy (through the API server's pods/proxy; default) or direct "
          + "(to the pod IPs, from inside the cluster network).")
  Engine.Connect connect;

  @Option(names = "--token", scope = ScopeType.INHERIT,
      description = "An Aion token or API key to act with (default: $AION_TOKEN, else root with the password in "
          + "Secret <cluster>-root).")
  String token;

  @Option(names = "--request-timeout", scope = ScopeType.INHERIT, defaultValue = "30s",
      description = "How long one request may take (default 30s).")
  String requestTimeout;

  PrintWriter out;
  PrintWriter err;
  Map<String, String> env;
  private KubernetesClient client;

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.getenv()));
  }

  /** Runs one command; the exit code: 0 done, 1 failed or refused, 2 bad usage, 3 a wait ran out of time. */
  public static int run(String[] args, PrintStream stdout, PrintStream stderr, Map<String, String> env) {
    KubectlAion root = new KubectlAion();
    root.out = new PrintWriter(stdout, true, StandardCharsets.UTF_8);
    root.err = new PrintWriter(stderr, true, StandardCharsets.UTF_8);
    root.env = env;
    CommandLine cl = new CommandLine(root).setOut(root.out).setErr(root.err).setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof PluginException p) {
        root.err.println("error: " + p.getMessage());
        return p.exitCode();
      }
      if (e instanceof KubernetesClientException k) {
        root.err.println("error: the Kubernetes API: " + kubernetesMessage(k));
        return PluginException.FAILED;
      }
      if (e instanceof IllegalArgumentException a) {
        root.err.println("error: " + a.getMessage());
        return CommandLine.ExitCode.USAGE;
      }
      throw e;
    });
    try {
      return cl.execute(args);
    } finally {
      if (root.client != null) root.client.close();
      root.out.flush();
      root.err.flush();
    }
  }

  private static String kubernetesMessage(KubernetesClientException k) {
    if (k.getStatus() != null && k.getStatus().getMessage() != null) {
      return k.getStatus().getMessage() + " (HTTP " + k.getCode() + ")";
    }
    Throwable root = k;
    while (root.getCause() != null) root = root.getCause();
    return k.getMessage() + (root != k ? " (" + root + ")" : "");
  }

  @Override
  public void run() {
    new CommandLine(this).usage(out);
  }

  Duration timeout() {
    Duration d = Durations.parse(requestTimeout);
    if (d.isZero()) throw new IllegalArgumentException("--request-timeout must be above zero");
    return d;
  }

  synchronized KubernetesClient client() {
    if (client != null) return client;
    Config config;
    try {
      if (kubeconfig != null) {
        config = Config.fromKubeconfig(context, Files.readString(kubeconfig), kubeconfig.toString());
      } else {
        config = Config.autoConfigure(context);
      }
    } catch (IOException e) {
      throw new PluginException("cannot read --kubeconfig " + kubeconfig + ": " + e.getMessage());
    } catch (KubernetesClientException | IllegalArgumentException e) {
      throw new PluginException("cannot use the kubeconfig" + (context == null ? "" : " context " + context) + ": "
          + e.getMessage());
    }
    config.setRequestTimeout((int) Math.min(Integer.MAX_VALUE, timeout().toMillis()));
    client = new KubernetesClientBuilder().withConfig(config).build();
    return client;
  }

  String namespace() {
    if (namespace != null) return namespace;
    String fromConfig = client().getNamespace();
    return fromConfig == null || fromConfig.isBlank() ? "default" : fromConfig;
  }

  Target target(String cluster) {
    return Target.load(client(), namespace(), cluster);
  }

  Engine engine(Target target) {
    String t = token != null ? token : env.get("AION_TOKEN");
    return new Engine(target, connect, timeout(), t);
  }

  static String version() {
    try (InputStream in = KubectlAion.class.getResourceAsStream("/kubectl-aion-version.properties")) {
      Properties p = new Properties();
      if (in != null) p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"kubectl-aion " + version()};
    }
  }

  @Command(name = "version", description = "Print the plugin's version.")
  static final class VersionCommand implements Runnable {
    @CommandLine.ParentCommand KubectlAion root;

    @Override
    public void run() {
      root.out.println("kubectl-aion " + version());
    }
  }
}
