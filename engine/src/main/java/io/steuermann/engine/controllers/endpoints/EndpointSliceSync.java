package io.steuermann.engine.controllers.endpoints;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The EndpointSlice half of {@link EndpointsController}: the slices it manages (labelled
 * {@code endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io}), by Service,
 * and the writes that bring a Service's slices to what {@link EndpointSliceBuilder} computes.
 * Slices managed by anyone else are not in the view and never written. Not thread-safe: the
 * controller's actor owns it.
 */
final class EndpointSliceSync {
  enum Op { CREATE, REPLACE, DELETE }

  /** One write: the object to create or replace, or the key and uid to delete. */
  record Write(Op op, ObjectKey key, ObjectNode object, String uid) {}

  // kube's generateName alphabet (k8s.io/apimachinery's utilrand): no vowels, no look-alikes
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final int MAX_PREFIX = 63 - 6;

  private final SecureRandom random = new SecureRandom();
  private final int maxPerSlice;
  /** Service -> slice name -> slice. */
  private final Map<ObjectKey, Map<String, ObjectNode>> byService = new HashMap<>();
  /** Slice -> its Service, for the slices in {@link #byService}. */
  private final Map<ObjectKey, ObjectKey> serviceOf = new HashMap<>();

  EndpointSliceSync(int maxPerSlice) {
    this.maxPerSlice = maxPerSlice;
  }

  void clear() {
    byService.clear();
    serviceOf.clear();
  }

  /** The Services that have slices of ours. */
  Set<ObjectKey> services() {
    return Set.copyOf(byService.keySet());
  }

  int size() {
    return serviceOf.size();
  }

  /**
   * Takes in a slice as the watch shows it (null: deleted); answers the Service it concerns
   * when it is or was ours, else null. An event older than a write's reply already taken in is
   * ignored.
   */
  ObjectKey observed(ObjectKey key, ObjectNode slice) {
    ObjectKey before = serviceOf.get(key);
    ObjectNode known = before == null ? null : byService.get(before).get(key.name());
    if (slice != null && known != null && version(slice) < version(known)) {
      return before;
    }
    forget(key);
    if (slice != null && EndpointSliceBuilder.managed(slice)) {
      String service = Meta.labels(slice).getOrDefault(EndpointSliceBuilder.SERVICE_NAME, "");
      if (!service.isEmpty()) {
        ObjectKey serviceKey = ObjectKey.of(Kind.SERVICE, key.namespace(), service);
        byService.computeIfAbsent(serviceKey, k -> new TreeMap<>()).put(key.name(), slice);
        serviceOf.put(key, serviceKey);
        return serviceKey;
      }
    }
    return before;
  }

  /** A write's reply: the slice as stored, newer than any event seen for it. */
  void written(ObjectNode slice) {
    ObjectKey key = ObjectKey.of(Kind.ENDPOINT_SLICE, Meta.namespace(slice), Meta.name(slice));
    ObjectKey before = serviceOf.get(key);
    ObjectNode known = before == null ? null : byService.get(before).get(key.name());
    if (known == null || version(slice) > version(known)) {
      observed(key, slice);
    }
  }

  void forget(ObjectKey key) {
    ObjectKey service = serviceOf.remove(key);
    if (service != null) {
      Map<String, ObjectNode> slices = byService.get(service);
      slices.remove(key.name());
      if (slices.isEmpty()) {
        byService.remove(service);
      }
    }
  }

  /**
   * The writes for one Service ({@code service} null: deleted, or no selector: then its slices
   * go). Slices whose content is already right are kept untouched; the others are rewritten in
   * place before new ones are created, and the surplus is deleted.
   */
  List<Write> plan(ObjectKey serviceKey, ObjectNode service, Collection<ObjectNode> podsInNamespace) {
    List<ObjectNode> existing = new ArrayList<>(byService.getOrDefault(serviceKey, Map.of()).values());
    List<ObjectNode> desired = service == null || !EndpointsBuilder.hasSelector(service)
        ? List.of() : EndpointSliceBuilder.contents(service, podsInNamespace, maxPerSlice);
    List<ObjectNode> unmatched = new ArrayList<>();
    for (ObjectNode content : desired) {
      ObjectNode same = existing.stream()
          .filter(s -> EndpointSliceBuilder.contentOf(s).equals(content)
              && s.path("metadata").path("labels").equals(EndpointSliceBuilder.labels(service))
              && ownedBy(s, service))
          .findFirst().orElse(null);
      if (same != null) {
        existing.remove(same);
      } else {
        unmatched.add(content);
      }
    }
    List<Write> writes = new ArrayList<>();
    for (ObjectNode content : unmatched) {
      if (!existing.isEmpty()) {
        ObjectNode current = existing.remove(0);
        ObjectNode wanted = EndpointSliceBuilder.slice(service, Meta.name(current), content);
        ObjectNode updated = current.deepCopy();
        for (String field : List.of("addressType", "endpoints", "ports")) {
          updated.remove(field);
        }
        Meta.metadata(updated).set("labels", wanted.path("metadata").path("labels"));
        Meta.metadata(updated).set("ownerReferences", wanted.path("metadata").path("ownerReferences"));
        updated.setAll(content);
        writes.add(new Write(Op.REPLACE, key(current), updated, Meta.uid(current)));
      } else {
        ObjectNode created = EndpointSliceBuilder.slice(service, newName(serviceKey.name()), content);
        writes.add(new Write(Op.CREATE, key(created), created, null));
      }
    }
    for (ObjectNode surplus : existing) {
      writes.add(new Write(Op.DELETE, key(surplus), null, Meta.uid(surplus)));
    }
    return writes;
  }

  private static boolean ownedBy(ObjectNode slice, ObjectNode service) {
    var owners = slice.path("metadata").path("ownerReferences");
    return owners.size() == 1 && Meta.uid(service).equals(owners.path(0).path("uid").asText());
  }

  /** As kube's {@code generateName: <service>-}: the Service's name and five random characters. */
  private String newName(String service) {
    StringBuilder name = new StringBuilder(service.length() > MAX_PREFIX ? service.substring(0, MAX_PREFIX) : service);
    name.append('-');
    for (int i = 0; i < 5; i++) {
      name.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return name.toString();
  }

  private static ObjectKey key(ObjectNode slice) {
    return ObjectKey.of(Kind.ENDPOINT_SLICE, Meta.namespace(slice), Meta.name(slice));
  }

  private static long version(ObjectNode object) {
    return Meta.parseResourceVersion(Meta.resourceVersion(object));
  }
}
