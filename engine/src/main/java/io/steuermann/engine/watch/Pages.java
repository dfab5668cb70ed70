package io.steuermann.engine.watch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ObjectKey;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/** Walks the objects of now and the overrides of an older version together, in key order. */
final class Pages {
  private Pages() {}

  /**
   * @param now the objects of now, from where the page starts
   * @param then for keys changed since the page's version, the object at that version (null: absent)
   */
  static WatchCache.Page collect(NavigableMap<ObjectKey, ObjectNode> now, NavigableMap<ObjectKey, ObjectNode> then,
      WatchFilter filter, int limit, long version) {
    boolean count = filter.labels().isEmpty() && filter.fields().isEmpty();
    List<ObjectNode> items = new ArrayList<>(Math.min(limit, 1024));
    ObjectKey last = null;
    long remaining = 0;
    Iterator<Map.Entry<ObjectKey, ObjectNode>> a = now.entrySet().iterator();
    Iterator<Map.Entry<ObjectKey, ObjectNode>> b = then.entrySet().iterator();
    Map.Entry<ObjectKey, ObjectNode> x = next(a);
    Map.Entry<ObjectKey, ObjectNode> y = next(b);
    while (x != null || y != null) {
      ObjectKey key;
      ObjectNode object;
      int order = x == null ? 1 : y == null ? -1 : x.getKey().compareTo(y.getKey());
      if (order < 0) {
        key = x.getKey();
        object = x.getValue();
        x = next(a);
      } else {
        // changed since the version: what it was then wins over what it is now
        key = y.getKey();
        object = y.getValue();
        y = next(b);
        if (order == 0) {
          x = next(a);
        }
      }
      if (object == null || !filter.matches(key, object)) {
        continue;
      }
      if (items.size() < limit) {
        items.add(object);
        last = key;
      } else {
        remaining++;
        if (!count) {
          break;
        }
      }
    }
    return new WatchCache.Page(version, items, last, remaining > 0, count ? remaining : -1);
  }

  private static <K, V> Map.Entry<K, V> next(Iterator<Map.Entry<K, V>> it) {
    return it.hasNext() ? it.next() : null;
  }
}
