package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.reflect.TypeToken;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.Watch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client libraries as their users use them, unchanged: the official Kubernetes Java client's
 * typed list and watch, and a fabric8 SharedIndexInformer following a Deployment through its
 * create, scale and delete.
 */
class ClientLibrariesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("ClientLibrariesTest", TestServer.h2(dataDir));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theOfficialJavaClientListsAndWatchesTypedPods() throws Exception {
    server.namespace("java-client");
    server.pod("java-client", "first", "{\"app\":\"j\"}");
    ApiClient client = io.kubernetes.client.util.Config.fromUrl(server.base.toString(), false);
    client.setReadTimeout(0);
    CoreV1Api core = new CoreV1Api(client);
    V1PodList list = core.listNamespacedPod("java-client").execute();
    assertEquals(List.of("first"), list.getItems().stream().map(p -> p.getMetadata().getName()).toList());
    assertEquals("busybox:1.36", list.getItems().get(0).getSpec().getContainers().get(0).getImage());

    List<String> seen = new CopyOnWriteArrayList<>();
    try (Watch<V1Pod> watch = Watch.createWatch(client,
        core.listNamespacedPod("java-client").watch(true).resourceVersion(list.getMetadata().getResourceVersion())
            .timeoutSeconds(30).buildCall(null),
        new TypeToken<Watch.Response<V1Pod>>() { }.getType())) {
      server.pod("java-client", "second", "{}");
      TestServer.expect(200, server.delete("/api/v1/namespaces/java-client/pods/first"));
      for (Watch.Response<V1Pod> event : watch) {
        seen.add(event.type + " " + event.object.getMetadata().getName());
        if (seen.size() == 2) {
          break;
        }
      }
    }
    assertEquals(List.of("ADDED second", "DELETED first"), seen);
  }

  @Test
  void aFabric8InformerFollowsADeploymentThroughCreateScaleAndDelete() {
    server.namespace("f8-deploy");
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server.base.toString()).build();
    List<String> seen = new CopyOnWriteArrayList<>();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(new JdkHttpClientFactory()).build()) {
      SharedIndexInformer<Deployment> informer = client.apps().deployments().inNamespace("f8-deploy").inform(
          new ResourceEventHandler<Deployment>() {
            @Override
            public void onAdd(Deployment d) {
              seen.add("add " + d.getSpec().getReplicas());
            }

            @Override
            public void onUpdate(Deployment before, Deployment d) {
              if (!before.getSpec().getReplicas().equals(d.getSpec().getReplicas())) {
                seen.add("update " + d.getSpec().getReplicas());
              }
            }

            @Override
            public void onDelete(Deployment d, boolean finalStateUnknown) {
              seen.add("delete");
            }
          });
      try {
        await().atMost(WAIT).until(informer::hasSynced);
        client.apps().deployments().inNamespace("f8-deploy").resource(new DeploymentBuilder()
            .withNewMetadata().withName("web").endMetadata()
            .withNewSpec().withReplicas(2)
            .withNewSelector().addToMatchLabels("app", "web").endSelector()
            .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
            .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec()
            .endTemplate().endSpec().build()).create();
        await().atMost(WAIT).until(() -> seen.contains("add 2"));
        client.apps().deployments().inNamespace("f8-deploy").withName("web").scale(5);
        await().atMost(WAIT).until(() -> seen.contains("update 5"));
        client.apps().deployments().inNamespace("f8-deploy").withName("web").delete();
        await().atMost(WAIT).until(() -> seen.contains("delete"));
        assertEquals(List.of("add 2", "update 5", "delete"), seen);
      } finally {
        informer.close();
      }
    }
  }
}
