package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifests from the wild, unchanged: every file of kubernetes/examples (the project's own
 * example apps, test resources under {@code manifest-corpus/}) is created with the real
 * {@code kubectl create -f} on a server with hollow nodes and the controllers running, each
 * file in a namespace of its own unless it names its namespaces. A file whose objects are all
 * of kinds Kubernetes 1.32 serves must be accepted, except the ones listed in
 * {@link #KNOWN_REFUSALS} with the reason (the list is checked both ways: a listed file that
 * is accepted fails the test too, so the list shrinks as kinds arrive). A file with a kind
 * Kubernetes 1.32 does not serve (extensions/v1beta1, a CRD's kind) must be refused as kube
 * refuses it: {@code no matches for kind}.
 */
class ManifestCorpusTest {
  private static final Path ROOT = Path.of("src/test/resources/manifest-corpus/kubernetes-examples");

  /**
   * The apiVersion/kind pairs of this corpus that Kubernetes 1.32 serves (the others in it are
   * extensions/v1beta1, apps/v1beta1, storage.k8s.io/v1beta1, policy/v1beta1, an alpha
   * admission kind and the Prometheus operator's custom kinds).
   */
  static final Set<String> SERVED_BY_KUBERNETES = Set.of(
      "v1/Service", "v1/Pod", "v1/ReplicationController", "v1/PersistentVolumeClaim", "v1/PersistentVolume",
      "v1/Secret", "v1/Namespace", "v1/ServiceAccount", "v1/Endpoints", "v1/ConfigMap",
      "apps/v1/Deployment", "apps/v1/StatefulSet", "apps/v1/DaemonSet",
      "storage.k8s.io/v1/StorageClass", "networking.k8s.io/v1/Ingress", "autoscaling/v2/HorizontalPodAutoscaler",
      "rbac.authorization.k8s.io/v1/ClusterRoleBinding", "rbac.authorization.k8s.io/v1/ClusterRole",
      "rbac.authorization.k8s.io/v1/RoleBinding", "rbac.authorization.k8s.io/v1/Role",
      "apiregistration.k8s.io/v1/APIService");

  private static final String DOCKER_CANNOT_MOUNT = "Unsupported value: \"%s\": supported values: \"configMap\"";
  private static final String EXAMPLES = "_archived/volumes/";

  /**
   * Files of served kinds that are refused, with (part of) kubectl's error. Two groups: files
   * Kubernetes 1.32 refuses as well (they were written for older versions or carry typos), and
   * pods with a volume type the Docker runtime cannot mount, refused by design rather than
   * accepted and never started (Kubernetes accepts those and the kubelet fails to mount them).
   */
  static final Map<String, String> KNOWN_REFUSALS = Map.ofEntries(
      // Kubernetes refuses these too
      Map.entry(EXAMPLES + "aws_ebs/aws-ebs-web.yaml", "protocol: Unsupported value: \"tcp\""),
      Map.entry(EXAMPLES + "cinder/cinder-web.yaml", "protocol: Unsupported value: \"tcp\""),
      Map.entry(EXAMPLES + "fibre_channel/fc.yaml", "cannot unmarshal string into Go struct field FCVolumeSource"),
      Map.entry(EXAMPLES + "rbd/rbd.yaml", "strict decoding error: unknown field \"spec.volumes[0].rbd.imagefeatures\""),
      Map.entry(EXAMPLES + "scaleio/pod.yaml", "unknown field \"spec.volumes[0].scaleIO.protectionDoamin\""),
      Map.entry(EXAMPLES + "storageos/storageos-pod.yaml", "unknown field \"spec.volumes[0].storageos.pool\""),
      Map.entry(EXAMPLES + "storageos/storageos-pv.yaml", "unknown field \"spec.storageos.secretName\""),
      Map.entry("_archived/sysdig-cloud/sysdig-rc.yaml", "spec.selector: Required value"),
      // the aggregation layer (APIService) is not served: kubectl's validation finds no schema for it
      Map.entry("AI/vllm-deployment/hpa/prometheus-adapter.yaml", "the server could not find the requested resource"),
      // volumes the Docker runtime cannot mount
      Map.entry("_archived/nodesjs-mongodb/mongo-controller.yaml", DOCKER_CANNOT_MOUNT.formatted("gcePersistentDisk")),
      Map.entry("_archived/spark/spark-gluster/spark-master-controller.yaml", DOCKER_CANNOT_MOUNT.formatted("glusterfs")),
      Map.entry("_archived/spark/spark-gluster/spark-worker-controller.yaml", DOCKER_CANNOT_MOUNT.formatted("glusterfs")),
      Map.entry(EXAMPLES + "azure_disk/azure.yaml", DOCKER_CANNOT_MOUNT.formatted("azureDisk")),
      Map.entry(EXAMPLES + "azure_disk/static-provisioning/managed-disk/pod-uses-existing-managed-disk.yaml",
          DOCKER_CANNOT_MOUNT.formatted("azureDisk")),
      Map.entry(EXAMPLES + "azure_file/azure.yaml", DOCKER_CANNOT_MOUNT.formatted("azureFile")),
      Map.entry(EXAMPLES + "cephfs/cephfs-with-secret.yaml", DOCKER_CANNOT_MOUNT.formatted("cephfs")),
      Map.entry(EXAMPLES + "cephfs/cephfs.yaml", DOCKER_CANNOT_MOUNT.formatted("cephfs")),
      Map.entry(EXAMPLES + "flexvolume/nginx-dummy-attachable.yaml", DOCKER_CANNOT_MOUNT.formatted("flexVolume")),
      Map.entry(EXAMPLES + "flexvolume/nginx-dummy.yaml", DOCKER_CANNOT_MOUNT.formatted("flexVolume")),
      Map.entry(EXAMPLES + "flexvolume/nginx-lvm.yaml", DOCKER_CANNOT_MOUNT.formatted("flexVolume")),
      Map.entry(EXAMPLES + "flexvolume/nginx-nfs.yaml", DOCKER_CANNOT_MOUNT.formatted("flexVolume")),
      Map.entry(EXAMPLES + "flexvolume/nginx.yaml", DOCKER_CANNOT_MOUNT.formatted("flexVolume")),
      Map.entry(EXAMPLES + "flocker/flocker-pod-with-rc.yml", DOCKER_CANNOT_MOUNT.formatted("flocker")),
      Map.entry(EXAMPLES + "flocker/flocker-pod.yml", DOCKER_CANNOT_MOUNT.formatted("flocker")),
      Map.entry(EXAMPLES + "glusterfs/glusterfs-pod.yaml", DOCKER_CANNOT_MOUNT.formatted("glusterfs")),
      Map.entry(EXAMPLES + "iscsi/iscsi-chap.yaml", DOCKER_CANNOT_MOUNT.formatted("iscsi")),
      Map.entry(EXAMPLES + "iscsi/iscsi.yaml", DOCKER_CANNOT_MOUNT.formatted("iscsi")),
      Map.entry(EXAMPLES + "portworx/portworx-volume-pod.yaml", DOCKER_CANNOT_MOUNT.formatted("portworxVolume")),
      Map.entry(EXAMPLES + "quobyte/quobyte-pod.yaml", DOCKER_CANNOT_MOUNT.formatted("quobyte")),
      Map.entry(EXAMPLES + "rbd/rbd-with-secret.yaml", DOCKER_CANNOT_MOUNT.formatted("rbd")),
      Map.entry(EXAMPLES + "vsphere/deployment.yaml", DOCKER_CANNOT_MOUNT.formatted("vsphereVolume")),
      Map.entry(EXAMPLES + "vsphere/vsphere-volume-pod.yaml", DOCKER_CANNOT_MOUNT.formatted("vsphereVolume")),
      Map.entry("databases/mysql-cinder-pd/mysql.yaml", DOCKER_CANNOT_MOUNT.formatted("cinder")));

  /** Kinds without a namespace: a file's objects of these kinds are deleted after it, so that the next may reuse the name. */
  private static final Set<String> CLUSTER_SCOPED = Set.of("v1/PersistentVolume",
      "storage.k8s.io/v1/StorageClass", "rbac.authorization.k8s.io/v1/ClusterRole",
      "rbac.authorization.k8s.io/v1/ClusterRoleBinding", "networking.k8s.io/v1/IngressClass");

  @TempDir
  static Path work;

  record Outcome(CorpusFile file, int exit, String error) {}

  @Test
  void manifestsFromTheWildAreAcceptedAsKubernetesAcceptsThem() throws Exception {
    List<CorpusFile> files;
    try (Stream<Path> walk = Files.walk(ROOT)) {
      files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted()
          .map(p -> CorpusFile.read(ROOT, p)).toList();
    }
    assertTrue(files.size() > 200, "the corpus: " + files.size() + " files");
    List<Outcome> outcomes = new ArrayList<>();
    try (TestServer server = TestServer.startWithNodes("ManifestCorpusTest", TestServer.h2(work.resolve("data"))
        .withFallback(ConfigFactory.parseString("""
            steuermann.controllers.enabled = true
            steuermann.node.hollow-nodes = 3
            steuermann.node.name-prefix = "corpus-"
            """)))) {
      int i = 0;
      for (CorpusFile file : files) {
        outcomes.add(create(server.base, file, "corpus-" + i++));
      }
    }

    Map<String, int[]> byKind = new TreeMap<>();
    List<String> unexpected = new ArrayList<>();
    int eligible = 0;
    int accepted = 0;
    for (Outcome o : outcomes) {
      boolean served = SERVED_BY_KUBERNETES.containsAll(o.file().kinds());
      String known = KNOWN_REFUSALS.get(o.file().path());
      for (String kind : Set.copyOf(o.file().kinds())) {
        int[] counts = byKind.computeIfAbsent(kind, k -> new int[2]);
        counts[o.exit() == 0 ? 0 : 1]++;
      }
      if (!served) {
        // kube answers "no matches for kind"; without CRDs and /openapi/v2 kubectl's validation stops first
        if (o.exit() == 0 || !(o.error().contains("no matches for kind")
            || o.error().contains("the server could not find the requested resource"))) {
          unexpected.add(o.file().path() + ": a kind Kubernetes 1.32 does not serve, answered " + o.exit() + " "
              + o.error());
        }
        continue;
      }
      eligible++;
      if (o.exit() == 0) {
        accepted++;
        if (known != null) {
          unexpected.add(o.file().path() + ": accepted now; take it off KNOWN_REFUSALS");
        }
      } else if (known == null || !o.error().contains(known)) {
        unexpected.add(o.file().path() + ": refused: " + o.error().strip());
      }
    }
    System.out.printf("[corpus] %d files; %d of kinds Kubernetes 1.32 serves, %d of them accepted%n",
        files.size(), eligible, accepted);
    byKind.forEach((kind, c) -> System.out.printf("[corpus]   %-48s files accepted %3d, refused %3d%n", kind, c[0],
        c[1]));
    assertEquals(List.of(), unexpected);
  }

  /** kubectl create -f, in a namespace of the file's own unless it names its namespaces. */
  private static Outcome create(URI server, CorpusFile file, String namespace) throws Exception {
    List<String> args = new ArrayList<>(List.of("create", "-f", file.file().toString()));
    if (file.namespaces().isEmpty() && file.ownNamespaces().isEmpty()) {
      run(server, "create", "namespace", namespace);
      args.addAll(List.of("-n", namespace));
    } else {
      for (String ns : file.namespaces()) {
        if (!file.ownNamespaces().contains(ns)) {
          run(server, "create", "namespace", ns); // AlreadyExists for a namespace made before is fine
        }
      }
    }
    KubectlRunner.Result r = run(server, args.toArray(String[]::new));
    if (r.exit() == 0 && file.kinds().stream().anyMatch(CLUSTER_SCOPED::contains)) {
      List<String> delete = new ArrayList<>(args);
      delete.set(0, "delete");
      KubectlRunner.Result deleted = run(server, delete.toArray(String[]::new));
      assertEquals(0, deleted.exit(), file.path() + ": " + deleted.err());
    }
    return new Outcome(file, r.exit(), r.err());
  }

  private static KubectlRunner.Result run(URI server, String... args) throws IOException, InterruptedException {
    return KubectlRunner.run(server, work, args);
  }
}
