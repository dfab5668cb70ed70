package io.steuermann.http.protobuf;

import java.util.Locale;

/**
 * The media type an {@code Accept} header prefers: the highest {@code q}, the first listed
 * among equals, as kube-apiserver's negotiation picks. client-go sends
 * {@code application/vnd.kubernetes.protobuf, application/json} or {@code ..., *}{@code /*}.
 */
public final class AcceptHeader {
  private AcceptHeader() {}

  /** Whether the preferred type of {@code accept} is Kubernetes protobuf. */
  public static boolean prefersProtobuf(String accept) {
    if (accept == null || accept.isBlank()) {
      return false;
    }
    String best = null;
    double bestQ = -1;
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      double q = 1;
      boolean table = false;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim();
        if (p.startsWith("q=")) {
          try {
            q = Double.parseDouble(p.substring(2));
          } catch (NumberFormatException e) {
            q = 0;
          }
        } else if (p.startsWith("as=")) {
          table = true;
        }
      }
      // a protobuf Table or other transformed view is not something we encode; skip that range
      if (q > bestQ && !(table && type.equals(KubernetesProtobuf.MEDIA_TYPE))) {
        best = type;
        bestQ = q;
      }
    }
    return KubernetesProtobuf.MEDIA_TYPE.equals(best) && bestQ > 0;
  }

  /** Whether {@code accept} admits JSON at all ({@code application/json}, {@code application/*} or {@code *}{@code /*}). */
  public static boolean acceptsJson(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      boolean refused = false;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim().replace(" ", "");
        refused |= p.equals("q=0") || p.equals("q=0.0") || p.equals("q=0.00") || p.equals("q=0.000");
      }
      if (!refused && (type.equals("application/json") || type.equals("application/*") || type.equals("*/*"))) {
        return true;
      }
    }
    return false;
  }
}
