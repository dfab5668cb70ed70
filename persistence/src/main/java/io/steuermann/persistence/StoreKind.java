package io.steuermann.persistence;

/** The databases the journal can live in. */
public enum StoreKind {
  /** Embedded, file-based: one machine, the default that needs no configuration. */
  H2,
  /** Shared by several machines of one cluster. */
  POSTGRES
}
