package io.steuermann.engine.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Server-side apply and field ownership, as kube-apiserver keeps them in
 * {@code metadata.managedFields}: an apply makes its manager own exactly the fields of its
 * configuration, refuses to change fields other managers own unless forced, and removes the
 * fields it stopped applying that nobody else owns; every other write makes its manager own
 * the fields it changed, taking them from their previous owners.
 *
 * <p>Pure functions over JSON trees; the object entity calls them inside its actor.
 */
public final class FieldManager {

  /** The result of an apply: the object to write (with its managedFields), or the conflicts. */
  public record Applied(ObjectNode object, List<Conflict> conflicts) {}

  private FieldManager() {
  }

  /**
   * Sets {@code after}'s managedFields for a write: {@code before} is the object as it was
   * (null for a create), {@code after} the object about to be written; its own managedFields,
   * as a client sent them, are not trusted and replaced.
   */
  public static void record(Ownership ownership, ObjectNode before, ObjectNode after, String apiVersion,
      Instant now) {
    if (ownership instanceof Ownership.Update update) {
      recordUpdate(update, before, after, apiVersion, now);
    } else if (ownership instanceof Ownership.Applied applied) {
      ManagedFields.set(after, applied.managedFields());
    } else {
      ManagedFields.copy(before, after);
    }
    prune(after);
  }

  /**
   * Applies {@code config} for {@code manager} to {@code live} (null: the object does not exist
   * yet). {@code subresource} "status" applies the status only; "" everything but the status.
   */
  public static Applied apply(ObjectNode live, ObjectNode config, String manager, String subresource,
      boolean force, String apiVersion, Instant now) {
    ObjectNode base = live == null ? Json.object() : live.deepCopy();
    Meta.metadata(base).remove("managedFields");
    ObjectNode applied = config.deepCopy();
    Meta.metadata(applied).remove("managedFields");

    FieldSet configSet = inScope(ObjectFields.paths(applied), subresource);
    ObjectNode merged = ApplyMerge.merge(base, applied);
    List<ManagedFieldsEntry> entries = ManagedFields.read(live);
    ManagedFieldsEntry me = new ManagedFieldsEntry(manager, ManagedFieldsEntry.APPLY, apiVersion,
        now.toString(), subresource, configSet);

    List<Conflict> conflicts = conflicts(entries, me, ObjectFields.of(base), ObjectFields.of(merged));
    if (!conflicts.isEmpty() && !force) {
      return new Applied(null, conflicts);
    }
    Set<FieldPath> forced = new HashSet<>();
    conflicts.forEach(c -> forced.add(c.path()));

    List<ManagedFieldsEntry> updated = new ArrayList<>();
    ManagedFieldsEntry previous = null;
    FieldSet keep = configSet;
    for (ManagedFieldsEntry e : entries) {
      if (e.sameManager(me)) {
        previous = e;
        updated.add(me);
      } else {
        // forced: the fields are taken from every other owner
        ManagedFieldsEntry other = e.withFields(e.fields().filter(p -> !forced.contains(p)), e.time());
        keep = keep.union(other.fields());
        updated.add(other);
      }
    }
    if (previous == null) {
      updated.add(me);
    }
    FieldSet before = previous == null ? FieldSet.EMPTY : previous.fields();
    ObjectPaths.removeAll(merged, before.minus(configSet), keep);

    if (previous != null && merged.equals(base) && configSet.equals(before)) {
      // an apply that changes nothing leaves the object as it is, time included
      updated.set(updated.indexOf(me), previous);
    }
    ManagedFields.write(merged, updated);
    prune(merged);
    return new Applied(merged, List.of());
  }

  /** Fields of the config that other managers own and whose value the apply would change. */
  private static List<Conflict> conflicts(List<ManagedFieldsEntry> entries, ManagedFieldsEntry me,
      Map<FieldPath, JsonNode> live, Map<FieldPath, JsonNode> merged) {
    List<Conflict> conflicts = new ArrayList<>();
    for (ManagedFieldsEntry e : entries) {
      if (e.sameManager(me)) {
        continue;
      }
      for (FieldPath p : e.fields().intersect(me.fields()).paths()) {
        // the same value is no conflict: the applier becomes a co-owner
        if (!Objects.equals(live.get(p), merged.get(p))) {
          conflicts.add(new Conflict(e, p));
        }
      }
    }
    return conflicts;
  }

  private static void recordUpdate(Ownership.Update update, ObjectNode before, ObjectNode after,
      String apiVersion, Instant now) {
    Map<FieldPath, JsonNode> old = ObjectFields.of(before);
    Map<FieldPath, JsonNode> neu = ObjectFields.of(after);
    Set<FieldPath> set = new HashSet<>();
    Set<FieldPath> removed = new HashSet<>();
    neu.forEach((p, v) -> {
      if (!v.equals(old.get(p))) {
        set.add(p);
      }
    });
    old.keySet().forEach(p -> {
      if (!neu.containsKey(p)) {
        removed.add(p);
      }
    });
    if (set.isEmpty() && removed.isEmpty()) {
      ManagedFields.copy(before, after);
      return;
    }
    FieldSet written = FieldSet.of(set);
    FieldSet changed = written.union(FieldSet.of(removed));
    ManagedFieldsEntry me = new ManagedFieldsEntry(update.manager(), ManagedFieldsEntry.UPDATE, apiVersion,
        now.toString(), update.subresource(), FieldSet.EMPTY);
    List<ManagedFieldsEntry> entries = new ArrayList<>();
    boolean found = false;
    for (ManagedFieldsEntry e : ManagedFields.read(before)) {
      if (e.sameManager(me)) {
        found = true;
        entries.add(me.withFields(e.fields().union(written).minus(FieldSet.of(removed)), now.toString()));
      } else {
        entries.add(e.withFields(e.fields().minus(changed), e.time()));
      }
    }
    if (!found) {
      entries.add(me.withFields(written, now.toString()));
    }
    ManagedFields.write(after, entries);
  }

  /**
   * Owners keep only fields the object still has; an updater left owning nothing goes, an
   * applier stays (its next apply still needs to know it applied nothing).
   */
  private static void prune(ObjectNode object) {
    List<ManagedFieldsEntry> entries = ManagedFields.read(object);
    List<ManagedFieldsEntry> kept = new ArrayList<>();
    boolean changed = false;
    for (ManagedFieldsEntry e : entries) {
      FieldSet existing = e.fields().filter(p -> ObjectPaths.resolve(object, p) != null);
      changed |= !existing.equals(e.fields());
      if (existing.isEmpty() && e.operation().equals(ManagedFieldsEntry.UPDATE)) {
        changed = true;
        continue;
      }
      kept.add(existing.equals(e.fields()) ? e : e.withFields(existing, e.time()));
    }
    if (changed) {
      ManagedFields.write(object, kept);
    }
  }

  private static FieldSet inScope(FieldSet fields, String subresource) {
    FieldPath status = FieldPath.ROOT.field("status");
    boolean statusOnly = "status".equals(subresource);
    return fields.filter(p -> (status.equals(p) || status.isStrictPrefixOf(p)) == statusOnly);
  }
}
