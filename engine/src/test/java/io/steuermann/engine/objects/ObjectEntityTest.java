package io.steuermann.engine.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.EntityServices.VersionSource;
import io.steuermann.engine.objects.ObjectCommand.Apply;
import io.steuermann.engine.objects.ObjectCommand.Create;
import io.steuermann.engine.objects.ObjectCommand.Delete;
import io.steuermann.engine.objects.ObjectCommand.Done;
import io.steuermann.engine.objects.ObjectCommand.Get;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectCommand.Patch;
import io.steuermann.engine.objects.ObjectCommand.PatchType;
import io.steuermann.engine.objects.ObjectCommand.Refused;
import io.steuermann.engine.objects.ObjectCommand.Replace;
import io.steuermann.engine.objects.ObjectCommand.Reply;
import io.steuermann.engine.objects.ObjectCommand.Scale;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The object entity on Pekko's in-memory journal: what each command answers, which events it
 * records (none for a refusal), and that commands, events, state and replies serialize.
 *
 * <p>The resourceVersion comes from a {@link CountingVersions} double here. In production it
 * is the journal's global ordering of the event, read back by {@code OrderingLookup}; that the
 * two agree is tested by the persistence module and end to end by the http-api tests.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one actor system per class, shut down after all
class ObjectEntityTest {

  private static final Config CONFIG = EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("""
          pekko.loglevel = WARNING
          # every message an entity sends or receives must serialize (CborSerializable)
          pekko.actor.serialize-messages = on
          """));

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  private static final AtomicInteger names = new AtomicInteger();

  /**
   * Stands in for the journal's ordering read-back: each new (persistenceId, sequenceNr) gets
   * the next number of a counter, and the same event asked again gets the same number, as the
   * journal's ordering column answers it. Lookups can be held back with {@link #hold()}.
   */
  static final class CountingVersions implements VersionSource {
    final AtomicLong counter = new AtomicLong(1000);
    final Map<String, Long> known = new ConcurrentHashMap<>();
    final List<String> asked = new CopyOnWriteArrayList<>();
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    volatile String failWith;

    @Override
    public CompletionStage<Long> versionOf(String persistenceId, long sequenceNr) {
      asked.add(persistenceId + "#" + sequenceNr);
      if (failWith != null) {
        return CompletableFuture.failedFuture(new IllegalStateException(failWith));
      }
      long version = known.computeIfAbsent(persistenceId + "#" + sequenceNr, k -> counter.incrementAndGet());
      return gate.thenApply(v -> version);
    }

    CompletableFuture<Void> hold() {
      gate = new CompletableFuture<>();
      return gate;
    }
  }

  private CountingVersions versions;
  private List<Long> acknowledged;
  private AtomicInteger written;
  private EntityServices services;

  @BeforeEach
  void setUp() {
    versions = new CountingVersions();
    acknowledged = new CopyOnWriteArrayList<>();
    written = new AtomicInteger();
    services = new EntityServices(versions, written::incrementAndGet, acknowledged::add,
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private EventSourcedBehaviorTestKit<ObjectCommand, ObjectEvent, ObjectState> entity(ObjectKey key) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), ObjectEntity.create(key, services),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  private static String unique(String prefix) {
    return prefix + "-" + names.incrementAndGet();
  }

  // ---- objects

  static ObjectNode json(String text) {
    return (ObjectNode) tree(text);
  }

  /** JSON with ' for " (readable in Java strings). */
  static JsonNode tree(String text) {
    try {
      return Json.parse(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode pod(String name) {
    return json("""
        {'apiVersion':'v1','kind':'Pod','metadata':{'name':'%s','namespace':'default','labels':{'app':'web'}},
         'spec':{'containers':[{'name':'web','image':'nginx:1.25'},{'name':'side','image':'busybox:1.36'}]}}
        """.formatted(name));
  }

  static ObjectNode replicaSet(String name) {
    return json("""
        {'apiVersion':'apps/v1','kind':'ReplicaSet','metadata':{'name':'%s','namespace':'default'},
         'spec':{'replicas':2,'selector':{'matchLabels':{'app':'web'}},
                 'template':{'metadata':{'labels':{'app':'web'}},
                             'spec':{'containers':[{'name':'web','image':'nginx:1.25'}]}}}}
        """.formatted(name));
  }

  static ObjectNode deployment(String name) {
    ObjectNode d = replicaSet(name);
    d.put("kind", "Deployment");
    return d;
  }

  private static ObjectKey podKey(String name) {
    return ObjectKey.of(Kind.POD, "default", name);
  }

  // ---- running commands

  private static CommandResultWithReply<ObjectCommand, ObjectEvent, ObjectState, Reply> run(
      EventSourcedBehaviorTestKit<ObjectCommand, ObjectEvent, ObjectState> kit,
      java.util.function.Function<ActorRef<Reply>, ObjectCommand> command) {
    return kit.<Reply>runCommand(command::apply);
  }

  private static Done done(CommandResultWithReply<ObjectCommand, ObjectEvent, ObjectState, Reply> result) {
    Reply reply = result.reply();
    if (reply instanceof Refused r) {
      throw new AssertionError("expected Done, was refused: " + r.status());
    }
    return assertInstanceOf(Done.class, reply);
  }

  /** Asserts the command was refused with {@code code}, recorded no event and left the state alone. */
  private static ApiStatus refused(int code,
      EventSourcedBehaviorTestKit<ObjectCommand, ObjectEvent, ObjectState> kit,
      java.util.function.Function<ActorRef<Reply>, ObjectCommand> command) {
    ObjectState before = kit.getState();
    var result = run(kit, command);
    Refused refused = assertInstanceOf(Refused.class, result.reply(), () -> "reply " + result.reply());
    assertEquals(code, refused.status().code(), () -> "status " + refused.status());
    assertTrue(result.hasNoEvents(), () -> "a refused command recorded " + result.events());
    assertEquals(before, result.state(), "a refused command changed the state");
    return refused.status();
  }

  private static Done create(EventSourcedBehaviorTestKit<ObjectCommand, ObjectEvent, ObjectState> kit,
      ObjectNode object) {
    var result = run(kit, r -> new Create(object, r));
    assertInstanceOf(ObjectEvent.Created.class, result.event());
    return done(result);
  }

  private static Done get(EventSourcedBehaviorTestKit<ObjectCommand, ObjectEvent, ObjectState> kit) {
    var result = run(kit, Get::new);
    assertTrue(result.hasNoEvents());
    return done(result);
  }

  private static long rv(Done done) {
    return Long.parseLong(Meta.resourceVersion(done.object()));
  }

  private static List<String> fields(ApiStatus status) {
    return status.details().causes().stream().map(ApiStatus.Cause::field).toList();
  }

  // ---- create

  @Test
  void createRecordsCreatedAndAnswersWithSystemFields() {
    String name = unique("web");
    var kit = entity(podKey(name));
    ObjectNode pod = pod(name);
    pod.putObject("status").put("phase", "Running");
    Meta.metadata(pod).put("uid", "chosen-by-client").put("resourceVersion", "7");

    var result = run(kit, r -> new Create(pod, r));

    ObjectEvent.Created event = result.eventOfType(ObjectEvent.Created.class);
    Done done = done(result);
    assertTrue(done.created());
    ObjectNode meta = Meta.metadata(done.object());
    assertEquals(name, meta.path("name").asText());
    assertEquals("default", meta.path("namespace").asText());
    assertNotEquals("chosen-by-client", meta.path("uid").asText());
    UUID.fromString(meta.path("uid").asText());
    assertEquals("2025-03-01T12:00:00Z", meta.path("creationTimestamp").asText());
    assertEquals(1, meta.path("generation").asInt());
    long rv = versions.known.get("Pod|default/" + name + "#1");
    assertEquals(Long.toString(rv), meta.path("resourceVersion").asText());
    assertEquals(List.of(rv), acknowledged);
    assertEquals(1, written.get());
    // a client cannot choose the status; defaults apply
    assertEquals("Pending", done.object().path("status").path("phase").asText());
    assertEquals("Always", done.object().path("spec").path("restartPolicy").asText());
    // the event carries the object without resourceVersion (the journal position is unknown then)
    assertFalse(event.object().path("metadata").has("resourceVersion"));
    assertEquals(done.object(), Meta.withResourceVersion(event.object(), rv));
    assertEquals(event.object(), kit.getState().object());
    assertEquals(done.object(), get(kit).object());
  }

  @Test
  void createAgainIsAlreadyExistsAndRecordsNothing() {
    String name = unique("web");
    var kit = entity(podKey(name));
    create(kit, pod(name));
    ApiStatus status = refused(409, kit, r -> new Create(pod(name), r));
    assertEquals("AlreadyExists", status.reason());
  }

  @Test
  void aCreateSentAgainWithItsUidIsAnsweredAsThatCreate() {
    String name = unique("resent");
    var kit = entity(podKey(name));
    String uid = java.util.UUID.randomUUID().toString();
    Done first = done(run(kit, r -> new Create(pod(name), 0, null, uid, r)));
    assertEquals(uid, Meta.uid(first.object()), "the object gets the uid its create chose");
    // the copy the store sent because the first answer was lost: the same create, no 409, no event
    var again = run(kit, r -> new Create(pod(name), 0, null, uid, r));
    assertTrue(again.hasNoEvents(), () -> "recorded " + again.events());
    Done second = done(again);
    assertTrue(second.created());
    assertEquals(first.object(), second.object());
    // even after its deadline: it did land in time
    assertEquals(first.object(), done(run(kit, r -> new Create(pod(name), NOW.toEpochMilli() - 1, null, uid, r)))
        .object());
    // another client's create of the same name is still AlreadyExists
    assertEquals("AlreadyExists", refused(409, kit,
        r -> new Create(pod(name), 0, null, java.util.UUID.randomUUID().toString(), r)).reason());
    // a copy arriving after the object was deleted does not bring it back (also after recovery)
    done(run(kit, r -> new Delete(uid, 0, r)));
    kit.restart();
    ApiStatus late = refused(409, kit, r -> new Create(pod(name), 0, null, uid, r));
    assertTrue(late.message().contains("deleted since"), late.message());
  }

  @Test
  void aCreateThatArrivesAfterItsDeadlineIsRefusedAndRecordsNothing() {
    String name = unique("late");
    var kit = entity(podKey(name));
    ApiStatus status = refused(504, kit, r -> new Create(pod(name), NOW.toEpochMilli() - 1, r));
    assertTrue(status.message().contains("deadline"), status.message());
    // the same create at its deadline is still in time
    var result = run(kit, r -> new Create(pod(name), NOW.toEpochMilli(), r));
    assertEquals(name, Meta.name(assertInstanceOf(Done.class, result.reply()).object()));
  }

  @Test
  void createWithAnotherNameThanTheKeyIsBadRequest() {
    String name = unique("web");
    var kit = entity(podKey(name));
    assertEquals("BadRequest", refused(400, kit, r -> new Create(pod("other"), r)).reason());
  }

  @Test
  void invalidPodNamesEachBadField() {
    String name = "Bad_Name";
    var kit = entity(podKey(name));
    ObjectNode pod = pod(name);
    ((ObjectNode) pod.get("spec")).putArray("containers");
    ApiStatus status = refused(422, kit, r -> new Create(pod, r));
    assertEquals("Invalid", status.reason());
    assertEquals(List.of("metadata.name", "spec.containers"), fields(status));
    assertEquals(ObjectState.ABSENT, kit.getState());
  }

  @Test
  void invalidContainerFieldsAreNamed() {
    String name = unique("web");
    var kit = entity(podKey(name));
    ObjectNode pod = json("""
        {'metadata':{'name':'%s'},'spec':{'containers':[{'name':'a','image':''},{'name':'a','image':'x',
          'ports':[{'containerPort':70000}]}]}}""".formatted(name));
    ApiStatus status = refused(422, kit, r -> new Create(pod, r));
    assertEquals(List.of("spec.containers[0].image", "spec.containers[1].name",
        "spec.containers[1].ports[0].containerPort"), fields(status));
  }

  @Test
  void invalidReplicaSetNamesReplicasAndTemplateContainers() {
    String name = unique("rs");
    var kit = entity(ObjectKey.of(Kind.REPLICA_SET, "default", name));
    ObjectNode rs = replicaSet(name);
    ((ObjectNode) rs.get("spec")).put("replicas", -1);
    ((ObjectNode) rs.path("spec").path("template").get("spec")).remove("containers");
    ApiStatus status = refused(422, kit, r -> new Create(rs, r));
    assertEquals(List.of("spec.replicas", "spec.template.spec.containers"), fields(status));
  }

  @Test
  void selectorNotMatchingTemplateLabelsIsInvalid() {
    for (ObjectNode object : List.of(replicaSet(unique("rs")), deployment(unique("deploy")))) {
      Kind kind = Kind.byKindName(object.path("kind").asText()).orElseThrow();
      var kit = entity(ObjectKey.of(kind, "default", Meta.name(object)));
      ((ObjectNode) object.path("spec").path("template").get("metadata")).putObject("labels").put("app", "db");
      ApiStatus status = refused(422, kit, r -> new Create(object, r));
      assertEquals(List.of("spec.template.metadata.labels"), fields(status), kind.kindName());
    }
  }

  @Test
  void workloadWithoutSelectorIsInvalid() {
    String name = unique("deploy");
    var kit = entity(ObjectKey.of(Kind.DEPLOYMENT, "default", name));
    ObjectNode d = deployment(name);
    ((ObjectNode) d.get("spec")).remove("selector");
    assertEquals(List.of("spec.selector"), fields(refused(422, kit, r -> new Create(d, r))));
  }

  // ---- server-side apply and managedFields

  private static JsonNode managedEntry(Done done, String manager, String operation) {
    for (JsonNode e : done.object().path("metadata").path("managedFields")) {
      if (e.path("manager").asText().equals(manager) && e.path("operation").asText().equals(operation)) {
        return e;
      }
    }
    return null;
  }

  @Test
  void applyCreatesUpdatesAndRefusesToTakeAFieldAScaleOwnsUnlessForced() {
    String name = unique("web");
    var kit = entity(ObjectKey.of(Kind.DEPLOYMENT, "default", name));
    var created = run(kit, r -> new Apply(deployment(name), "kubectl", false, Part.MAIN, r));
    created.eventOfType(ObjectEvent.Created.class);
    assertTrue(done(created).created());
    JsonNode entry = managedEntry(done(created), "kubectl", "Apply");
    assertEquals(NOW.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(), entry.path("time").asText());
    assertTrue(entry.at("/fieldsV1/f:spec").has("f:replicas"));

    ObjectNode changed = deployment(name);
    changed.with("spec").put("minReadySeconds", 5);
    var updated = run(kit, r -> new Apply(changed, "kubectl", false, Part.MAIN, r));
    updated.eventOfType(ObjectEvent.Updated.class);
    assertEquals(5, done(updated).object().at("/spec/minReadySeconds").asInt());

    Done scaled = done(run(kit, r -> new Scale(7, 0, "kubectl", r)));
    assertEquals("scale", managedEntry(scaled, "kubectl", "Update").path("subresource").asText());

    ObjectNode three = changed.deepCopy();
    three.with("spec").put("replicas", 3);
    ApiStatus conflict = refused(409, kit, r -> new Apply(three, "kubectl", false, Part.MAIN, r));
    assertEquals("Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" using apps/v1: "
        + ".spec.replicas", conflict.message());

    Done forced = done(run(kit, r -> new Apply(three, "kubectl", true, Part.MAIN, r)));
    assertEquals(3, forced.object().at("/spec/replicas").asInt());
    assertEquals(null, managedEntry(forced, "kubectl", "Update"));
  }

  @Test
  void anApplyThatChangesNothingRecordsNothing() {
    String name = unique("web");
    var kit = entity(ObjectKey.of(Kind.DEPLOYMENT, "default", name));
    Done first = done(run(kit, r -> new Apply(deployment(name), "ci", false, Part.MAIN, r)));
    var again = run(kit, r -> new Apply(deployment(name), "ci", false, Part.MAIN, r));
    assertTrue(again.hasNoEvents(), () -> "recorded " + again.events());
    assertEquals(first.object(), done(again).object());
  }

  @Test
  void writesByANamedManagerAreRecordedAndControllerWritesAreNot() {
    String name = unique("web");
    var kit = entity(podKey(name));
    Done created = done(run(kit, r -> new Create(pod(name), 0, "kubectl-create", r)));
    assertTrue(managedEntry(created, "kubectl-create", "Update").at("/fieldsV1/f:spec/f:containers")
        .has("k:{\"name\":\"web\"}"));
    ObjectNode relabelled = created.object().deepCopy();
    Meta.metadata(relabelled).with("labels").put("app", "v2");
    Done edited = done(run(kit, r -> new Replace(relabelled, Part.MAIN, "kubectl-edit", r)));
    assertEquals(tree("{'f:metadata':{'f:labels':{'f:app':{}}}}"),
        managedEntry(edited, "kubectl-edit", "Update").path("fieldsV1"));
    assertFalse(managedEntry(edited, "kubectl-create", "Update").at("/fieldsV1/f:metadata/f:labels").has("f:app"));

    ObjectNode byController = edited.object().deepCopy();
    Meta.metadata(byController).with("annotations").put("note", "x");
    Done untracked = done(run(kit, r -> new Replace(byController, Part.MAIN, r)));
    assertEquals(edited.object().at("/metadata/managedFields"), untracked.object().at("/metadata/managedFields"));
  }

  // ---- replace

  @Test
  void replaceWithStaleResourceVersionIsConflictAndRecordsNothing() {
    String name = unique("web");
    var kit = entity(podKey(name));
    Done created = create(kit, pod(name));
    ObjectNode first = created.object().deepCopy();
    Meta.metadata(first).putObject("labels").put("app", "v2");
    done(run(kit, r -> new Replace(first, Part.MAIN, r)));

    ObjectNode stale = created.object().deepCopy();
    Meta.metadata(stale).putObject("labels").put("app", "v3");
    ApiStatus status = refused(409, kit, r -> new Replace(stale, Part.MAIN, r));
    assertEquals("Conflict", status.reason());
    assertTrue(status.message().contains("the object has been modified"), status.message());
  }

  @Test
  void replaceWithoutResourceVersionIsAccepted() {
    String name = unique("web");
    var kit = entity(podKey(name));
    Done created = create(kit, pod(name));
    ObjectNode update = pod(name);
    Meta.metadata(update).putObject("annotations").put("note", "x");
    var result = run(kit, r -> new Replace(update, Part.MAIN, r));
    result.eventOfType(ObjectEvent.Updated.class);
    Done done = done(result);
    assertFalse(done.created());
    assertTrue(rv(done) > rv(created));
    assertEquals("x", done.object().path("metadata").path("annotations").path("note").asText());
    // system fields are kept from the stored object
    assertEquals(Meta.uid(created.object()), Meta.uid(done.object()));
    assertEquals(created.object().path("metadata").path("creationTimestamp"),
        done.object().path("metadata").path("creationTimestamp"));
  }

  @Test
  void replaceThatChangesNothingRecordsNothingAndKeepsTheResourceVersion() {
    String name = unique("web");
    var kit = entity(podKey(name));
    Done created = create(kit, pod(name));
    for (ObjectNode same : List.of(created.object().deepCopy(), pod(name))) {
      var result = run(kit, r -> new Replace(same, Part.MAIN, r));
      assertTrue(result.hasNoEvents(), () -> "no-op replace recorded " + result.events());
      assertEquals(created.object(), done(result).object());
    }
    assertEquals(1, written.get());
  }

  @Test
  void replaceWithAnotherNameThanTheKeyIsBadRequest() {
    // Kubernetes: "the name of the object (b) does not match the name on the URL (a)"
    String name = unique("web");
    var kit = entity(podKey(name));
    create(kit, pod(name));
    ObjectNode renamed = pod("other");
    Meta.metadata(renamed).putObject("annotations").put("note", "x");
    assertEquals("BadRequest", refused(400, kit, r -> new Replace(renamed, Part.MAIN, r)).reason());
  }

  @Test
  void statusWriteChangesOnlyStatus() {
    String name = unique("web");
    var kit = entity(podKey(name));
    Done created = create(kit, pod(name));
    ObjectNode incoming = created.object().deepCopy();
    ((ObjectNode) incoming.get("status")).put("phase", "Running");
    Meta.metadata(incoming).putObject("labels").put("app", "changed");
    ((ObjectNode) incoming.get("spec")).put("nodeName", "node-1");

    var result = run(kit, r -> new Replace(incoming, Part.STATUS, r));
    result.eventOfType(ObjectEvent.Updated.class);
    Done done = done(result);
    assertEquals("Running", done.object().path("status").path("phase").asText());
    ObjectNode expected = created.object().deepCopy();
    expected.set("status", done.object().get("status"));
    Meta.metadata(expected).put("resourceVersion", Meta.resourceVersion(done.object()));
    assertEquals(expected, done.object());
    assertEquals(1, Meta.generation(done.object()));
  }

  @Test
  void mainWriteKeepsStatus() {
    String name = unique("web");
    var kit = entity(podKey(name));
    create(kit, pod(name));
    ObjectNode status = get(kit).object();
    ((ObjectNode) status.get("status")).put("phase", "Running");
    done(run(kit, r -> new Replace(status, Part.STATUS, r)));

    ObjectNode main = get(kit).object();
    ((ObjectNode) main.get("status")).put("phase", "Failed");
    Meta.metadata(main).putObject("labels").put("app", "v2");
    Done done = done(run(kit, r -> new Replace(main, Part.MAIN, r)));
    assertEquals("Running", done.object().path("status").path("phase").asText());
    assertEquals("v2", Meta.labels(done.object()).get("app"));
  }

  @Test
  void generationBumpsOnlyOnSpecChange() {
    String name = unique("rs");
    var kit = entity(ObjectKey.of(Kind.REPLICA_SET, "default", name));
    create(kit, replicaSet(name));

    ObjectNode labels = get(kit).object();
    Meta.metadata(labels).putObject("labels").put("tier", "front");
    assertEquals(1, Meta.generation(done(run(kit, r -> new Replace(labels, Part.MAIN, r))).object()));

    ObjectNode status = get(kit).object();
    ((ObjectNode) status.get("status")).put("replicas", 2);
    assertEquals(1, Meta.generation(done(run(kit, r -> new Replace(status, Part.STATUS, r))).object()));

    ObjectNode spec = get(kit).object();
    ((ObjectNode) spec.get("spec")).put("replicas", 5);
    assertEquals(2, Meta.generation(done(run(kit, r -> new Replace(spec, Part.MAIN, r))).object()));

    // a client cannot set generation itself
    ObjectNode forged = get(kit).object();
    Meta.metadata(forged).put("generation", 40);
    Meta.metadata(forged).putObject("annotations").put("a", "b");
    assertEquals(2, Meta.generation(done(run(kit, r -> new Replace(forged, Part.MAIN, r))).object()));
  }

  @Test
  void selectorIsImmutable() {
    String name = unique("rs");
    var kit = entity(ObjectKey.of(Kind.REPLICA_SET, "default", name));
    create(kit, replicaSet(name));
    ObjectNode update = get(kit).object();
    ((ObjectNode) update.path("spec").get("selector")).putObject("matchLabels").put("app", "db");
    ((ObjectNode) update.path("spec").path("template").get("metadata")).putObject("labels").put("app", "db");
    assertEquals(List.of("spec.selector"), fields(refused(422, kit, r -> new Replace(update, Part.MAIN, r))));
  }

  @Test
  void replaceOfAMissingObjectIsNotFound() {
    String name = unique("web");
    var kit = entity(podKey(name));
    refused(404, kit, r -> new Replace(pod(name), Part.MAIN, r));
    refused(404, kit, r -> new Patch(PatchType.MERGE, json("{}"), Part.MAIN, r));
    refused(404, kit, Get::new);
  }

  // ---- patch

  @Test
  void mergePatch() {
    String name = unique("web");
    var kit = entity(podKey(name));
    create(kit, pod(name));
    Done done = done(run(kit, r -> new Patch(PatchType.MERGE,
        json("{'metadata':{'labels':{'app':null,'tier':'front'}}}"), Part.MAIN, r)));
    assertEquals(Map.of("tier", "front"), Meta.labels(done.object()));
    assertEquals(2, done.object().path("spec").path("containers").size());
  }

  @Test
  void jsonPatch() {
    String name = unique("web");
    var kit = entity(podKey(name));
    create(kit, pod(name));
    Done done = done(run(kit, r -> new Patch(PatchType.JSON, tree("""
        [{'op':'test','path':'/metadata/labels/app','value':'web'},
         {'op':'add','path':'/metadata/annotations','value':{'a':'1'}},
         {'op':'replace','path':'/spec/containers/0/image','value':'nginx:1.26'}]"""), Part.MAIN, r)));
    assertEquals("1", done.object().path("metadata").path("annotations").path("a").asText());
    assertEquals("nginx:1.26", done.object().path("spec").path("containers").path(0).path("image").asText());
  }

  @Test
  void strategicMergePatchMergesContainersByName() {
    String name = unique("web");
    var kit = entity(podKey(name));
    create(kit, pod(name));
    Done done = done(run(kit, r -> new Patch(PatchType.STRATEGIC,
        json("{'spec':{'containers':[{'name':'side','image':'busybox:1.37'}]}}"), Part.MAIN, r)));
    JsonNode containers = done.object().path("spec").path("containers");
    assertEquals(2, containers.size(), containers::toString);
    assertEquals("nginx:1.25", containers.path(0).path("image").asText());
    assertEquals("busybox:1.37", containers.path(1).path("image").asText());
  }

  @Test
  void failingJsonPatchTestIsInvalidAndRecordsNothing() {
    String name = unique("web");
    var kit = entity(podKey(name));
    create(kit, pod(name));
    ApiStatus status = refused(422, kit, r -> new Patch(PatchType.JSON, tree("""
        [{'op':'add','path':'/metadata/annotations','value':{'a':'1'}},
         {'op':'test','path':'/metadata/labels/app','value':'db'}]"""), Part.MAIN, r));
    assertEquals("Invalid", status.reason());
  }

  @Test
  void patchWithStaleResourceVersionIsConflict() {
    String name = unique("web");
    var kit = entity(podKey(name));
    Done created = create(kit, pod(name));
    done(run(kit, r -> new Patch(PatchType.MERGE, json("{'metadata':{'labels':{'a':'1'}}}"), Part.MAIN, r)));
    refused(409, kit, r -> new Patch(PatchType.MERGE, json("{'metadata':{'resourceVersion':'"
        + Meta.resourceVersion(created.object()) + "','labels':{'a':'2'}}}"), Part.MAIN, r));
  }

  @Test
  void patchThatMakesTheObjectInvalidIsRefused() {
    String name = unique("web");
    var kit = entity(podKey(name));
    create(kit, pod(name));
    List<String> fields = fields(refused(422, kit,
        r -> new Patch(PatchType.MERGE, json("{'spec':{'containers':[]}}"), Part.MAIN, r)));
    // "spec" too: pod containers may not change after creation
    assertEquals(List.of("spec.containers", "spec"), fields);
  }

  @Test
  void statusPatchChangesOnlyStatus() {
    String name = unique("web");
    var kit = entity(podKey(name));
    create(kit, pod(name));
    Done done = done(run(kit, r -> new Patch(PatchType.MERGE,
        json("{'status':{'phase':'Running'},'metadata':{'labels':{'app':'x'}}}"), Part.STATUS, r)));
    assertEquals("Running", done.object().path("status").path("phase").asText());
    assertEquals("web", Meta.labels(done.object()).get("app"));
  }

  // ---- scale

  @Test
  void scale() {
    String name = unique("deploy");
    var kit = entity(ObjectKey.of(Kind.DEPLOYMENT, "default", name));
    Done created = create(kit, deployment(name));
    var result = run(kit, r -> new Scale(5, rv(created), r));
    result.eventOfType(ObjectEvent.Updated.class);
    Done scaled = done(result);
    assertEquals(5, scaled.object().path("spec").path("replicas").asInt());
    assertEquals(2, Meta.generation(scaled.object()));

    refused(409, kit, r -> new Scale(6, rv(created), r));
    refused(422, kit, r -> new Scale(-1, 0, r));
    assertEquals(7, done(run(kit, r -> new Scale(7, 0, r))).object().path("spec").path("replicas").asInt());
  }

  @Test
  void scaleOfAKindWithoutScaleIsNotFound() {
    String name = unique("web");
    var kit = entity(podKey(name));
    create(kit, pod(name));
    refused(404, kit, r -> new Scale(3, 0, r));
  }

  // ---- delete

  @Test
  void deleteChecksPreconditions() {
    String name = unique("web");
    var kit = entity(podKey(name));
    Done created = create(kit, pod(name));
    String uid = Meta.uid(created.object());
    assertEquals("Conflict", refused(409, kit, r -> new Delete("not-" + uid, 0, r)).reason());
    assertEquals("Conflict", refused(409, kit, r -> new Delete("", rv(created) + 1, r)).reason());

    var result = run(kit, r -> new Delete(uid, rv(created), r));
    ObjectEvent.Deleted deleted = result.eventOfType(ObjectEvent.Deleted.class);
    assertEquals(uid, Meta.uid(deleted.object()));
    Done done = done(result);
    assertTrue(rv(done) > rv(created), "a deletion has its own resourceVersion");
    assertEquals(ObjectState.ABSENT, result.state());

    refused(404, kit, Get::new);
    refused(404, kit, r -> new Delete("", 0, r));
    refused(404, kit, r -> new Replace(pod(name), Part.MAIN, r));
  }

  @Test
  void createAfterDeleteGetsANewUid() {
    String name = unique("web");
    var kit = entity(podKey(name));
    Done first = create(kit, pod(name));
    done(run(kit, r -> new Delete("", 0, r)));
    Done second = create(kit, pod(name));
    assertTrue(second.created());
    assertNotEquals(Meta.uid(first.object()), Meta.uid(second.object()));
    assertTrue(rv(second) > rv(first));
    assertEquals(1, Meta.generation(second.object()));
  }

  // ---- dry run

  private static Function<ActorRef<Reply>, ObjectCommand> dry(Function<ActorRef<Reply>, ObjectCommand> write) {
    return r -> new ObjectCommand.DryRun(write.apply(r));
  }

  /** Runs a dry-run command and asserts it journaled nothing and left the state and versions alone. */
  private Reply dryRun(EventSourcedBehaviorTestKit<ObjectCommand, ObjectEvent, ObjectState> kit,
      Function<ActorRef<Reply>, ObjectCommand> write) {
    ObjectState before = kit.getState();
    int writtenBefore = written.get();
    int askedBefore = versions.asked.size();
    var result = run(kit, dry(write));
    assertTrue(result.hasNoEvents(), () -> "a dry run recorded " + result.events());
    assertEquals(before, result.state(), "a dry run changed the state");
    assertEquals(writtenBefore, written.get(), "a dry run told the change feed it wrote");
    assertEquals(askedBefore, versions.asked.size(), "a dry run looked up a resourceVersion");
    return result.reply();
  }

  @Test
  void dryRunCreateAnswersTheDefaultedObjectWithoutResourceVersionAndRecordsNothing() {
    String name = unique("dry");
    var kit = entity(podKey(name));
    Done done = assertInstanceOf(Done.class, dryRun(kit, r -> new Create(pod(name), r)));
    assertTrue(done.created());
    ObjectNode meta = Meta.metadata(done.object());
    UUID.fromString(meta.path("uid").asText());
    assertEquals("2025-03-01T12:00:00Z", meta.path("creationTimestamp").asText());
    assertFalse(meta.has("resourceVersion"), "nothing was stored, so no resourceVersion");
    assertEquals("Always", done.object().path("spec").path("restartPolicy").asText());
    assertEquals(ObjectState.ABSENT, kit.getState());
    assertTrue(acknowledged.isEmpty());
    refused(404, kit, Get::new);
  }

  @Test
  void dryRunsAreRefusedAsTheRealWritesWouldBe() {
    String name = unique("dry");
    var kit = entity(podKey(name));
    ObjectNode invalid = pod(name);
    ((ObjectNode) invalid.get("spec")).putArray("containers");
    assertEquals(422, assertInstanceOf(Refused.class, dryRun(kit, r -> new Create(invalid, r))).status().code());
    Done created = create(kit, pod(name));
    assertEquals(409, assertInstanceOf(Refused.class, dryRun(kit, r -> new Create(pod(name), r))).status().code());
    ObjectNode stale = created.object().deepCopy();
    Meta.metadata(stale).put("resourceVersion", Long.toString(rv(created) + 1));
    assertEquals(409, assertInstanceOf(Refused.class,
        dryRun(kit, r -> new Replace(stale, Part.MAIN, r))).status().code());
    assertEquals(409, assertInstanceOf(Refused.class,
        dryRun(kit, r -> new Delete("", rv(created) + 1, r))).status().code());
  }

  @Test
  void dryRunUpdatesAnswerTheChangedObjectWithTheCurrentResourceVersion() {
    String name = unique("dry");
    var kit = entity(podKey(name));
    Done created = create(kit, pod(name));
    JsonNode patch = tree("{'metadata':{'labels':{'tier':'front'}}}");
    Done patched = assertInstanceOf(Done.class, dryRun(kit, r -> new Patch(PatchType.MERGE, patch, Part.MAIN, r)));
    assertEquals("front", patched.object().path("metadata").path("labels").path("tier").asText());
    assertEquals(rv(created), rv(patched));
    ObjectNode replacement = created.object().deepCopy();
    Meta.metadata(replacement).putObject("annotations").put("a", "b");
    Done replaced = assertInstanceOf(Done.class, dryRun(kit, r -> new Replace(replacement, Part.MAIN, r)));
    assertEquals("b", replaced.object().path("metadata").path("annotations").path("a").asText());
    assertEquals(created.object(), get(kit).object());
  }

  @Test
  void dryRunDeleteAnswersTheDeletedObjectAndKeepsIt() {
    String name = unique("dry");
    var kit = entity(podKey(name));
    Done created = create(kit, pod(name));
    Done deleted = assertInstanceOf(Done.class, dryRun(kit, r -> new Delete("", rv(created), r)));
    assertEquals(Meta.uid(created.object()), Meta.uid(deleted.object()));
    assertEquals(created.object(), get(kit).object());
  }

  /** Counts real claims; a preview only marks the object, as a dry run's clusterIP would be. */
  static final class CountingAllocations implements Allocations {
    final AtomicInteger prepared = new AtomicInteger();
    final AtomicInteger previewed = new AtomicInteger();

    @Override
    public boolean applies(ObjectKey key) {
      return true;
    }

    @Override
    public CompletionStage<Prepared> prepare(ObjectKey key, ObjectNode old, ObjectNode updated) {
      prepared.incrementAndGet();
      return CompletableFuture.completedFuture(new Prepared(updated, null));
    }

    @Override
    public CompletionStage<Prepared> preview(ObjectKey key, ObjectNode old, ObjectNode updated) {
      previewed.incrementAndGet();
      ObjectNode object = updated.deepCopy();
      Meta.metadata(object).putObject("annotations").put("allocated", "preview");
      return CompletableFuture.completedFuture(new Prepared(object, null));
    }

    @Override
    public CompletionStage<Void> committed(ObjectKey key, ObjectNode old, ObjectNode updated) {
      return CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void aDryRunPreviewsAllocationsInsteadOfClaimingThemAndLaterCommandsStillRun() {
    CountingAllocations allocations = new CountingAllocations();
    services = new EntityServices(versions, written::incrementAndGet, acknowledged::add,
        Clock.fixed(NOW, ZoneOffset.UTC), ObjectControllers.none(), allocations, () -> true,
        new io.steuermann.engine.observe.EngineMeters());
    String name = unique("dry");
    var kit = entity(podKey(name));
    Done done = assertInstanceOf(Done.class, dryRun(kit, r -> new Create(pod(name), r)));
    assertEquals("preview", done.object().path("metadata").path("annotations").path("allocated").asText());
    assertEquals(1, allocations.previewed.get());
    assertEquals(0, allocations.prepared.get());
    create(kit, pod(name));
    assertEquals(1, allocations.prepared.get());
  }

  @Test
  void theDefaultNamespaceCannotBeDeleted() {
    var kit = entity(ObjectKey.of(Kind.NAMESPACE, "", "default"));
    create(kit, json("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'default'}}"));
    assertEquals("Forbidden", refused(403, kit, r -> new Delete("", 0, r)).reason());
    get(kit);
  }

  @Test
  void aDeletedNamespaceIsTerminatingUntilItsFinalizerIsRemoved() {
    String name = unique("ns");
    var kit = entity(ObjectKey.of(Kind.NAMESPACE, "", name));
    create(kit, json("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'" + name + "'}}"));

    var deleted = run(kit, r -> new Delete("", 0, r));
    assertInstanceOf(ObjectEvent.Updated.class, deleted.event());
    ObjectNode terminating = done(deleted).object();
    assertTrue(terminating.path("metadata").has("deletionTimestamp"));
    assertEquals("Terminating", terminating.path("status").path("phase").asText());
    assertTrue(kit.getState().exists());

    ObjectNode finalized = terminating.deepCopy();
    ((ObjectNode) finalized.path("spec")).putArray("finalizers");
    var gone = run(kit, r -> new Replace(finalized, Part.MAIN, r));
    assertInstanceOf(ObjectEvent.Deleted.class, gone.event());
    refused(404, kit, Get::new);
  }

  // ---- recovery and the resourceVersion read-back

  @Test
  void restartRecoversStateAndTheSameResourceVersion() {
    String name = unique("web");
    var kit = entity(podKey(name));
    create(kit, pod(name));
    ObjectNode update = get(kit).object();
    Meta.metadata(update).putObject("labels").put("app", "v2");
    Done updated = done(run(kit, r -> new Replace(update, Part.MAIN, r)));

    var restarted = kit.restart();
    assertEquals(updated.object(), Meta.withResourceVersion(restarted.state().object(), rv(updated)));
    Done recovered = get(kit);
    assertEquals(updated.object(), recovered.object());
    assertTrue(versions.asked.size() >= 3, () -> "recovery relearns the version: " + versions.asked);

    // the conflict check uses the relearned version
    ObjectNode stale = updated.object().deepCopy();
    Meta.metadata(stale).put("resourceVersion", Long.toString(rv(updated) - 1));
    refused(409, kit, r -> new Replace(stale, Part.MAIN, r));
    ObjectNode current = updated.object().deepCopy();
    Meta.metadata(current).putObject("labels").put("app", "v3");
    assertTrue(rv(done(run(kit, r -> new Replace(current, Part.MAIN, r)))) > rv(updated));
  }

  @Test
  void restartAfterDeleteRecoversAbsent() {
    String name = unique("web");
    var kit = entity(podKey(name));
    create(kit, pod(name));
    done(run(kit, r -> new Delete("", 0, r)));
    assertEquals(ObjectState.ABSENT, kit.restart().state());
    refused(404, kit, Get::new);
    create(kit, pod(name));
  }

  @Test
  void commandsWaitWhileTheResourceVersionIsLookedUp() {
    String name = unique("web");
    ActorRef<ObjectCommand> entity = testKit.spawn(ObjectEntity.create(podKey(name), services));
    TestProbe<Reply> createProbe = testKit.createTestProbe();
    TestProbe<Reply> getProbe = testKit.createTestProbe();
    CompletableFuture<Void> gate = versions.hold();

    entity.tell(new Create(pod(name), createProbe.ref()));
    entity.tell(new Get(getProbe.ref()));
    createProbe.expectNoMessage(Duration.ofMillis(200));
    getProbe.expectNoMessage(Duration.ZERO);

    gate.complete(null);
    Done created = (Done) createProbe.expectMessageClass(Done.class);
    Done got = (Done) getProbe.expectMessageClass(Done.class);
    assertEquals(created.object(), got.object(), "the Get waited for the write's resourceVersion");
    testKit.stop(entity);
  }

  @Test
  void aFailedVersionLookupAnswersInternalErrorAndStopsTheEntity() {
    String name = unique("web");
    ActorRef<ObjectCommand> entity = testKit.spawn(ObjectEntity.create(podKey(name), services));
    TestProbe<Reply> probe = testKit.createTestProbe();
    versions.failWith = "database gone";
    entity.tell(new Create(pod(name), probe.ref()));
    Refused refused = probe.expectMessageClass(Refused.class);
    assertEquals(500, refused.status().code());
    assertTrue(refused.status().message().contains("database gone"), refused.status().message());
    probe.expectTerminated(entity);

    // a new incarnation recovers the stored object and relearns its version
    versions.failWith = null;
    ActorRef<ObjectCommand> again = testKit.spawn(ObjectEntity.create(podKey(name), services));
    again.tell(new Get(probe.ref()));
    Done done = probe.expectMessageClass(Done.class);
    assertEquals(Long.toString(versions.known.get("Pod|default/" + name + "#1")), Meta.resourceVersion(done.object()));
    testKit.stop(again);
  }
}
