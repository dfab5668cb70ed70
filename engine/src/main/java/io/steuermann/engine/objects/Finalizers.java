package io.steuermann.engine.objects;

/** The finalizers Kubernetes' garbage collector uses for the deletion propagation policies. */
public final class Finalizers {
  /** The owner stays until its dependents are gone. */
  public static final String FOREGROUND = "foregroundDeletion";
  /** The owner stays until its dependents no longer name it as owner. */
  public static final String ORPHAN = "orphan";

  private Finalizers() {}
}
