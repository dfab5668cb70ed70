package io.steuermann.persistence.journal;

/**
 * One journal row as pekko-persistence-jdbc's 1.x schema stores it, serialized, before it has an
 * ordering. Metadata columns are null when the event has none.
 */
record JournalRowData(
    String persistenceId,
    long sequenceNr,
    boolean deleted,
    String writer,
    long writeTimestamp,
    String adapterManifest,
    byte[] payload,
    int serializerId,
    String serializerManifest,
    byte[] metaPayload,
    Integer metaSerializerId,
    String metaSerializerManifest) {}
