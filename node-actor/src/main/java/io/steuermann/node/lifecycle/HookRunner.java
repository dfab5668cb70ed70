package io.steuermann.node.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.node.probe.ProbeResult;
import io.steuermann.node.probe.ProbeRunner;
import io.steuermann.node.probe.ProbeSpec;
import io.steuermann.node.probe.ProbeTarget;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Runs a container's lifecycle hooks ({@code lifecycle.postStart}, {@code lifecycle.preStop})
 * as kubelet's handler runner does: {@code exec} inside the container and {@code httpGet}
 * through the probe machinery ({@link ProbeRunner}), {@code sleep} as a plain wait. Every run
 * completes within its timeout, never exceptionally.
 *
 * <p>Unlike a probe, an httpGet hook fails only when no answer comes: kubelet discards the
 * response and ignores its status code. A {@code tcpSocket} handler (kept in the API for old
 * manifests) is not run by kubelet either: it fails as an invalid handler.
 */
public final class HookRunner {
  public static final String POST_START = "postStart";
  public static final String PRE_STOP = "preStop";

  private static final String TIMED_OUT = "hook timed out after ";

  private final ProbeRunner probes;

  public HookRunner(ProbeRunner probes) {
    this.probes = probes;
  }

  /** The handler of {@code hook} in a container's Kubernetes JSON, if it declares one. */
  public static Optional<JsonNode> handler(JsonNode container, String hook) {
    JsonNode handler = container.path("lifecycle").path(hook);
    return handler.isObject() ? Optional.of(handler) : Optional.empty();
  }

  /** Runs {@code handler} against the container instance {@code target}, for at most {@code timeout}. */
  public CompletionStage<ProbeResult> run(JsonNode handler, ProbeTarget target, Duration timeout) {
    CompletableFuture<ProbeResult> result;
    if (handler.path("sleep").isObject()) {
      long seconds = Math.max(0, handler.path("sleep").path("seconds").asLong(0));
      Duration wait = Duration.ofSeconds(seconds).compareTo(timeout) < 0 ? Duration.ofSeconds(seconds) : timeout;
      result = CompletableFuture.supplyAsync(ProbeResult::ok,
          CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS));
    } else if (handler.path("exec").isObject() || handler.path("httpGet").isObject()) {
      // the handler has a probe's shape; read it as one, with the hook's timeout
      JsonNode holder = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
          .set("hook", handler.deepCopy());
      ProbeSpec read = ProbeSpec.of(holder, "hook").orElseThrow();
      // the probe's own timeout a little later than the hook's, so that a hook cut at its deadline says so
      ProbeSpec spec = new ProbeSpec(read.action(), Duration.ZERO, Duration.ofSeconds(1),
          timeout.plusSeconds(1), 1, 1, OptionalLong.empty());
      boolean http = handler.path("httpGet").isObject();
      result = probes.run(spec, target).toCompletableFuture()
          .thenApply(r -> http && !r.success() && r.message().startsWith("HTTP probe failed with statuscode")
              ? ProbeResult.ok() : r);
    } else {
      result = CompletableFuture.completedFuture(ProbeResult.failed("invalid handler: " + handler));
    }
    return result.completeOnTimeout(ProbeResult.failed(TIMED_OUT + timeout.toSeconds() + "s"),
        timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Whether the hook was cut at its deadline: for preStop that is the grace period ending, which
   * kubelet only logs ("PreStop hook not completed in grace period"), with no FailedPreStopHook event.
   */
  public static boolean timedOut(ProbeResult result) {
    return !result.success() && result.message().startsWith(TIMED_OUT);
  }
}
