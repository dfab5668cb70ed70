package io.steuermann.engine.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** StatefulSet defaults and validation, as kube-apiserver's StatefulSet strategy. */
class StatefulSetValidationTest {
  private static ObjectNode sts(String specExtra) {
    try {
      ObjectNode s = (ObjectNode) Json.parse(("{'apiVersion':'apps/v1','kind':'StatefulSet','metadata':{'name':'web',"
          + "'namespace':'default'},'spec':{'serviceName':'web','selector':{'matchLabels':{'app':'web'}}" + specExtra
          + ",'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'c','image':'nginx',"
          + "'volumeMounts':[{'name':'www','mountPath':'/www'}]}]}},'volumeClaimTemplates':[{'metadata':{'name':'www'},"
          + "'spec':{'accessModes':['ReadWriteOnce'],'resources':{'requests':{'storage':'1Gi'}}}}]}}").replace('\'', '"'));
      Defaults.apply(Kind.STATEFUL_SET, s);
      return s;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> fields(List<ApiStatus.Cause> causes) {
    return causes.stream().map(ApiStatus.Cause::field).toList();
  }

  @Test
  void defaultsAreKubes() {
    ObjectNode s = sts("");
    assertEquals(1, s.path("spec").path("replicas").asInt());
    assertEquals("OrderedReady", s.path("spec").path("podManagementPolicy").asText());
    assertEquals("{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}}",
        s.path("spec").path("updateStrategy").toString());
    assertEquals("{\"whenDeleted\":\"Retain\",\"whenScaled\":\"Retain\"}",
        s.path("spec").path("persistentVolumeClaimRetentionPolicy").toString());
    assertEquals(10, s.path("spec").path("revisionHistoryLimit").asInt());
    assertEquals("Filesystem", s.path("spec").path("volumeClaimTemplates").path(0).path("spec").path("volumeMode")
        .asText());
    assertEquals(List.of(), ObjectValidator.validate(Kind.STATEFUL_SET, s), "a mount of a claim template is valid");
  }

  @Test
  void badStatefulSetsNameTheirFields() {
    assertEquals(List.of("spec.podManagementPolicy"), fields(ObjectValidator.validate(Kind.STATEFUL_SET,
        sts(",'podManagementPolicy':'Random'".replace('\'', '"')))));
    assertEquals(List.of("spec.updateStrategy.rollingUpdate"), fields(ObjectValidator.validate(Kind.STATEFUL_SET,
        sts(",'updateStrategy':{'type':'OnDelete','rollingUpdate':{'partition':1}}".replace('\'', '"')))));
    assertEquals(List.of("spec.updateStrategy.rollingUpdate.partition"), fields(ObjectValidator.validate(
        Kind.STATEFUL_SET, sts(",'updateStrategy':{'type':'RollingUpdate','rollingUpdate':{'partition':-1}}"
            .replace('\'', '"')))));
    assertEquals(List.of("spec.persistentVolumeClaimRetentionPolicy.whenScaled"), fields(ObjectValidator.validate(
        Kind.STATEFUL_SET, sts(",'persistentVolumeClaimRetentionPolicy':{'whenScaled':'Keep'}".replace('\'', '"')))));
  }

  @Test
  void onlyTheFieldsKubeAllowsMayChange() {
    ObjectNode before = sts("");
    ObjectNode scaled = before.deepCopy();
    ((ObjectNode) scaled.get("spec")).put("replicas", 5);
    assertEquals(List.of(), ObjectValidator.validateUpdate(Kind.STATEFUL_SET, before, scaled));
    ObjectNode renamed = before.deepCopy();
    ((ObjectNode) renamed.get("spec")).put("serviceName", "other");
    assertEquals(List.of("spec"), fields(ObjectValidator.validateUpdate(Kind.STATEFUL_SET, before, renamed)));
  }
}
