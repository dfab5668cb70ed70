package io.steuermann.engine.selector;

/**
 * A label or field selector is syntactically invalid or uses an invalid key, value or field.
 * Unchecked: selectors come from request parameters and are turned into 400 responses by the
 * caller; the message follows Kubernetes' wording and is meant for the client.
 */
public final class SelectorException extends RuntimeException {

    public SelectorException(String message) {
        super(message);
    }
}
