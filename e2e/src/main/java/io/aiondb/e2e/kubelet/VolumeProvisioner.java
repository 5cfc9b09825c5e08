package io.aiondb.e2e.kubelet;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One data directory per PersistentVolumeClaim: {@code <state>/volumes/<namespace>_<claim>_<claim uid>}. It
 * survives the pods that use it and is deleted when the claim is gone. Keyed by the claim's uid, so a new claim of
 * the same name starts empty, as a new volume would.
 *
 * <p>For each claim a pod of this node uses, the provisioner also creates a hostPath PersistentVolume pre-bound to
 * the claim (name {@code pvc-<claim uid>}, reclaim policy Retain, node affinity to this node), so the
 * controller-manager's volume binder marks the claim Bound as with a real provisioner. When the claim is deleted,
 * the provisioner deletes the directory and that volume.
 */
final class VolumeProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(VolumeProvisioner.class);
  static final String LABEL = "aiondb.io/process-kubelet";

  private final KubernetesClient client;
  private final SharedIndexInformer<PersistentVolumeClaim> claims;
  private final Path root;
  private final String nodeName;

  VolumeProvisioner(KubernetesClient client, SharedIndexInformer<PersistentVolumeClaim> claims, Path root,
      String nodeName) {
    this.client = client;
    this.claims = claims;
    this.root = root;
    this.nodeName = nodeName;
  }

  /** The claim's directory (created if new); not ready while the claim does not exist. */
  Path dataDir(String namespace, String claimName) throws Volumes.NotReady, IOException {
    PersistentVolumeClaim pvc = claims.getStore().getByKey(namespace + "/" + claimName);
    if (pvc == null) {
      throw new Volumes.NotReady("ContainerCreating", "persistentvolumeclaim \"" + claimName + "\" not found");
    }
    if (pvc.getMetadata().getDeletionTimestamp() != null) {
      throw new Volumes.NotReady("ContainerCreating", "persistentvolumeclaim \"" + claimName + "\" is being deleted");
    }
    Path dir = root.resolve(namespace + "_" + claimName + "_" + pvc.getMetadata().getUid());
    Files.createDirectories(dir);
    ensureVolume(pvc, dir);
    return dir;
  }

  private void ensureVolume(PersistentVolumeClaim pvc, Path dir) {
    String name = "pvc-" + pvc.getMetadata().getUid();
    if (pvc.getSpec().getVolumeName() != null && !pvc.getSpec().getVolumeName().isEmpty()) return;
    if (client.persistentVolumes().withName(name).get() != null) return;
    Quantity size = pvc.getSpec().getResources() != null && pvc.getSpec().getResources().getRequests() != null
        ? pvc.getSpec().getResources().getRequests().get("storage") : null;
    PersistentVolume pv = new PersistentVolumeBuilder()
        .withNewMetadata().withName(name).withLabels(Map.of(LABEL, nodeName)).endMetadata()
        .withNewSpec()
        .withCapacity(Map.of("storage", size != null ? size : new Quantity("1Gi")))
        .withAccessModes(pvc.getSpec().getAccessModes())
        .withVolumeMode(pvc.getSpec().getVolumeMode() != null ? pvc.getSpec().getVolumeMode() : "Filesystem")
        .withStorageClassName(pvc.getSpec().getStorageClassName() != null ? pvc.getSpec().getStorageClassName() : "")
        .withPersistentVolumeReclaimPolicy("Retain")
        .withNewHostPath().withPath(dir.toString()).withType("DirectoryOrCreate").endHostPath()
        .withNewClaimRef().withApiVersion("v1").withKind("PersistentVolumeClaim")
        .withNamespace(pvc.getMetadata().getNamespace()).withName(pvc.getMetadata().getName())
        .withUid(pvc.getMetadata().getUid()).endClaimRef()
        .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
        .withKey("kubernetes.io/hostname").withOperator("In").withValues(nodeName)
        .endMatchExpression().endNodeSelectorTerm().endRequired().endNodeAffinity()
        .endSpec()
        .build();
    try {
      client.persistentVolumes().resource(pv).create();
      LOG.info("created volume {} for claim {}/{} at {}", name, pvc.getMetadata().getNamespace(),
          pvc.getMetadata().getName(), dir);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
    }
  }

  /**
   * Plays the resizer and the kubelet's file system expansion for this node's volumes, as a CSI driver with online
   * expansion would: a bound claim whose request grew above its capacity gets its PersistentVolume's capacity raised,
   * then its {@code status.capacity} (and {@code allocatedResources}) set to the request, its resize conditions
   * cleared. A directory has no size of its own, so recording the capacity is the whole expansion. The API server
   * (admission plugin PersistentVolumeClaimResize) lets a request grow only on a bound claim whose StorageClass has
   * {@code allowVolumeExpansion: true}; the controller-manager's expand controller finds no in-tree plugin for a
   * hostPath volume and leaves it to "an external controller", this one.
   */
  void expand() {
    for (PersistentVolumeClaim pvc : claims.getStore().list()) {
      var status = pvc.getStatus();
      String volume = pvc.getSpec().getVolumeName();
      if (status == null || !"Bound".equals(status.getPhase()) || volume == null
          || !volume.equals("pvc-" + pvc.getMetadata().getUid()) || pvc.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      Quantity requested = pvc.getSpec().getResources() == null || pvc.getSpec().getResources().getRequests() == null
          ? null : pvc.getSpec().getResources().getRequests().get("storage");
      Quantity capacity = status.getCapacity() == null ? null : status.getCapacity().get("storage");
      if (requested == null || capacity == null
          || requested.getNumericalAmount().compareTo(capacity.getNumericalAmount()) <= 0) {
        continue;
      }
      PersistentVolume pv = client.persistentVolumes().withName(volume).get();
      if (pv == null || pv.getMetadata().getLabels() == null || !nodeName.equals(pv.getMetadata().getLabels().get(LABEL))) {
        continue; // not one of this node's volumes
      }
      String ns = pvc.getMetadata().getNamespace();
      String name = pvc.getMetadata().getName();
      Quantity pvSize = pv.getSpec().getCapacity() == null ? null : pv.getSpec().getCapacity().get("storage");
      if (pvSize == null || pvSize.getNumericalAmount().compareTo(requested.getNumericalAmount()) < 0) {
        client.persistentVolumes().withName(volume).edit(v -> {
          v.getSpec().setCapacity(Map.of("storage", requested));
          return v;
        });
      }
      client.persistentVolumeClaims().inNamespace(ns).withName(name).editStatus(c -> {
        c.getStatus().setCapacity(Map.of("storage", requested));
        c.getStatus().setAllocatedResources(Map.of("storage", requested));
        c.getStatus().setAllocatedResourceStatuses(null);
        if (c.getStatus().getConditions() != null) {
          c.getStatus().setConditions(c.getStatus().getConditions().stream()
              .filter(x -> !"Resizing".equals(x.getType()) && !"FileSystemResizePending".equals(x.getType())).toList());
        }
        return c;
      });
      LOG.info("expanded volume {} of claim {}/{} from {} to {}", volume, ns, name, capacity, requested);
    }
  }

  /**
   * Deletes the directories and volumes of claims that no longer exist. Runs only once the claim informer has
   * synced, so an empty cache never looks like "every claim was deleted".
   */
  void collect() {
    if (!claims.hasSynced()) return;
    Set<String> uids = claims.getStore().list().stream().map(c -> c.getMetadata().getUid()).collect(Collectors.toSet());
    if (Files.isDirectory(root)) {
      try (Stream<Path> dirs = Files.list(root)) {
        for (Path dir : dirs.toList()) {
          String n = dir.getFileName().toString();
          String uid = n.substring(n.lastIndexOf('_') + 1);
          if (!uids.contains(uid)) {
            LOG.info("claim of {} is gone: deleting the directory", dir);
            deleteTree(dir);
          }
        }
      } catch (IOException e) {
        LOG.warn("cannot list {}: {}", root, e.toString());
      }
    }
    List<PersistentVolume> ours = client.persistentVolumes().withLabel(LABEL, nodeName).list().getItems();
    for (PersistentVolume pv : ours) {
      var ref = pv.getSpec().getClaimRef();
      if (ref == null || !uids.contains(ref.getUid())) {
        if (pv.getMetadata().getDeletionTimestamp() == null) {
          LOG.info("claim of volume {} is gone: deleting the volume", pv.getMetadata().getName());
          client.persistentVolumes().withName(pv.getMetadata().getName()).delete();
        }
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
