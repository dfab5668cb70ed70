package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What kube-apiserver checks of init containers and of lifecycle hooks
 * ({@code validateInitContainers}, {@code validateLifecycle}, {@code validateHandler}), with
 * its field paths and messages. The checks every container shares (name, image, env, ports)
 * stay with the pod spec's validation.
 *
 * <p>Sidecar containers (an init container with {@code restartPolicy: Always}) are not run by
 * this node agent: they are refused as an unsupported value rather than stored and ignored.
 */
public final class ContainerLifecycleValidation {
  private static final String NOT_FOR_INIT = "may not be set for init containers without restartPolicy=Always";
  private static final List<String> HANDLERS = List.of("exec", "httpGet", "tcpSocket", "sleep");

  private ContainerLifecycleValidation() {}

  /** The checks only init containers have: {@code at} is {@code spec.initContainers[i]}. */
  public static void initContainer(String at, JsonNode c, List<FieldError> errors) {
    JsonNode policy = c.path("restartPolicy");
    if (!policy.isMissingNode() && !policy.isNull()) {
      String value = policy.asText("");
      if (!value.equals("Always")) {
        errors.add(FieldError.notSupported(at + ".restartPolicy", value, List.of("Always")));
      } else {
        // kube 1.32 runs these as sidecars; this agent does not, so the pod is refused instead
        errors.add(FieldError.notSupported(at + ".restartPolicy", value, List.of()));
      }
    }
    for (String field : List.of("lifecycle", "livenessProbe", "readinessProbe", "startupProbe")) {
      if (c.path(field).isObject()) {
        errors.add(FieldError.forbidden(at + "." + field, NOT_FOR_INIT));
      }
    }
  }

  /** The checks of an app container's own fields: {@code at} is {@code spec.containers[i]}. */
  public static void appContainer(String at, JsonNode c, JsonNode gracePeriod, List<FieldError> errors) {
    JsonNode policy = c.path("restartPolicy");
    if (!policy.isMissingNode() && !policy.isNull()) {
      errors.add(FieldError.forbidden(at + ".restartPolicy", "may not be set for non-init containers"));
    }
    JsonNode lifecycle = c.path("lifecycle");
    if (lifecycle.isObject()) {
      for (String hook : List.of("postStart", "preStop")) {
        if (lifecycle.path(hook).isObject()) {
          handler(at + ".lifecycle." + hook, lifecycle.path(hook), gracePeriod, errors);
        }
      }
    }
  }

  /** One handler: exactly one action, and that action well-formed. */
  private static void handler(String path, JsonNode handler, JsonNode gracePeriod, List<FieldError> errors) {
    int actions = 0;
    for (String action : HANDLERS) {
      JsonNode value = handler.path(action);
      if (!value.isObject()) {
        continue;
      }
      if (actions++ > 0) {
        errors.add(FieldError.forbidden(path + "." + action, "may not specify more than 1 handler type"));
        continue;
      }
      String at = path + "." + action;
      switch (action) {
        case "exec" -> {
          if (value.path("command").size() == 0) {
            errors.add(FieldError.required(at + ".command", ""));
          }
        }
        case "httpGet" -> {
          port(at + ".port", value.path("port"), errors);
          JsonNode scheme = value.path("scheme");
          if (scheme.isTextual() && !List.of("HTTP", "HTTPS").contains(scheme.asText())) {
            errors.add(FieldError.notSupported(at + ".scheme", scheme.asText(), List.of("HTTP", "HTTPS")));
          }
        }
        case "tcpSocket" -> port(at + ".port", value.path("port"), errors);
        case "sleep" -> {
          long seconds = value.path("seconds").asLong(0);
          if (gracePeriod.canConvertToLong() && (seconds <= 0 || seconds > gracePeriod.asLong())) {
            errors.add(FieldError.invalid(at, seconds,
                "must be greater than 0 and less than terminationGracePeriodSeconds (" + gracePeriod.asLong() + ")"));
          }
        }
        default -> { }
      }
    }
    if (actions == 0) {
      errors.add(FieldError.required(path, "must specify a handler type"));
    }
  }

  /** kube's ValidatePortNumOrName: a number 1-65535, or an IANA service name. */
  private static void port(String path, JsonNode port, List<FieldError> errors) {
    if (port.isTextual()) {
      String name = port.asText();
      if (name.isEmpty()) {
        errors.add(FieldError.invalid(path, name, "must contain at least one letter (a-z)"));
      } else {
        PodDnsValidation.portName(path, name, errors);
      }
    } else {
      long number = port.asLong(0);
      if (number < 1 || number > 65535) {
        errors.add(FieldError.invalid(path, number, "must be between 1 and 65535, inclusive"));
      }
    }
  }
}
