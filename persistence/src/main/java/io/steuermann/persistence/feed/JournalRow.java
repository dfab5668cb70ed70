package io.steuermann.persistence.feed;

/**
 * One event of the journal as the change feed delivers it.
 *
 * @param ordering the journal's global, commit-ordered number: the object's resourceVersion
 * @param event the deserialized event, or an {@link UndecodableEvent} if it cannot be read
 */
public record JournalRow(long ordering, String persistenceId, long sequenceNr, Object event) {}
