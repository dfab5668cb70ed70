package io.steuermann.engine.patch;

/**
 * A patch could not be applied, or the patch document itself is malformed.
 *
 * <p>Unchecked because callers (HTTP handlers) translate it straight into a 422/400 response and
 * there is nothing to recover locally. The message is meant to be shown to the client verbatim.
 */
public final class PatchException extends RuntimeException {

    public PatchException(String message) {
        super(message);
    }
}
