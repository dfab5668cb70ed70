package io.steuermann.persistence;

/**
 * Marker for every message, event and snapshot that crosses the wire or enters the journal.
 * It is bound to Pekko's Jackson CBOR serializer in this module's {@code reference.conf},
 * so that no class needs its own serializer and nothing falls back to Java serialization.
 */
public interface CborSerializable {}
