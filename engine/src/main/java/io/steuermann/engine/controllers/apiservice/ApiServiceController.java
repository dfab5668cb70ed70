package io.steuermann.engine.controllers.apiservice;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.cluster.ApiEndpointRole;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.network.ClusterNetwork;
import io.steuermann.engine.objects.ObjectCommand;
import java.time.Duration;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-apiserver's "kubernetes" Service: {@code default/kubernetes} with the first clusterIP of
 * the range and port 443 ({@code https}), and Endpoints that list every API server — every Up,
 * reachable member with an {@link ApiEndpointRole}. In-cluster clients find the API through it
 * ({@code KUBERNETES_SERVICE_HOST}, {@code kubernetes.default.svc}). The Endpoints are level-
 * reconciled every {@code interval} from the membership, so a member that goes or becomes
 * unreachable leaves them within one interval. Run as a cluster singleton.
 */
public final class ApiServiceController extends AbstractBehavior<ApiServiceController.Command> {
  private static final Logger log = LoggerFactory.getLogger(ApiServiceController.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  public static final ObjectKey SERVICE = ObjectKey.of(Kind.SERVICE, "default", "kubernetes");
  public static final ObjectKey ENDPOINTS = ObjectKey.of(Kind.ENDPOINTS, "default", "kubernetes");
  public static final String PORT_NAME = "https";
  public static final int SERVICE_PORT = 443;

  /** The messages of the controller; only {@link Stop} is meant for others. */
  public interface Command {}

  /** Stops the controller (the stop message for a cluster singleton). */
  public enum Stop implements Command { INSTANCE }

  private enum Reconcile implements Command { INSTANCE }

  private enum Started implements Command { INSTANCE }

  private record WriteDone(String what, ObjectCommand.Reply reply, Throwable error) implements Command {}

  public static Behavior<Command> create(ControllerContext ctx, ClusterNetwork network, Duration interval) {
    return Behaviors.setup(actor -> Behaviors.withTimers(timers -> {
      actor.pipeToSelf(ctx.ready(), (v, e) -> Started.INSTANCE);
      return new ApiServiceController(actor, ctx, network, timers, interval);
    }));
  }

  private final ControllerContext ctx;
  private final ClusterNetwork network;
  private final org.apache.pekko.actor.typed.javadsl.TimerScheduler<Command> timers;
  private final Duration interval;
  private boolean writing;

  private ApiServiceController(ActorContext<Command> context, ControllerContext ctx, ClusterNetwork network,
      org.apache.pekko.actor.typed.javadsl.TimerScheduler<Command> timers, Duration interval) {
    super(context);
    this.ctx = ctx;
    this.network = network;
    this.timers = timers;
    this.interval = interval;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Started.INSTANCE, () -> {
          timers.startTimerWithFixedDelay(Reconcile.INSTANCE, interval);
          reconcile();
          return this;
        })
        .onMessageEquals(Reconcile.INSTANCE, () -> {
          reconcile();
          return this;
        })
        .onMessage(WriteDone.class, m -> {
          writing = false;
          if (!(m.reply() instanceof ObjectCommand.Done)) {
            log.warn("The kubernetes Service: {} failed ({}); trying again", m.what(),
                m.error() != null ? m.error().toString() : m.reply());
          }
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .build();
  }

  private void reconcile() {
    if (writing) {
      return;
    }
    ObjectNode service = ctx.cache().get(SERVICE);
    TreeMap<Integer, Set<String>> servers = apiServers();
    if (service == null) {
      if (!servers.isEmpty()) {
        write("creating default/kubernetes", ctx.store().create(service(servers.firstKey())));
      }
      return;
    }
    ObjectNode desired = endpoints(servers);
    ObjectNode current = ctx.cache().get(ENDPOINTS);
    if (current == null) {
      write("creating its Endpoints", ctx.store().create(desired));
    } else if (!current.path("subsets").equals(desired.path("subsets"))) {
      desired.with("metadata").put("resourceVersion", Meta.resourceVersion(current));
      write("updating its Endpoints", ctx.store().replace(ENDPOINTS, desired, ObjectCommand.Part.MAIN));
    }
  }

  private void write(String what, CompletionStage<ObjectCommand.Reply> call) {
    writing = true;
    getContext().pipeToSelf(call, (reply, error) -> new WriteDone(what, reply, error));
  }

  /** The API servers' addresses by port: Up, reachable members that serve the API. */
  private TreeMap<Integer, Set<String>> apiServers() {
    Cluster cluster = Cluster.get(getContext().getSystem());
    Set<Member> unreachable = cluster.state().getUnreachable();
    TreeMap<Integer, Set<String>> byPort = new TreeMap<>();
    for (Member member : cluster.state().getMembers()) {
      if (member.status() != MemberStatus.up() || unreachable.contains(member)) {
        continue;
      }
      for (String role : member.getRoles()) {
        ApiEndpointRole.parse(role).ifPresent(api -> byPort.computeIfAbsent(api.port(), p -> new TreeSet<>())
            .add(api.ip()));
      }
    }
    return byPort;
  }

  private ObjectNode service(int targetPort) {
    ObjectNode service = JSON.objectNode();
    service.put("apiVersion", "v1").put("kind", "Service");
    ObjectNode meta = service.putObject("metadata");
    meta.put("name", SERVICE.name()).put("namespace", SERVICE.namespace());
    meta.putObject("labels").put("component", "apiserver").put("provider", "kubernetes");
    ObjectNode spec = service.putObject("spec");
    spec.put("type", "ClusterIP").put("clusterIP", network.apiServiceIp()).put("sessionAffinity", "None");
    spec.putArray("ports").addObject().put("name", PORT_NAME).put("protocol", "TCP").put("port", SERVICE_PORT)
        .put("targetPort", targetPort);
    return service;
  }

  private static ObjectNode endpoints(TreeMap<Integer, Set<String>> servers) {
    ObjectNode endpoints = JSON.objectNode();
    endpoints.put("apiVersion", "v1").put("kind", "Endpoints");
    ObjectNode meta = endpoints.putObject("metadata");
    meta.put("name", ENDPOINTS.name()).put("namespace", ENDPOINTS.namespace());
    meta.putObject("labels").put("endpointslice.kubernetes.io/skip-mirror", "true");
    ArrayNode subsets = endpoints.putArray("subsets");
    servers.forEach((port, ips) -> {
      ObjectNode subset = subsets.addObject();
      ArrayNode addresses = subset.putArray("addresses");
      ips.forEach(ip -> addresses.addObject().put("ip", ip));
      subset.putArray("ports").addObject().put("name", PORT_NAME).put("port", port).put("protocol", "TCP");
    });
    return endpoints;
  }
}
