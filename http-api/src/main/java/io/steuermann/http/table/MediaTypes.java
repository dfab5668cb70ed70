package io.steuermann.http.table;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the {@code Accept} header for the server-side printing (Table) request kubectl makes.
 *
 * <p>{@code kubectl get} (and {@code get -w}) sends
 * {@code application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json};
 * {@code -o yaml}/{@code -o json}, create and delete send plain {@code application/json}. Entries
 * are taken in the order given (kubectl sends no q-values). Only JSON is supported, so a protobuf
 * Table request ({@code application/vnd.kubernetes.protobuf;as=Table;...}) is not a Table request here.
 */
public final class MediaTypes {

  public static final String TABLE_V1 = "v1";
  public static final String TABLE_V1BETA1 = "v1beta1";
  public static final String META_GROUP = "meta.k8s.io";

  private MediaTypes() {}

  /**
   * The meta.k8s.io Table version the client asked for ({@code "v1"} or {@code "v1beta1"}), or
   * empty when the client wants the plain object or list.
   */
  public static Optional<String> tableVersion(String accept) {
    // most requests ask for plain JSON: answer them without parsing the header
    if (accept == null || !accept.contains("Table")) {
      return Optional.empty();
    }
    for (String entry : accept.split(",")) {
      String[] parts = entry.split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      if (!type.equals("application/json")) {
        continue;
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim();
        int eq = p.indexOf('=');
        if (eq > 0) {
          params.put(p.substring(0, eq).trim().toLowerCase(Locale.ROOT), unquote(p.substring(eq + 1).trim()));
        }
      }
      if (!"Table".equals(params.get("as")) || !META_GROUP.equals(params.get("g"))) {
        continue;
      }
      String v = params.get("v");
      if (TABLE_V1.equals(v) || TABLE_V1BETA1.equals(v)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  /** Whether the client asked for a Table. */
  public static boolean wantsTable(String accept) {
    return tableVersion(accept).isPresent();
  }

  /** The {@code apiVersion} of a Table in that version: {@code meta.k8s.io/v1}. */
  public static String tableApiVersion(String version) {
    return META_GROUP + "/" + version;
  }

  /**
   * The response {@code Content-Type} for a Table (list, single object, or watch stream), the form
   * kube-apiserver uses: {@code application/json;as=Table;v=v1;g=meta.k8s.io}. (kubectl 1.32 also
   * accepts a plain {@code application/json} here; it decodes by the body's kind.)
   */
  public static String tableContentType(String version) {
    return "application/json;as=Table;v=" + version + ";g=" + META_GROUP;
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
  }
}
