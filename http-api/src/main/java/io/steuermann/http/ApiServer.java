package io.steuermann.http;

import com.typesafe.config.Config;
import io.steuermann.engine.Engine;
import io.steuermann.http.fields.FieldChecks;
import io.steuermann.engine.schema.KindSchemas;
import io.steuermann.http.protobuf.KubernetesProtobuf;
import io.steuermann.http.protobuf.ProtobufResponses;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the API and ties it to coordinated shutdown: on SIGTERM the port stops accepting,
 * requests in flight get a grace period to finish, then the actor system stops.
 */
public final class ApiServer {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  private ApiServer() {}

  /** The API of a process that runs no node: pod logs are answered 503. */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, Engine engine) {
    return start(system, engine, PodLogs.NodeRuntimes.NONE);
  }

  /** The API; {@code nodes} are the container runtimes of this process's nodes (for pod logs, exec and attach). */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, Engine engine,
      PodLogs.NodeRuntimes nodes) {
    Config config = system.settings().config().getConfig("steuermann.api");
    String host = config.getString("bind-address");
    int port = config.getInt("port");
    Materializer materializer = Materializer.createMaterializer(system);
    Tables tables = new Tables(io.steuermann.http.table.TableConverter.systemUtc());
    Responses responses = new Responses(tables);
    KubernetesProtobuf protobuf = new KubernetesProtobuf();
    WatchStreams watches = new WatchStreams(engine.cache(), tables,
        config.getInt("watch-buffer"), config.getDuration("sse-heartbeat"));
    RequestBodies bodies = new RequestBodies(config.getBytes("max-body-size"),
        config.getDuration("body-timeout").toMillis(), materializer, system.executionContext(), protobuf);
    WriteLimiter writes = new WriteLimiter(config.getInt("max-writes-in-flight"),
        config.getInt("max-writes-in-flight-per-object"));
    FieldChecks fields = new FieldChecks(KindSchemas.fromClasspath());
    // the schemas take a moment to build: better now, beside the start, than in the first write
    java.util.concurrent.CompletableFuture.runAsync(fields::warmUp,
        system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()));
    ResourceHandler resources = new ResourceHandler(engine, bodies, writes, responses, watches, fields);
    NodeForwarding forwarding = new NodeForwarding(system, engine.cache(), materializer);
    PodLogs logs = new PodLogs(engine.store(), nodes, forwarding, materializer, java.time.Clock.systemUTC());
    PodStreams streams = new PodStreams(engine.store(), nodes, forwarding, materializer,
        system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()));
    PodPortForward portForward = new PodPortForward(engine.store(), nodes, forwarding, system, materializer);
    // watches that asked for bookmarks learn now and then how far they are (client-go's reflectors ask)
    Duration bookmarks = config.getDuration("watch-bookmark-interval");
    system.scheduler().scheduleAtFixedRate(bookmarks, bookmarks, engine.cache()::bookmark, system.executionContext());
    MetricsApi metrics = new MetricsApi(system, engine.cache(), nodes, forwarding, materializer);
    io.steuermann.http.observe.ServerMetrics serverMetrics = new io.steuermann.http.observe.ServerMetrics();
    serverMetrics.publish(engine.meters());
    serverMetrics.gauge("apiserver.registered.watchers", "Watches open on this server's cache",
        engine.cache()::watcherCount);
    serverMetrics.gauge("apiserver.current.inflight.writes", "Writes in flight on this server", writes::inFlight);
    serverMetrics.gauge("steuermann.watch.cache.resource.version", "The newest journal ordering in this server's cache",
        engine.cache()::resourceVersion);
    ApiRoutes routes = new ApiRoutes(engine, resources, logs, streams, portForward, metrics, serverMetrics, watches, responses,
        new ProtobufResponses(protobuf), io.steuermann.http.discovery.OpenApiDocuments.fromClasspath(),
        host + ":" + port);
    Duration drain = config.getDuration("shutdown-drain");

    return Http.get(system).newServerAt(host, port)
        .bind(routes::handle)
        .whenComplete((binding, error) -> {
          if (error != null) {
            io.steuermann.engine.cluster.ShutdownReasons.startFailed(system,
                "the API cannot listen on " + host + ":" + port + ": ", error);
            return;
          }
          log.info("Steuermann API listening on http://{}:{}/", host, port);
          binding.addToCoordinatedShutdown(drain, system);
          CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(),
              "log-unbind", () -> {
                log.info("Shutting down: the API stops accepting connections");
                return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
              });
        });
  }
}
