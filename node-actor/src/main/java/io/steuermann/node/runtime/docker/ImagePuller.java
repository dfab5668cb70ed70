package io.steuermann.node.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import io.steuermann.node.runtime.ContainerRuntime.Waiting;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code imagePullPolicy} as the kubelet applies it: {@code Never} uses what is there,
 * {@code IfNotPresent} pulls a missing image, {@code Always} pulls every time. A failure is
 * the container's {@code Waiting} state ({@code ErrImageNeverPull}, {@code ErrImagePull})
 * with the engine's or registry's words.
 */
final class ImagePuller {
  private final DockerClient docker;
  private final Duration timeout;
  /** Images seen present, with their ids: a pod start need not ask the engine again. */
  private final Map<String, String> known = new ConcurrentHashMap<>();

  ImagePuller(DockerClient docker, Duration timeout) {
    this.docker = docker;
    this.timeout = timeout;
  }

  /** Empty when the image is there to run; blocks for a pull. */
  Optional<Waiting> ensure(String image, String policy) {
    String effective = policy == null || policy.isEmpty() ? defaultPolicy(image) : policy;
    if (!effective.equals("Always") && present(image)) {
      return Optional.empty();
    }
    if (effective.equals("Never")) {
      return Optional.of(new Waiting("ErrImageNeverPull",
          "Container image \"" + image + "\" is not present with pull policy of Never"));
    }
    try {
      pull(image);
      known.remove(image);
      present(image);
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(new Waiting("ErrImagePull", "Failed to pull image \"" + image + "\": " + message(e)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(new Waiting("ErrImagePull", "Failed to pull image \"" + image + "\": interrupted"));
    }
  }

  /** Kubernetes' default: Always for {@code :latest} or no tag, else IfNotPresent. */
  static String defaultPolicy(String image) {
    Reference ref = Reference.parse(image);
    return ref.digest() || !ref.tag().equals("latest") ? "IfNotPresent" : "Always";
  }

  boolean present(String image) {
    if (known.containsKey(image)) {
      return true;
    }
    try {
      known.put(image, docker.inspectImageCmd(image).exec().getId());
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  /** The image's id ({@code sha256:...}) as last seen, or empty. */
  String imageId(String image) {
    return known.getOrDefault(image, "");
  }

  /** The engine said the image is not there (removed since): ask again next time. */
  void forget(String image) {
    known.remove(image);
  }

  private void pull(String image) throws InterruptedException {
    Reference ref = Reference.parse(image);
    var cmd = docker.pullImageCmd(ref.repository());
    if (!ref.digest()) {
      cmd.withTag(ref.tag()); // without a tag Docker would pull every tag of the repository
    }
    try (PullImageResultCallback callback = cmd.exec(new PullImageResultCallback())) {
      if (!callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("no answer from the registry within " + timeout.toSeconds() + " s");
      }
    } catch (java.io.IOException e) {
      // closing the finished callback
    }
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip();
  }

  /** {@code repository[:tag]} or {@code repository@digest}. */
  record Reference(String repository, String tag, boolean digest) {
    static Reference parse(String image) {
      if (image.contains("@")) {
        return new Reference(image, "", true);
      }
      int colon = image.lastIndexOf(':');
      if (colon > image.lastIndexOf('/')) {
        return new Reference(image.substring(0, colon), image.substring(colon + 1), false);
      }
      return new Reference(image, "latest", false);
    }
  }
}
