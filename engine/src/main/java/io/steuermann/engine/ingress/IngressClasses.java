package io.steuermann.engine.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.validation.IngressValidation;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchFilter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ingress classes' names and rules shared by the API (the create-time admission), the
 * status controller and every node's ingress proxy: the built-in {@code steuermann} class
 * (controller {@code steuermann.io/ingress}, the default class), which class is the default,
 * and which Ingresses the built-in controller serves.
 */
public final class IngressClasses {
  public static final String STEUERMANN = "steuermann";
  public static final String CONTROLLER = "steuermann.io/ingress";
  public static final String IS_DEFAULT = "ingressclass.kubernetes.io/is-default-class";

  private IngressClasses() {}

  /** The built-in class, as created at start when absent. */
  public static ObjectNode builtIn() {
    ObjectNode ic = JsonNodeFactory.instance.objectNode();
    ic.put("apiVersion", "networking.k8s.io/v1").put("kind", "IngressClass");
    ObjectNode meta = ic.putObject("metadata");
    meta.put("name", STEUERMANN);
    meta.putObject("annotations").put(IS_DEFAULT, "true");
    ic.putObject("spec").put("controller", CONTROLLER);
    return ic;
  }

  public static boolean isDefault(JsonNode ingressClass) {
    return "true".equals(ingressClass.path("metadata").path("annotations").path(IS_DEFAULT).asText());
  }

  /** kube's {@code DefaultIngressClass} plugin: of the classes marked default, the newest (then by name). */
  public static Optional<ObjectNode> defaultClass(List<ObjectNode> classes) {
    return classes.stream().filter(IngressClasses::isDefault)
        .min(Comparator.comparing((ObjectNode ic) -> ic.path("metadata").path("creationTimestamp").asText(""))
            .reversed().thenComparing(Meta::name));
  }

  /**
   * The class an Ingress asks for: {@code spec.ingressClassName}, else the legacy
   * {@code kubernetes.io/ingress.class} annotation, else "" (none).
   */
  public static String className(JsonNode ingress) {
    String name = ingress.path("spec").path("ingressClassName").asText("");
    return name.isEmpty()
        ? ingress.path("metadata").path("annotations").path(IngressValidation.CLASS_ANNOTATION).asText("")
        : name;
  }

  /**
   * Whether the built-in controller serves this Ingress: it names a class whose controller is
   * {@link #CONTROLLER}, or no class at all (an Ingress made while no default class existed).
   * An Ingress of another class, or of a class that does not exist, is left alone.
   */
  public static boolean servedByBuiltIn(JsonNode ingress, Map<String, ? extends JsonNode> classesByName) {
    String name = className(ingress);
    if (name.isEmpty()) {
      return true;
    }
    JsonNode ic = classesByName.get(name);
    return ic != null && CONTROLLER.equals(ic.path("spec").path("controller").asText());
  }

  /**
   * The admission of creates: an Ingress that names no class (neither the field nor the legacy
   * annotation) gets the default class.
   */
  public static ObjectStore.CreateAdmission admission(WatchCache cache) {
    return ObjectStore.CreateAdmission.mutating((key, object) -> {
      if (key.kind() != Kind.INGRESS || !className(object).isEmpty() || !(object.path("spec") instanceof ObjectNode)) {
        return object;
      }
      Optional<ObjectNode> chosen = defaultClass(cache.list(WatchFilter.of(Kind.INGRESS_CLASS, "")).items());
      if (chosen.isEmpty()) {
        return object;
      }
      ObjectNode admitted = object.deepCopy();
      ((ObjectNode) admitted.get("spec")).put("ingressClassName", Meta.name(chosen.get()));
      return admitted;
    });
  }

  public static ObjectKey key(String name) {
    return ObjectKey.of(Kind.INGRESS_CLASS, "", name);
  }
}
