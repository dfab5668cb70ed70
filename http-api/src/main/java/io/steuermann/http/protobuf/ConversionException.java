package io.steuermann.http.protobuf;

/** A body that cannot be converted between protobuf and JSON; its message names the field. */
public final class ConversionException extends RuntimeException {
  public ConversionException(String message) {
    super(message);
  }
}
