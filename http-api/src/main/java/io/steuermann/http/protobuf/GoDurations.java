package io.steuermann.http.protobuf;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go's {@code time.Duration} text form, which is how {@code metav1.Duration} appears in JSON. */
final class GoDurations {
  private static final Pattern PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)");

  private GoDurations() {}

  /** As Go's {@code Duration.String}: {@code 1h0m0s}, {@code 1m30s}, {@code 1.5s}, {@code 20ms}. */
  static String format(long nanos) {
    if (nanos == 0) {
      return "0s";
    }
    String sign = nanos < 0 ? "-" : "";
    BigDecimal u = BigDecimal.valueOf(nanos).abs();
    BigDecimal second = BigDecimal.valueOf(1_000_000_000L);
    if (u.compareTo(second) < 0) {
      if (u.compareTo(BigDecimal.valueOf(1000)) < 0) {
        return sign + u.toPlainString() + "ns";
      }
      boolean micros = u.compareTo(BigDecimal.valueOf(1_000_000)) < 0;
      BigDecimal scaled = u.divide(BigDecimal.valueOf(micros ? 1000 : 1_000_000));
      return sign + plain(scaled) + (micros ? "\u00b5s" : "ms");
    }
    BigDecimal[] split = u.divideAndRemainder(second);
    long secs = split[0].longValueExact();
    BigDecimal seconds = BigDecimal.valueOf(secs % 60).add(split[1].divide(second));
    long minutes = (secs / 60) % 60;
    long hours = secs / 3600;
    StringBuilder out = new StringBuilder(sign);
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    return out.append(plain(seconds)).append('s').toString();
  }

  /** Go's {@code time.ParseDuration}; throws {@link IllegalArgumentException} for bad text. */
  static long parse(String text) {
    String s = text;
    int sign = 1;
    if (s.startsWith("-") || s.startsWith("+")) {
      sign = s.startsWith("-") ? -1 : 1;
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return 0;
    }
    Matcher m = PART.matcher(s);
    int at = 0;
    BigDecimal total = BigDecimal.ZERO;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at || m.group(1).isEmpty() || m.group(1).equals(".")) {
        throw new IllegalArgumentException("not a duration: \"" + text + "\"");
      }
      total = total.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit(m.group(2)))));
      at = m.end();
    }
    if (at == 0) {
      throw new IllegalArgumentException("not a duration: \"" + text + "\"");
    }
    return sign * total.longValue();
  }

  private static long unit(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      default -> 1000L;
    };
  }

  private static String plain(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    return stripped.scale() < 0 ? stripped.setScale(0).toPlainString() : stripped.toPlainString();
  }
}
