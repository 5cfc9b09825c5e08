package io.aiondb.operator.backup;

import io.aiondb.operator.Clusters;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.BackupSpec;
import io.aiondb.operator.reconcile.FakeEngine;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The backup controllers' tests' cluster: three members, optionally with spec.backup, and its FakeEngine group. */
final class BackupFixtures {
  private BackupFixtures() {}

  /** Creates the AionCluster and the fake engine's group for it (leader: member 0). */
  static FakeEngine.Group cluster(KubernetesClient client, String namespace, String name, boolean withBackup) {
    return cluster(client, namespace, name, withBackup, c -> {});
  }

  /** As above, with {@code edit} applied to the AionCluster before it is created. */
  static FakeEngine.Group cluster(KubernetesClient client, String namespace, String name, boolean withBackup,
      java.util.function.Consumer<AionCluster> edit) {
    AionCluster c = Clusters.cluster(name, 3, "0.1.0");
    c.getMetadata().setNamespace(namespace);
    c.getMetadata().setUid(null);
    c.getMetadata().setGeneration(null);
    if (withBackup) {
      BackupSpec backup = new BackupSpec();
      BackupSpec.S3 s3 = new BackupSpec.S3();
      s3.setBucket("backups");
      BackupSpec.CredentialsSecret creds = new BackupSpec.CredentialsSecret();
      creds.setName("s3-credentials");
      s3.setCredentialsSecret(creds);
      backup.setS3(s3);
      c.getSpec().setBackup(backup);
    }
    edit.accept(c);
    client.resource(c).create();
    FakeEngine.Group g = FakeEngine.Group.of(name + "-0", name + "-0", name + "-1", name + "-2");
    FakeEngine.GROUPS.put(namespace + "/" + name, g);
    return g;
  }
}
