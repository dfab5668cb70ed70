package io.steuermann.engine.watch;

/** A watch asked for history the cache no longer holds: Kubernetes' 410 Gone. */
public final class GoneException extends Exception {
  public GoneException(String message) {
    super(message);
  }
}
