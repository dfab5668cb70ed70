package io.steuermann.engine.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DaemonSet defaults, validation and template generation, as kube-apiserver's DaemonSet strategy. */
class DaemonSetValidationTest {
  private static ObjectNode ds(String specExtra, String podSpecExtra, String templateLabels) {
    try {
      ObjectNode ds = (ObjectNode) Json.parse(("{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'agent',"
          + "'namespace':'default'},'spec':{'selector':{'matchLabels':{'app':'agent'}},'template':{'metadata':"
          + "{'labels':" + templateLabels + "},'spec':{'containers':[{'name':'a','image':'agent:1'}]" + podSpecExtra
          + "}}" + specExtra + "}}").replace('\'', '"'));
      Defaults.apply(Kind.DAEMON_SET, ds);
      return ds;
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static List<String> fields(List<ApiStatus.Cause> causes) {
    return causes.stream().map(ApiStatus.Cause::field).toList();
  }

  @Test
  void defaultsAreKubernetesOnes() {
    ObjectNode ds = ds("", "", "{'app':'agent'}");
    assertEquals("{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxUnavailable\":1,\"maxSurge\":0}}",
        ds.path("spec").path("updateStrategy").toString());
    assertEquals(10, ds.path("spec").path("revisionHistoryLimit").asInt());
    assertEquals("Always", ds.path("spec").path("template").path("spec").path("restartPolicy").asText());
    assertEquals(0, ds.path("status").path("desiredNumberScheduled").asInt(-1));
    assertEquals(List.of(), ObjectValidator.validate(Kind.DAEMON_SET, ds));
    ObjectNode onDelete = ds(",'updateStrategy':{'type':'OnDelete'}", "", "{'app':'agent'}");
    assertTrue(onDelete.path("spec").path("updateStrategy").path("rollingUpdate").isMissingNode());
  }

  @Test
  void badDaemonSetsNameTheirFields() {
    assertEquals(List.of("spec.template.metadata.labels"),
        fields(ObjectValidator.validate(Kind.DAEMON_SET, ds("", "", "{'app':'other'}"))));
    assertEquals(List.of("spec.template.spec.restartPolicy"),
        fields(ObjectValidator.validate(Kind.DAEMON_SET, ds("", ",'restartPolicy':'Never'", "{'app':'agent'}"))));
    List<ApiStatus.Cause> zero = ObjectValidator.validate(Kind.DAEMON_SET,
        ds(",'updateStrategy':{'type':'RollingUpdate','rollingUpdate':{'maxUnavailable':0,'maxSurge':0}}", "",
            "{'app':'agent'}"));
    assertEquals(List.of("spec.updateStrategy.rollingUpdate.maxUnavailable"), fields(zero));
    assertTrue(zero.get(0).message().contains("may not be 0 when `maxSurge` is 0"), zero.toString());
    assertEquals(List.of("spec.updateStrategy.rollingUpdate.maxSurge"), fields(ObjectValidator.validate(Kind.DAEMON_SET,
        ds(",'updateStrategy':{'type':'RollingUpdate','rollingUpdate':{'maxUnavailable':1,'maxSurge':'150%'}}", "",
            "{'app':'agent'}"))));
    assertEquals(List.of("spec.updateStrategy"), fields(ObjectValidator.validate(Kind.DAEMON_SET,
        ds(",'updateStrategy':{'type':'Sometimes'}", "", "{'app':'agent'}"))));
  }

  @Test
  void theSelectorIsImmutableAndTheTemplateGenerationFollowsTheTemplate() {
    ObjectNode before = ds("", "", "{'app':'agent','tier':'x'}");
    ObjectNode meta = Meta(before);
    DaemonSetTemplateGeneration.onCreate(meta);
    assertEquals(1, DaemonSetTemplateGeneration.of(before));
    ObjectNode after = before.deepCopy();
    after.with("spec").with("selector").with("matchLabels").put("tier", "x");
    assertEquals(List.of("spec.selector"), fields(ObjectValidator.validateUpdate(Kind.DAEMON_SET, before, after)));

    ObjectNode labelled = before.deepCopy();
    labelled.with("metadata").with("labels").put("a", "b");
    DaemonSetTemplateGeneration.onUpdate(before, labelled);
    assertEquals(1, DaemonSetTemplateGeneration.of(labelled), "only a template change counts");
    ObjectNode image = before.deepCopy();
    ((ObjectNode) image.path("spec").path("template").path("spec").path("containers").get(0)).put("image", "agent:2");
    // a client's own value is not taken
    image.with("metadata").with("annotations").put(DaemonSetTemplateGeneration.ANNOTATION, "7");
    DaemonSetTemplateGeneration.onUpdate(before, image);
    assertEquals(2, DaemonSetTemplateGeneration.of(image));
  }

  private static ObjectNode Meta(ObjectNode object) {
    return io.steuermann.engine.model.Meta.metadata(object);
  }
}
