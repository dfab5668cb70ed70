package io.steuermann.engine.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Init containers and lifecycle hooks, as kube-apiserver validates them: field paths and messages. */
class ContainerLifecycleValidationTest {
  private static List<ApiStatus.Cause> validate(String containerExtra, String initContainers) {
    try {
      ObjectNode pod = (ObjectNode) Json.parse(("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p',"
          + "'namespace':'default'},'spec':{'terminationGracePeriodSeconds':10,'containers':[{'name':'app',"
          + "'image':'i'" + containerExtra + "}],'initContainers':[" + initContainers + "]}}").replace('\'', '"'));
      Defaults.apply(Kind.POD, pod);
      return ObjectValidator.validate(Kind.POD, pod);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static List<String> errors(List<ApiStatus.Cause> causes) {
    return causes.stream().map(c -> c.field() + ": " + c.message()).toList();
  }

  @Test
  void validInitContainersAndHooksPass() {
    assertEquals(List.of(), validate(",'ports':[{'name':'http','containerPort':80}],'lifecycle':{"
        + "'postStart':{'exec':{'command':['true']}},'preStop':{'httpGet':{'path':'/stop','port':'http'}}}",
        "{'name':'one','image':'i'},{'name':'two','image':'i','command':['sh']}"));
    assertEquals(List.of(), validate(",'lifecycle':{'preStop':{'sleep':{'seconds':10}}}", ""));
  }

  @Test
  void initContainerNamesAreUniqueAcrossAllContainersAndChecked() {
    assertEquals(List.of("spec.initContainers[0].name: Duplicate value: \"app\"",
        "spec.initContainers[2].name: Duplicate value: \"x\"",
        "spec.initContainers[3].image: Required value"),
        errors(validate("", "{'name':'app','image':'i'},{'name':'x','image':'i'},{'name':'x','image':'i'},"
            + "{'name':'y'}")));
    assertEquals("spec.initContainers[0].name: Invalid value: \"Init_1\": a lowercase RFC 1123 label must consist "
        + "of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character "
        + "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        errors(validate("", "{'name':'Init_1','image':'i'}")).get(0));
  }

  @Test
  void probesAndLifecycleAreForbiddenOnInitContainers() {
    assertEquals(List.of(
        "spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always",
        "spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always",
        "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always",
        "spec.initContainers[0].startupProbe: Forbidden: may not be set for init containers without restartPolicy=Always"),
        errors(validate("", "{'name':'i','image':'i','lifecycle':{'preStop':{'exec':{'command':['x']}}},"
            + "'livenessProbe':{'exec':{'command':['x']}},'readinessProbe':{'exec':{'command':['x']}},"
            + "'startupProbe':{'exec':{'command':['x']}}}")));
    assertEquals("FieldValueForbidden", validate("", "{'name':'i','image':'i','readinessProbe':{'exec':{}}}")
        .get(0).reason());
  }

  @Test
  void sidecarsAreRefusedAsUnsupportedAndOtherPoliciesAsKubeDoes() {
    assertEquals(List.of("spec.initContainers[0].restartPolicy: Unsupported value: \"Always\""),
        errors(validate("", "{'name':'side','image':'i','restartPolicy':'Always'}")));
    assertEquals(List.of("spec.initContainers[0].restartPolicy: Unsupported value: \"OnFailure\": "
        + "supported values: \"Always\""),
        errors(validate("", "{'name':'side','image':'i','restartPolicy':'OnFailure'}")));
    assertEquals(List.of("spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"),
        errors(validate(",'restartPolicy':'Always'", "")));
  }

  @Test
  void aHandlerHasExactlyOneWellFormedAction() {
    assertEquals(List.of("spec.containers[0].lifecycle.postStart: Required value: must specify a handler type"),
        errors(validate(",'lifecycle':{'postStart':{}}", "")));
    assertEquals(List.of("spec.containers[0].lifecycle.preStop.httpGet: Forbidden: may not specify more than 1 "
        + "handler type"),
        errors(validate(",'lifecycle':{'preStop':{'exec':{'command':['x']},'httpGet':{'port':80}}}", "")));
    assertEquals(List.of("spec.containers[0].lifecycle.postStart.exec.command: Required value"),
        errors(validate(",'lifecycle':{'postStart':{'exec':{}}}", "")));
    assertEquals(List.of(
        "spec.containers[0].lifecycle.preStop.httpGet.port: Invalid value: 70000: must be between 1 and 65535, inclusive",
        "spec.containers[0].lifecycle.preStop.httpGet.scheme: Unsupported value: \"FTP\": supported values: "
            + "\"HTTP\", \"HTTPS\""),
        errors(validate(",'lifecycle':{'preStop':{'httpGet':{'port':70000,'scheme':'FTP'}}}", "")));
    assertEquals(List.of("spec.containers[0].lifecycle.postStart.tcpSocket.port: Invalid value: \"not_a_name\": "
        + "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
        errors(validate(",'lifecycle':{'postStart':{'tcpSocket':{'port':'not_a_name'}}}", "")));
    assertEquals(List.of("spec.containers[0].lifecycle.preStop.sleep: Invalid value: 11: must be greater than 0 "
        + "and less than terminationGracePeriodSeconds (10)"),
        errors(validate(",'lifecycle':{'preStop':{'sleep':{'seconds':11}}}", "")));
  }
}
