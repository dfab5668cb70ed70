package io.steuermann.node.probe;

/** The three probes of a container, named as Kubernetes names them in events. */
public enum ProbeType {
  STARTUP("Startup"),
  LIVENESS("Liveness"),
  READINESS("Readiness");

  private final String title;

  ProbeType(String title) {
    this.title = title;
  }

  /** {@code Liveness}, as in "Liveness probe failed: ...". */
  public String title() {
    return title;
  }
}
