package io.steuermann.engine.controllers.logic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/** Compact builders for tests; JSON may use single quotes. */
final class TestObjects {
  private TestObjects() {}

  static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

  static ObjectNode json(String text) {
    try {
      return (ObjectNode) Json.parse(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }
}
