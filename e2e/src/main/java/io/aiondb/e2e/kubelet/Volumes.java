package io.aiondb.e2e.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Materializes a pod's volumes as directories and maps its container's mount paths onto them.
 *
 * <ul>
 *   <li>{@code persistentVolumeClaim}: the claim's data directory ({@link VolumeProvisioner}), kept across pods;
 *   <li>{@code configMap}, {@code secret}, {@code projected} (configMap, secret, downwardAPI and serviceAccountToken
 *       sources), {@code downwardAPI}: files written into {@code <pod dir>/volumes/<name>} when the container starts
 *       (a restart of the container picks up changes; the files are not refreshed while it runs). Text files have
 *       their container paths rewritten ({@link PathMap});
 *   <li>{@code emptyDir}: {@code <pod dir>/volumes/<name>}, deleted with the pod.
 * </ul>
 * Any other volume type stops the pod from starting, with a message in its status.
 */
final class Volumes {
  /** A volume that cannot be materialized yet (missing object) or at all (unsupported type). */
  static final class NotReady extends Exception {
    final String reason;

    NotReady(String reason, String message) {
      super(message);
      this.reason = reason;
    }
  }

  private final KubernetesClient client;
  private final VolumeProvisioner provisioner;

  Volumes(KubernetesClient client, VolumeProvisioner provisioner) {
    this.client = client;
    this.provisioner = provisioner;
  }

  /** Writes the volumes of {@code pod} under {@code podDir} and returns the container's mount table. */
  PathMap materialize(Pod pod, Container container, Path podDir, Function<String, String> fieldRef)
      throws NotReady, IOException {
    String ns = pod.getMetadata().getNamespace();
    Map<String, Path> dirs = new LinkedHashMap<>();
    Map<String, Map<String, byte[]>> files = new LinkedHashMap<>();
    for (Volume v : pod.getSpec().getVolumes()) {
      Path dir = podDir.resolve("volumes").resolve(v.getName());
      if (v.getPersistentVolumeClaim() != null) {
        dirs.put(v.getName(), provisioner.dataDir(ns, v.getPersistentVolumeClaim().getClaimName()));
      } else if (v.getEmptyDir() != null) {
        Files.createDirectories(dir);
        dirs.put(v.getName(), dir);
      } else if (v.getConfigMap() != null) {
        files.put(v.getName(), configMap(ns, v.getConfigMap().getName(), v.getConfigMap().getItems(),
            v.getConfigMap().getOptional()));
        dirs.put(v.getName(), dir);
      } else if (v.getSecret() != null) {
        files.put(v.getName(), secret(ns, v.getSecret().getSecretName(), v.getSecret().getItems(),
            v.getSecret().getOptional()));
        dirs.put(v.getName(), dir);
      } else if (v.getDownwardAPI() != null) {
        files.put(v.getName(), downward(v.getDownwardAPI().getItems(), fieldRef));
        dirs.put(v.getName(), dir);
      } else if (v.getProjected() != null) {
        Map<String, byte[]> all = new LinkedHashMap<>();
        for (VolumeProjection p : v.getProjected().getSources()) {
          if (p.getConfigMap() != null) {
            all.putAll(configMap(ns, p.getConfigMap().getName(), p.getConfigMap().getItems(),
                p.getConfigMap().getOptional()));
          } else if (p.getSecret() != null) {
            all.putAll(secret(ns, p.getSecret().getName(), p.getSecret().getItems(), p.getSecret().getOptional()));
          } else if (p.getDownwardAPI() != null) {
            all.putAll(downward(p.getDownwardAPI().getItems(), fieldRef));
          } else if (p.getServiceAccountToken() != null) {
            all.put(p.getServiceAccountToken().getPath(), token(pod, p.getServiceAccountToken()));
          } else {
            throw new NotReady("CreateContainerConfigError", "volume " + v.getName()
                + ": projected source not supported by the process kubelet: " + p);
          }
        }
        files.put(v.getName(), all);
        dirs.put(v.getName(), dir);
      } else {
        throw new NotReady("CreateContainerConfigError", "volume " + v.getName()
            + ": type not supported by the process kubelet (persistentVolumeClaim, configMap, secret, projected, "
            + "downwardAPI and emptyDir are)");
      }
    }
    PathMap mounts = new PathMap();
    for (VolumeMount m : container.getVolumeMounts()) {
      Path dir = dirs.get(m.getName());
      if (dir == null) throw new NotReady("CreateContainerConfigError", "volume mount " + m.getName() + ": no such volume");
      mounts.put(m.getMountPath(), m.getSubPath() == null || m.getSubPath().isEmpty() ? dir : dir.resolve(m.getSubPath()));
    }
    // Files are written once the whole mount table is known, so that their text can refer to any mount.
    for (var e : files.entrySet()) {
      Path dir = dirs.get(e.getKey());
      Files.createDirectories(dir);
      for (var f : e.getValue().entrySet()) {
        Path file = dir.resolve(f.getKey()).normalize();
        if (!file.startsWith(dir)) throw new NotReady("CreateContainerConfigError", "file path escapes volume: " + f.getKey());
        Files.createDirectories(file.getParent());
        Files.write(file, rewrite(f.getValue(), mounts));
      }
    }
    return mounts;
  }

  private Map<String, byte[]> configMap(String ns, String name, List<KeyToPath> items, Boolean optional) throws NotReady {
    ConfigMap cm = client.configMaps().inNamespace(ns).withName(name).get();
    if (cm == null) {
      if (Boolean.TRUE.equals(optional)) return Map.of();
      throw new NotReady("ContainerCreating", "configmap \"" + name + "\" not found");
    }
    Map<String, byte[]> data = new LinkedHashMap<>();
    if (cm.getData() != null) cm.getData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    if (cm.getBinaryData() != null) cm.getBinaryData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    return select(data, items, "configmap " + name);
  }

  private Map<String, byte[]> secret(String ns, String name, List<KeyToPath> items, Boolean optional) throws NotReady {
    Secret secret = client.secrets().inNamespace(ns).withName(name).get();
    if (secret == null) {
      if (Boolean.TRUE.equals(optional)) return Map.of();
      throw new NotReady("ContainerCreating", "secret \"" + name + "\" not found");
    }
    Map<String, byte[]> data = new LinkedHashMap<>();
    if (secret.getData() != null) secret.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    if (secret.getStringData() != null) {
      secret.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    return select(data, items, "secret " + name);
  }

  private static Map<String, byte[]> select(Map<String, byte[]> data, List<KeyToPath> items, String what) throws NotReady {
    if (items == null || items.isEmpty()) return data;
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (KeyToPath item : items) {
      byte[] value = data.get(item.getKey());
      if (value == null) throw new NotReady("CreateContainerConfigError", what + " has no key " + item.getKey());
      out.put(item.getPath(), value);
    }
    return out;
  }

  private static Map<String, byte[]> downward(List<DownwardAPIVolumeFile> items, Function<String, String> fieldRef)
      throws NotReady {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (DownwardAPIVolumeFile item : items == null ? List.<DownwardAPIVolumeFile>of() : items) {
      if (item.getFieldRef() == null) {
        throw new NotReady("CreateContainerConfigError", "downwardAPI item " + item.getPath()
            + ": only fieldRef is supported by the process kubelet");
      }
      String value = fieldRef.apply(item.getFieldRef().getFieldPath());
      out.put(item.getPath(), (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  private byte[] token(Pod pod, ServiceAccountTokenProjection projection) {
    String sa = pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName();
    TokenRequestBuilder request = new TokenRequestBuilder().withNewSpec()
        .withExpirationSeconds(projection.getExpirationSeconds() == null ? 3607L : projection.getExpirationSeconds())
        .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
        .withUid(pod.getMetadata().getUid()).endBoundObjectRef()
        .endSpec();
    if (projection.getAudience() != null && !projection.getAudience().isEmpty()) {
      request.editSpec().withAudiences(projection.getAudience()).endSpec();
    }
    TokenRequest answer = client.serviceAccounts().inNamespace(pod.getMetadata().getNamespace()).withName(sa)
        .tokenRequest(request.build());
    return answer.getStatus().getToken().getBytes(StandardCharsets.UTF_8);
  }

  /** UTF-8 text gets its container paths rewritten; anything else is written as is. */
  private static byte[] rewrite(byte[] content, PathMap mounts) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
      return mounts.translate(text).getBytes(StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      return content;
    }
  }

  static List<Integer> ports(Container c) {
    List<Integer> ports = new ArrayList<>();
    if (c.getPorts() != null) c.getPorts().forEach(p -> ports.add(p.getContainerPort()));
    return ports;
  }
}
