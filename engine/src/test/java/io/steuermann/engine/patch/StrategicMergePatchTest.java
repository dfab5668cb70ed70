package io.steuermann.engine.patch;

import static io.steuermann.engine.patch.JsonMergePatchTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class StrategicMergePatchTest {

    private static final String POD = """
            {"apiVersion":"v1","kind":"Pod",
             "metadata":{"name":"web","labels":{"app":"web","tier":"fe"},"finalizers":["a/x","b/y","c/z"]},
             "spec":{
               "containers":[
                 {"name":"app","image":"app:1",
                  "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
                  "ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}],
                  "volumeMounts":[{"name":"data","mountPath":"/data"},{"name":"cfg","mountPath":"/etc/cfg"}],
                  "args":["--a","--b"]},
                 {"name":"sidecar","image":"proxy:1"}],
               "volumes":[{"name":"data","emptyDir":{}},{"name":"cfg","configMap":{"name":"cfg"}}],
               "tolerations":[{"key":"k1","operator":"Exists"}],
               "nodeSelector":{"disk":"ssd","zone":"a"}},
             "status":{"phase":"Running","conditions":[
               {"type":"Ready","status":"False"},{"type":"PodScheduled","status":"True"}]}}""";

    private static JsonNode apply(String patch) {
        return StrategicMergePatch.apply(json(POD), json(patch));
    }

    private static JsonNode at(JsonNode n, String pointer) {
        return n.at(pointer);
    }

    @Nested
    class MergePatchBehaviour {

        @Test
        void kubectlLabelAddsAndRemovesLabels() {
            JsonNode r = apply("{\"metadata\":{\"labels\":{\"env\":\"prod\",\"tier\":null}}}");
            assertEquals(json("{\"app\":\"web\",\"env\":\"prod\"}"), at(r, "/metadata/labels"));
            assertEquals(json(POD).at("/spec"), r.at("/spec"));
        }

        @Test
        void kubectlAnnotateCreatesMissingMap() {
            JsonNode r = apply("{\"metadata\":{\"annotations\":{\"note\":\"hi\"}}}");
            assertEquals(json("{\"note\":\"hi\"}"), at(r, "/metadata/annotations"));
        }

        @Test
        void kubectlScaleSetsReplicas() {
            JsonNode r = StrategicMergePatch.apply(json("{\"spec\":{\"replicas\":1,\"template\":{}}}"),
                    json("{\"spec\":{\"replicas\":3}}"));
            assertEquals(json("{\"spec\":{\"replicas\":3,\"template\":{}}}"), r);
        }

        @Test
        void unknownListsAreReplaced() {
            JsonNode r = apply("{\"spec\":{\"containers\":[{\"name\":\"app\",\"args\":[\"--c\"]}]}}");
            assertEquals(json("[\"--c\"]"), at(r, "/spec/containers/0/args"));
        }

        @Test
        void tolerationsAreReplacedAsInKubernetes() {
            JsonNode r = apply("{\"spec\":{\"tolerations\":[{\"key\":\"k2\",\"operator\":\"Exists\"}]}}");
            assertEquals(json("[{\"key\":\"k2\",\"operator\":\"Exists\"}]"), at(r, "/spec/tolerations"));
        }

        @Test
        void finalizersAreReplacedInThisSubset() {
            JsonNode r = apply("{\"metadata\":{\"finalizers\":[\"d/w\"]}}");
            assertEquals(json("[\"d/w\"]"), at(r, "/metadata/finalizers"));
        }

        @Test
        void nullRemovesField() {
            JsonNode r = apply("{\"spec\":{\"nodeSelector\":null}}");
            assertTrue(r.at("/spec/nodeSelector").isMissingNode());
        }

        @Test
        void nullsInsideNewObjectsAreDropped() {
            JsonNode r = apply("{\"spec\":{\"securityContext\":{\"runAsUser\":1000,\"fsGroup\":null}}}");
            assertEquals(json("{\"runAsUser\":1000}"), at(r, "/spec/securityContext"));
        }

        @Test
        void emptyPatchIsIdentity() {
            assertEquals(json(POD), apply("{}"));
        }

        @Test
        void nullOrNonObjectOriginalIsTreatedAsEmpty() {
            assertEquals(json("{\"a\":1}"), StrategicMergePatch.apply(null, json("{\"a\":1}")));
            assertEquals(json("{\"a\":1}"), StrategicMergePatch.apply(json("[1]"), json("{\"a\":1}")));
        }
    }

    @Nested
    class MergeByKey {

        @Test
        void containerMergedByNameKeepsOthersAndOrder() {
            JsonNode r = apply("{\"spec\":{\"containers\":[{\"name\":\"sidecar\",\"image\":\"proxy:2\"}]}}");
            assertEquals("proxy:2", r.at("/spec/containers/1/image").asText());
            assertEquals(json(POD).at("/spec/containers/0"), r.at("/spec/containers/0"));
            assertEquals(2, r.at("/spec/containers").size());
        }

        @Test
        void kubectlSetImageStylePatch() {
            JsonNode r = apply("{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"app:2\"}]}}");
            assertEquals("app:2", r.at("/spec/containers/0/image").asText());
            assertEquals(json(POD).at("/spec/containers/0/env"), r.at("/spec/containers/0/env"));
            assertEquals("proxy:1", r.at("/spec/containers/1/image").asText());
        }

        @Test
        void newContainerIsAppended() {
            JsonNode r = apply("{\"spec\":{\"containers\":[{\"name\":\"debug\",\"image\":\"busybox\"}]}}");
            assertEquals(3, r.at("/spec/containers").size());
            assertEquals("debug", r.at("/spec/containers/2/name").asText());
        }

        @Test
        void initAndEphemeralContainersMergeByName() {
            JsonNode orig = json("{\"spec\":{\"initContainers\":[{\"name\":\"i\",\"image\":\"1\"}],"
                    + "\"ephemeralContainers\":[{\"name\":\"e\",\"image\":\"1\"}]}}");
            JsonNode r = StrategicMergePatch.apply(orig, json("{\"spec\":{\"initContainers\":[{\"name\":\"i\",\"args\":[\"x\"]}],"
                    + "\"ephemeralContainers\":[{\"name\":\"e2\",\"image\":\"2\"}]}}"));
            assertEquals(json("[{\"name\":\"i\",\"image\":\"1\",\"args\":[\"x\"]}]"), r.at("/spec/initContainers"));
            assertEquals(json("[{\"name\":\"e\",\"image\":\"1\"},{\"name\":\"e2\",\"image\":\"2\"}]"), r.at("/spec/ephemeralContainers"));
        }

        @Test
        void envMergedByNameInsideMatchedContainer() {
            JsonNode r = apply("""
                    {"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"20"},{"name":"C","value":"3"}]}]}}""");
            assertEquals(json("[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"20\"},{\"name\":\"C\",\"value\":\"3\"}]"),
                    r.at("/spec/containers/0/env"));
        }

        @Test
        void envEntryFieldRemovedWithNull() {
            JsonNode r = StrategicMergePatch.apply(
                    json("{\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}"),
                    json("{\"env\":[{\"name\":\"A\",\"value\":null,\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}}]}"));
            assertEquals(json("{\"env\":[{\"name\":\"A\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}}]}"), r);
        }

        @Test
        void containerPortsMergedByContainerPort() {
            JsonNode r = apply("""
                    {"spec":{"containers":[{"name":"app","ports":[{"containerPort":443,"name":"https"},{"containerPort":8080}]}]}}""");
            assertEquals(json("[{\"containerPort\":80,\"protocol\":\"TCP\"},"
                    + "{\"containerPort\":443,\"protocol\":\"TCP\",\"name\":\"https\"},{\"containerPort\":8080}]"),
                    r.at("/spec/containers/0/ports"));
        }

        @Test
        void servicePortsMergedByPort() {
            JsonNode svc = json("""
                    {"kind":"Service","spec":{"ports":[{"port":80,"targetPort":8080},{"port":443,"targetPort":8443}]}}""");
            JsonNode r = StrategicMergePatch.apply(svc, json("{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":9090}]}}"));
            assertEquals(json("[{\"port\":80,\"targetPort\":9090},{\"port\":443,\"targetPort\":8443}]"), r.at("/spec/ports"));
        }

        @Test
        void volumesMergedByName() {
            JsonNode r = apply("{\"spec\":{\"volumes\":[{\"name\":\"tmp\",\"emptyDir\":{}}]}}");
            assertEquals(3, r.at("/spec/volumes").size());
            assertEquals("tmp", r.at("/spec/volumes/2/name").asText());
        }

        @Test
        void volumeMountsMergedByMountPath() {
            JsonNode r = apply("""
                    {"spec":{"containers":[{"name":"app","volumeMounts":[{"name":"data","mountPath":"/data","readOnly":true}]}]}}""");
            assertEquals(json("[{\"name\":\"data\",\"mountPath\":\"/data\",\"readOnly\":true},{\"name\":\"cfg\",\"mountPath\":\"/etc/cfg\"}]"),
                    r.at("/spec/containers/0/volumeMounts"));
        }

        @Test
        void conditionsMergedByType() {
            JsonNode r = apply("""
                    {"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Initialized","status":"True"}]}}""");
            assertEquals(json("[{\"type\":\"Ready\",\"status\":\"True\"},{\"type\":\"PodScheduled\",\"status\":\"True\"},"
                    + "{\"type\":\"Initialized\",\"status\":\"True\"}]"), r.at("/status/conditions"));
        }

        @Test
        void numericKeysCompareByValue() {
            JsonNode r = StrategicMergePatch.apply(json("{\"ports\":[{\"containerPort\":80}]}"),
                    json("{\"ports\":[{\"containerPort\":80.0,\"name\":\"http\"}]}"));
            assertEquals(1, r.at("/ports").size());
            assertEquals("http", r.at("/ports/0/name").asText());
        }

        @Test
        void emptyPatchListLeavesOriginal() {
            JsonNode r = apply("{\"spec\":{\"containers\":[]}}");
            assertEquals(json(POD).at("/spec/containers"), r.at("/spec/containers"));
        }

        @Test
        void mergeListIntoAbsentList() {
            JsonNode r = StrategicMergePatch.apply(json("{}"),
                    json("{\"volumes\":[{\"name\":\"a\"},{\"name\":\"b\",\"$patch\":\"delete\"}]}"));
            assertEquals(json("{\"volumes\":[{\"name\":\"a\"}]}"), r);
        }

        @Test
        void listsUnderKnownNamesThatDoNotLookKeyedAreReplaced() {
            JsonNode r = StrategicMergePatch.apply(json("{\"ports\":[1,2],\"conditions\":[{\"reason\":\"x\"}]}"),
                    json("{\"ports\":[3],\"conditions\":[{\"reason\":\"y\"}]}"));
            assertEquals(json("{\"ports\":[3],\"conditions\":[{\"reason\":\"y\"}]}"), r);
        }
    }

    @Nested
    class Directives {

        @Test
        void deleteListElementByKey() {
            JsonNode r = apply("{\"spec\":{\"containers\":[{\"name\":\"sidecar\",\"$patch\":\"delete\"}]}}");
            assertEquals(1, r.at("/spec/containers").size());
            assertEquals("app", r.at("/spec/containers/0/name").asText());
        }

        @Test
        void deleteNestedListElementAndMergeAnotherInOnePatch() {
            JsonNode r = apply("""
                    {"spec":{"containers":[{"name":"app",
                      "env":[{"name":"A","$patch":"delete"},{"name":"D","value":"4"}],
                      "ports":[{"containerPort":80,"$patch":"delete"}]}]}}""");
            assertEquals(json("[{\"name\":\"B\",\"value\":\"2\"},{\"name\":\"D\",\"value\":\"4\"}]"), r.at("/spec/containers/0/env"));
            assertEquals(json("[{\"containerPort\":443,\"protocol\":\"TCP\"}]"), r.at("/spec/containers/0/ports"));
        }

        @Test
        void deletingAbsentElementIsNoOp() {
            JsonNode r = apply("{\"spec\":{\"volumes\":[{\"name\":\"nope\",\"$patch\":\"delete\"}]}}");
            assertEquals(json(POD).at("/spec/volumes"), r.at("/spec/volumes"));
        }

        @Test
        void replaceMapInsteadOfMerging() {
            JsonNode r = apply("{\"spec\":{\"nodeSelector\":{\"$patch\":\"replace\",\"disk\":\"hdd\"}}}");
            assertEquals(json("{\"disk\":\"hdd\"}"), r.at("/spec/nodeSelector"));
        }

        @Test
        void replaceListElementMap() {
            JsonNode r = apply("{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"new\",\"$patch\":\"replace\"}]}}");
            assertEquals(json("{\"name\":\"app\",\"image\":\"new\"}"), r.at("/spec/containers/0"));
            assertEquals("sidecar", r.at("/spec/containers/1/name").asText());
        }

        @Test
        void deleteMap() {
            JsonNode r = apply("{\"spec\":{\"nodeSelector\":{\"$patch\":\"delete\"}}}");
            assertTrue(r.at("/spec/nodeSelector").isMissingNode());
        }

        @Test
        void deleteWholeDocument() {
            assertEquals(json("{}"), apply("{\"$patch\":\"delete\"}"));
        }

        @Test
        void replaceWholeList() {
            JsonNode r = apply("{\"spec\":{\"volumes\":[{\"name\":\"only\",\"emptyDir\":{}},{\"$patch\":\"replace\"}]}}");
            assertEquals(json("[{\"name\":\"only\",\"emptyDir\":{}}]"), r.at("/spec/volumes"));
        }

        @Test
        void deleteFromPrimitiveList() {
            JsonNode r = apply("{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"b/y\",\"zz/none\"]}}");
            assertEquals(json("[\"a/x\",\"c/z\"]"), r.at("/metadata/finalizers"));
            assertFalse(r.at("/metadata").has("$deleteFromPrimitiveList/finalizers"));
        }

        @Test
        void retainKeysAndSetElementOrderAreIgnoredAndStripped() {
            JsonNode r = apply("""
                    {"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"app"}],
                             "nodeSelector":{"$retainKeys":["disk"],"disk":"hdd"}}}""");
            assertEquals(json("{\"disk\":\"hdd\",\"zone\":\"a\"}"), r.at("/spec/nodeSelector"));
            assertEquals("app", r.at("/spec/containers/0/name").asText());
            assertFalse(r.at("/spec").has("$setElementOrder/containers"));
        }

        @Test
        void explicitMergeDirectiveIsDefault() {
            JsonNode r = apply("{\"spec\":{\"nodeSelector\":{\"$patch\":\"merge\",\"disk\":\"hdd\"}}}");
            assertEquals(json("{\"disk\":\"hdd\",\"zone\":\"a\"}"), r.at("/spec/nodeSelector"));
        }

        @Test
        void unknownDirectiveIsRejected() {
            PatchException e = assertThrows(PatchException.class, () -> apply("{\"spec\":{\"$patch\":\"frob\"}}"));
            assertEquals("unknown patch directive \"frob\" in map (expected merge, replace or delete)", e.getMessage());
        }

        @Test
        void directiveOnElementWithoutMergeKeyIsRejected() {
            PatchException e = assertThrows(PatchException.class,
                    () -> apply("{\"spec\":{\"containers\":[{\"image\":\"x\",\"$patch\":\"delete\"}]}}"));
            assertEquals("element of list 'containers' does not contain merge key name: {\"image\":\"x\",\"$patch\":\"delete\"}",
                    e.getMessage());
        }

        @Test
        void keyNamesWithDollarThatAreNotDirectivesAreKept() {
            JsonNode r = StrategicMergePatch.apply(json("{}"), json("{\"schema\":{\"$ref\":\"#/x\"}}"));
            assertEquals(json("{\"schema\":{\"$ref\":\"#/x\"}}"), r);
        }
    }

    @Test
    void patchMustBeAnObject() {
        assertEquals("strategic merge patch must be a JSON object",
                assertThrows(PatchException.class, () -> StrategicMergePatch.apply(json("{}"), json("[]"))).getMessage());
        assertThrows(PatchException.class, () -> StrategicMergePatch.apply(json("{}"), null));
    }

    @Test
    void inputsAreNotMutatedNorAliased() {
        JsonNode original = json(POD);
        JsonNode patch = json("""
                {"metadata":{"labels":{"x":"y"}},
                 "spec":{"containers":[{"name":"app","$patch":"delete"},{"name":"new","env":[{"name":"E"}]}]}}""");
        JsonNode originalBefore = original.deepCopy();
        JsonNode patchBefore = patch.deepCopy();
        JsonNode r = StrategicMergePatch.apply(original, patch);
        ((com.fasterxml.jackson.databind.node.ObjectNode) r.at("/spec/containers/1/env/0")).put("value", "mutated");
        ((com.fasterxml.jackson.databind.node.ObjectNode) r.at("/spec/containers/0")).put("image", "mutated");
        assertEquals(originalBefore, original);
        assertEquals(patchBefore, patch);
    }
}
