package io.steuermann.engine.controllers.statefulset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A StatefulSet's pods and claims, as Kubernetes' {@code newVersionedStatefulSetPod} makes them. */
class StatefulPodsTest {
  private static ObjectNode set(String retention) throws Exception {
    return (ObjectNode) Json.parse(("{'apiVersion':'apps/v1','kind':'StatefulSet','metadata':{'name':'db',"
        + "'namespace':'ns','uid':'set-uid'},'spec':{'serviceName':'db-hl','selector':{'matchLabels':{'app':'db'}},"
        + "'persistentVolumeClaimRetentionPolicy':" + retention + ","
        + "'template':{'metadata':{'labels':{'app':'db'}},'spec':{'containers':[{'name':'c','image':'pg'}],"
        + "'volumes':[{'name':'data','emptyDir':{}},{'name':'conf','configMap':{'name':'c'}}]}},"
        + "'volumeClaimTemplates':[{'metadata':{'name':'data','labels':{'tier':'db'}},'spec':{'accessModes':"
        + "['ReadWriteOnce'],'resources':{'requests':{'storage':'1Gi'}}}}]}}").replace('\'', '"'));
  }

  @Test
  void aPodHasItsIdentityAndItsClaimInPlaceOfTheTemplatesVolume() throws Exception {
    ObjectNode set = set("{'whenDeleted':'Retain','whenScaled':'Retain'}".replace('\'', '"'));
    ObjectNode pod = StatefulPods.pod(set, set.path("spec").path("template"), 2, "db-abc");
    assertEquals("db-2", pod.path("metadata").path("name").asText());
    assertEquals("{\"app\":\"db\",\"statefulset.kubernetes.io/pod-name\":\"db-2\",\"apps.kubernetes.io/pod-index\":\"2\","
        + "\"controller-revision-hash\":\"db-abc\"}", pod.path("metadata").path("labels").toString());
    assertEquals("db-2", pod.path("spec").path("hostname").asText());
    assertEquals("db-hl", pod.path("spec").path("subdomain").asText());
    assertEquals("[{\"name\":\"conf\",\"configMap\":{\"name\":\"c\"}},{\"name\":\"data\",\"persistentVolumeClaim\":"
        + "{\"claimName\":\"data-db-2\"}}]", pod.path("spec").path("volumes").toString());
    assertTrue(pod.path("metadata").path("ownerReferences").path(0).path("controller").asBoolean());
    ObjectNode claim = StatefulPods.claims(set, 2).get(0);
    assertEquals("data-db-2", claim.path("metadata").path("name").asText());
    assertEquals("{\"tier\":\"db\",\"app\":\"db\"}", claim.path("metadata").path("labels").toString());
    assertTrue(claim.path("metadata").path("ownerReferences").isMissingNode(), "Retain: nobody owns it");
  }

  @Test
  void claimOwnersFollowTheRetentionPolicy() throws Exception {
    ObjectNode set = set("{'whenDeleted':'Delete','whenScaled':'Delete'}".replace('\'', '"'));
    JsonNode pod = Json.parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"db-2\",\"uid\":\"pod-uid\"}}");
    ObjectNode claim = StatefulPods.claims(set, 2).get(0);
    assertEquals("set-uid", claim.path("metadata").path("ownerReferences").path(0).path("uid").asText());
    assertEquals(List.of(), StatefulPods.ownerPatch(claim, set, pod, StatefulPods.claimOwners(set, pod, false)).stream()
        .toList(), "in range: the set's, as made");
    ObjectNode patch = StatefulPods.ownerPatch(claim, set, pod, StatefulPods.claimOwners(set, pod, true)).orElseThrow();
    assertEquals(1, patch.path("metadata").path("ownerReferences").size());
    assertEquals("pod-uid", patch.path("metadata").path("ownerReferences").path(0).path("uid").asText(),
        "scaled away: the pod's, so the claim goes with it");
    claim.with("metadata").putArray("ownerReferences").addObject().put("uid", "other").put("controller", true);
    patch = StatefulPods.ownerPatch(claim, set, pod, StatefulPods.claimOwners(set, pod, true)).orElse(null);
    assertEquals(null, patch, "a claim another controller controls is left to it");
  }
}
