package io.steuermann.http;

import io.steuermann.engine.model.ApiStatus;
import io.steuermann.http.fields.FieldValidation;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.Query;

/**
 * The write options of a request's query ({@code dryRun}, {@code fieldValidation}), checked
 * as kube-apiserver checks its {@code CreateOptions}/{@code UpdateOptions}/{@code PatchOptions}/
 * {@code DeleteOptions}: an unsupported value is a 422 naming the options kind and the field.
 */
record WriteOptions(boolean dryRun, FieldValidation validation) {

  /** The options, or the refusal to answer. */
  record Parsed(WriteOptions options, ApiStatus refusal) {}

  static Parsed parse(HttpMethod method, Query query) {
    return parse(optionsKind(method), query.getAll("dryRun"), query.get("fieldValidation").orElse(""));
  }

  static Parsed parse(String optionsKind, List<String> dryRun, String fieldValidation) {
    List<ApiStatus.Cause> causes = new ArrayList<>();
    for (String value : dryRun) {
      if (!value.equals("All")) {
        causes.add(notSupported("dryRun", goStrings(dryRun), "\"All\""));
        break;
      }
    }
    FieldValidation validation = FieldValidation.parse(fieldValidation);
    if (validation == null) {
      causes.add(notSupported("fieldValidation", "\"" + fieldValidation + "\"",
          "\"\", \"Ignore\", \"Strict\", \"Warn\""));
    }
    if (!causes.isEmpty()) {
      return new Parsed(null, invalid(optionsKind, causes));
    }
    return new Parsed(new WriteOptions(!dryRun.isEmpty(), validation), null);
  }

  static String optionsKind(HttpMethod method) {
    if (method.equals(HttpMethods.PUT)) {
      return "UpdateOptions";
    } else if (method.equals(HttpMethods.PATCH)) {
      return "PatchOptions";
    } else if (method.equals(HttpMethods.DELETE)) {
      return "DeleteOptions";
    }
    return "CreateOptions";
  }

  private static ApiStatus.Cause notSupported(String field, String value, String supported) {
    return new ApiStatus.Cause("FieldValueNotSupported",
        "Unsupported value: " + value + ": supported values: " + supported, field);
  }

  private static ApiStatus invalid(String kind, List<ApiStatus.Cause> causes) {
    StringBuilder message = new StringBuilder(kind).append(".meta.k8s.io \"\" is invalid: ");
    if (causes.size() > 1) {
      message.append('[');
    }
    for (int i = 0; i < causes.size(); i++) {
      message.append(i > 0 ? ", " : "").append(causes.get(i).field()).append(": ").append(causes.get(i).message());
    }
    if (causes.size() > 1) {
      message.append(']');
    }
    return new ApiStatus(422, "Invalid", message.toString(),
        new ApiStatus.Details("", "meta.k8s.io", kind, List.copyOf(causes)));
  }

  /** A value list as Go's {@code %#v} prints a {@code []string}, as kube-apiserver's message shows it. */
  private static String goStrings(List<String> values) {
    StringBuilder s = new StringBuilder("[]string{");
    for (int i = 0; i < values.size(); i++) {
      s.append(i > 0 ? ", " : "").append('"').append(values.get(i)).append('"');
    }
    return s.append('}').toString();
  }
}
