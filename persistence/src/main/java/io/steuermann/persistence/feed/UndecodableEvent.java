package io.steuermann.persistence.feed;

/**
 * Stands in for an event whose payload could not be deserialized (e.g. a class this version no
 * longer knows). It is delivered rather than dropped so the consumer sees that something
 * happened at that ordering and can decide, and so the feed does not stall on it forever.
 */
public record UndecodableEvent(int serializerId, String manifest, String error) {}
