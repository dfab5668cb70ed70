package io.steuermann.node.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.Engine;
import io.steuermann.engine.controllers.CacheWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.slf4j.LoggerFactory;

/**
 * This machine's ingress controller (the built-in one of IngressClass {@code steuermann}):
 * it observes Ingresses, IngressClasses, Services, Endpoints and Secrets through the local watch
 * cache, rebuilds the routing table ({@link IngressRoutes}) after changes (coalesced over
 * {@link #COALESCE}), and answers HTTP and HTTPS on the node's address with
 * {@link IngressForwarder}. The table is swapped whole, so a request sees one consistent view;
 * the TLS port chooses each handshake's certificate from it by SNI ({@link SniKeyManager}).
 */
public final class IngressProxy extends AbstractBehavior<IngressProxy.Command> {
  private static final Duration COALESCE = Duration.ofMillis(50);
  private static final List<Kind> WATCHED = List.of(Kind.INGRESS_CLASS, Kind.INGRESS, Kind.SERVICE, Kind.ENDPOINTS,
      Kind.SECRET);

  public sealed interface Command {}

  /** Unbinds both ports and stops. */
  public enum Stop implements Command { INSTANCE }

  /** Asks where the ports were bound (for tests that bind port 0). */
  public record GetBindings(ActorRef<Bindings> replyTo) implements Command {}

  /** The bound ports (empty when a port could not be bound). */
  public record Bindings(Optional<InetSocketAddress> http, Optional<InetSocketAddress> https) {}

  private record Observed(Kind kind, WatchEvent event) implements Command {}

  private record WatchEnded(Kind kind) implements Command {}

  private record Subscribe(Kind kind) implements Command {}

  private record Bound(boolean tls, ServerBinding binding, Throwable error) implements Command {}

  private record Rebind(boolean tls) implements Command {}

  private enum Rebuild implements Command { INSTANCE }

  /**
   * Starts this machine's ingress controller once the engine is ready, if
   * {@code steuermann.ingress.enabled}; the server calls it where the process runs nodes.
   */
  public static CompletionStage<Optional<ActorRef<Command>>> start(ActorSystem<?> system, Engine engine) {
    IngressSettings settings = IngressSettings.fromConfig(system.settings().config());
    if (!settings.enabled()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return engine.whenReady().thenApply(version -> {
      ActorRef<Command> proxy = system.systemActorOf(create(engine.controllers(), settings), "ingress-proxy",
          Props.empty());
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "ingress-unbind", () -> {
        proxy.tell(Stop.INSTANCE);
        return CompletableFuture.completedFuture(Done.getInstance());
      });
      return Optional.of(proxy);
    });
  }

  public static Behavior<Command> create(ControllerContext controllers, IngressSettings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new IngressProxy(context, timers, controllers, settings)));
  }

  private final TimerScheduler<Command> timers;
  private final ControllerContext controllers;
  private final IngressSettings settings;
  private final Map<Kind, Map<String, ObjectNode>> objects = new EnumMap<>(Kind.class);
  private final Map<Kind, UniqueKillSwitch> watches = new EnumMap<>(Kind.class);
  private final AtomicReference<IngressRoutes.Table> table = new AtomicReference<>(IngressRoutes.Table.empty());
  private final IngressForwarder forwarder;
  private final ServerSettings server;
  private final SSLContext tls;
  /** Failed binds in a row, per port (HTTP, HTTPS): a taken port is tried again, less and less often. */
  private final int[] bindFailures = new int[2];
  private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
  private List<String> reportedProblems = List.of();
  private volatile ServerBinding http;
  private volatile ServerBinding https;
  private boolean httpFailed;
  private boolean httpsFailed;
  private final List<ActorRef<Bindings>> waiting = new java.util.ArrayList<>();

  private IngressProxy(ActorContext<Command> context, TimerScheduler<Command> timers, ControllerContext controllers,
      IngressSettings settings) {
    super(context);
    this.timers = timers;
    this.controllers = controllers;
    this.settings = settings;
    ActorSystem<Void> system = context.getSystem();
    Config tuned = ConfigFactory.parseString("""
        pekko.http.server.request-timeout = %d ms
        pekko.http.server.idle-timeout = infinite
        pekko.http.server.parsing.max-content-length = infinite
        pekko.http.server.remote-address-attribute = on
        pekko.http.host-connection-pool.max-connections = %d
        pekko.http.host-connection-pool.max-open-requests = 1024
        pekko.http.host-connection-pool.response-entity-subscription-timeout = 10 s
        pekko.http.host-connection-pool.client.parsing.max-content-length = infinite
        pekko.http.host-connection-pool.client.idle-timeout = infinite
        """.formatted(settings.requestTimeout().toMillis(), settings.maxConnectionsPerEndpoint()))
        .withFallback(system.settings().config());
    this.forwarder = new IngressForwarder(system, table::get, ConnectionPoolSettings.create(tuned));
    WATCHED.forEach(k -> {
      objects.put(k, new HashMap<>());
      context.getSelf().tell(new Subscribe(k));
    });
    this.server = ServerSettings.create(tuned);
    SSLContext context0;
    try {
      context0 = SSLContext.getInstance("TLS");
      context0.init(new KeyManager[] {new SniKeyManager(table::get)}, null, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
    this.tls = context0;
    bind(false);
    bind(true);
  }

  /** Binds one of the two ports; the outcome comes back as {@link Bound}. */
  private void bind(boolean secure) {
    ActorRef<Command> self = getContext().getSelf();
    var builder = Http.get(getContext().getSystem())
        .newServerAt(settings.address(), secure ? settings.httpsPort() : settings.httpPort()).withSettings(server);
    if (secure) {
      builder = builder.enableHttps(ConnectionContext.httpsServer(() -> {
        SSLEngine engine = tls.createSSLEngine();
        engine.setUseClientMode(false);
        return engine;
      }));
    }
    builder.bind((org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>>)
            request -> forwarder.handle(request, secure,
                boundPort(secure ? https : http, secure ? settings.httpsPort() : settings.httpPort())))
        .whenComplete((b, e) -> {
          if (stopped.get() && b != null) {
            b.unbind(); // bound after the proxy stopped: nobody else would close it
          } else {
            self.tell(new Bound(secure, b, e));
          }
        });
  }

  private static int boundPort(ServerBinding binding, int configured) {
    return binding == null ? configured : binding.localAddress().getPort();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Subscribe.class, m -> {
          watches.put(m.kind(), CacheWatch.subscribe(controllers.cache(), controllers.materializer(),
              WatchFilter.of(m.kind(), ""), getContext().getSelf(), e -> new Observed(m.kind(), e),
              new WatchEnded(m.kind()), 100_000));
          return this;
        })
        .onMessage(Observed.class, m -> {
          String key = m.kind().namespaced() ? m.event().key().namespace() + "/" + m.event().key().name()
              : m.event().key().name();
          if (m.event().type() == WatchEvent.Type.DELETED) {
            objects.get(m.kind()).remove(key);
          } else {
            objects.get(m.kind()).put(key, m.event().object());
          }
          if (!timers.isTimerActive(Rebuild.INSTANCE)) {
            timers.startSingleTimer(Rebuild.INSTANCE, COALESCE);
          }
          return this;
        })
        .onMessage(WatchEnded.class, m -> {
          // the new watch lists everything again; until then the table keeps what it had
          watches.remove(m.kind());
          objects.get(m.kind()).clear();
          timers.startSingleTimer(m.kind(), new Subscribe(m.kind()), Duration.ofSeconds(1));
          return this;
        })
        .onMessageEquals(Rebuild.INSTANCE, () -> {
          rebuild();
          return this;
        })
        .onMessage(Bound.class, this::onBound)
        .onMessage(Rebind.class, m -> {
          bind(m.tls());
          return this;
        })
        .onMessage(GetBindings.class, m -> {
          waiting.add(m.replyTo());
          answerBindings();
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, () -> Behaviors.stopped())
        .onSignal(PostStop.class, s -> {
          stopped.set(true);
          if (CoordinatedShutdown.get(getContext().getSystem()).getShutdownReason().isEmpty()) {
            watches.values().forEach(UniqueKillSwitch::shutdown);
          }
          if (http != null) {
            http.unbind();
          }
          if (https != null) {
            https.unbind();
          }
          return this;
        })
        .build();
  }

  private void rebuild() {
    IngressRoutes.Table now = IngressRoutes.table(objects.get(Kind.INGRESS), objects.get(Kind.INGRESS_CLASS),
        objects.get(Kind.SERVICE), objects.get(Kind.ENDPOINTS), objects.get(Kind.SECRET));
    table.set(now);
    forwarder.tableChanged(now);
    now.problems().stream().filter(p -> !reportedProblems.contains(p))
        .forEach(p -> getContext().getLog().warn("Ingress controller: {}", p));
    reportedProblems = now.problems();
  }

  private Behavior<Command> onBound(Bound m) {
    String scheme = m.tls() ? "HTTPS" : "HTTP";
    if (m.error() != null) {
      int failures = ++bindFailures[m.tls() ? 1 : 0];
      Duration retry = Duration.ofSeconds(Math.min(60, 1L << Math.min(failures - 1, 6)));
      if (failures == 1 || failures % 10 == 0) {
        getContext().getLog().warn("Ingress controller: {} on {}:{} could not be bound ({}); trying again in {} s",
            scheme, settings.address(), m.tls() ? settings.httpsPort() : settings.httpPort(), m.error().getMessage(),
            retry.toSeconds());
      }
      timers.startSingleTimer(new Rebind(m.tls()), retry);
      if (m.tls()) {
        httpsFailed = true;
      } else {
        httpFailed = true;
      }
    } else {
      if (m.tls()) {
        https = m.binding();
      } else {
        http = m.binding();
      }
      LoggerFactory.getLogger(IngressProxy.class).info("Ingress controller: {} on {}", scheme,
          m.binding().localAddress());
    }
    answerBindings();
    return this;
  }

  private void answerBindings() {
    if ((http == null && !httpFailed) || (https == null && !httpsFailed)) {
      return;
    }
    Bindings bindings = new Bindings(Optional.ofNullable(http).map(ServerBinding::localAddress),
        Optional.ofNullable(https).map(ServerBinding::localAddress));
    waiting.forEach(r -> r.tell(bindings));
    waiting.clear();
  }
}
