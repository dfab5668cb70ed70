package io.steuermann.node.probe;

/** One probe attempt's outcome; {@code message} says why it failed (empty on success). */
public record ProbeResult(boolean success, String message) {
  public static ProbeResult ok() {
    return new ProbeResult(true, "");
  }

  public static ProbeResult failed(String message) {
    return new ProbeResult(false, message);
  }
}
