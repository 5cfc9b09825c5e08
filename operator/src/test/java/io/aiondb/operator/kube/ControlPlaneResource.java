package io.aiondb.operator.kube;

import io.aiondb.operator.packaging.Repo;
import io.fabric8.kubernetes.client.Config;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Runs the operator under test against a real API server ({@link ControlPlane}), as it runs in production: with the
 * generated CRD installed and authenticated as the Helm chart's ServiceAccount, so every call the chart's RBAC does not
 * allow fails with 403. Test classes with the same resources share one API server and one operator.
 *
 * <p>The operator's client is configured through fabric8's system properties (as Quarkus' own mock-server resource
 * does): the {@code quarkus.kubernetes-client.*} settings are fixed at build time, before test resources start.
 * Quarkus augments the application before it starts test resources, so the CRD the build step just generated into
 * target/kubernetes is the one installed.
 */
public class ControlPlaneResource implements QuarkusTestResourceLifecycleManager {
  /** The CRDs generated from io.aiondb.operator.api by the Quarkus build (GeneratedArtifactsIT compares them to crds/). */
  public static java.util.List<Path> generatedCrds() {
    Path crd = Repo.root().resolve("operator/target/kubernetes/aionclusters.aiondb.io-v1.yml");
    if (!Files.exists(crd)) {
      throw new IllegalStateException(crd + " does not exist: the Quarkus build generates it from the API classes"
          + " (quarkus.operator-sdk.crd.generate); run the tests through Maven (./mvnw -pl operator verify).");
    }
    return Repo.generatedCrds();
  }

  /**
   * Init argument: comma-separated namespaces for the chart's {@code watchNamespaces} (a Role per namespace); absent,
   * the chart's default (a ClusterRole, all namespaces). The operator's own namespaces setting must match.
   */
  public static final String WATCH_NAMESPACES = "watchNamespaces";

  private static final Logger LOG = Logger.getLogger(ControlPlaneResource.class);

  private ControlPlane controlPlane;
  private final Map<String, Object> chartValues = new LinkedHashMap<>();
  private final Map<String, String> properties = new LinkedHashMap<>();

  @Override
  public void init(Map<String, String> initArgs) {
    String namespaces = initArgs.get(WATCH_NAMESPACES);
    if (namespaces != null) {
      String[] list = namespaces.split(",");
      for (int i = 0; i < list.length; i++) {
        chartValues.put("watchNamespaces[" + i + "]", list[i].trim());
      }
    }
  }

  @Override
  public Map<String, String> start() {
    java.util.List<Path> crds = generatedCrds();
    long started = System.nanoTime();
    controlPlane = ControlPlane.start();
    Config operator;
    try {
      crds.forEach(controlPlane::installCrd);
      operator = controlPlane.installOperatorServiceAccount(chartValues);
    } catch (RuntimeException e) {
      controlPlane.close();
      controlPlane = null;
      throw e;
    }
    properties.put(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY, operator.getMasterUrl());
    properties.put(Config.KUBERNETES_OAUTH_TOKEN_SYSTEM_PROPERTY, operator.getOauthToken());
    if (operator.getCaCertFile() != null) {
      properties.put(Config.KUBERNETES_CA_CERTIFICATE_FILE_SYSTEM_PROPERTY, operator.getCaCertFile());
    }
    if (operator.getCaCertData() != null) {
      properties.put(Config.KUBERNETES_CA_CERTIFICATE_DATA_SYSTEM_PROPERTY, operator.getCaCertData());
    }
    // Nothing else: not ~/.kube/config, not an in-cluster token.
    properties.put(Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, "false");
    properties.put(Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY, "false");
    properties.forEach(System::setProperty);
    LOG.infof("kube-apiserver %s ready at %s in %d ms; CRDs %s installed; the operator runs as %s", controlPlane.version(),
        controlPlane.apiServerUrl(), (System.nanoTime() - started) / 1_000_000, crds.stream().map(Path::getFileName).toList(), controlPlane.operatorUser());
    return Map.of();
  }

  @Override
  public void inject(TestInjector testInjector) {
    testInjector.injectIntoFields(controlPlane,
        new TestInjector.AnnotatedAndMatchesType(InjectControlPlane.class, ControlPlane.class));
  }

  @Override
  public void stop() {
    properties.keySet().forEach(System::clearProperty);
    if (controlPlane != null) {
      controlPlane.close();
    }
  }
}
