package io.steuermann.engine.scheduling;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * Kubernetes resource quantities ({@code "100m"}, {@code "0.5"}, {@code "128Mi"}, {@code "1G"},
 * {@code "1e3"}) converted to the integer units the scheduler counts in: milli-cpu and bytes.
 *
 * <p>Like Kubernetes' {@code Quantity.MilliValue()} and {@code Value()}, fractions of the target
 * unit round up (away from zero), so {@code "0.1m"} of cpu is 1 milli-cpu and {@code "0.5"} bytes
 * is 1 byte: a request never rounds down to "free".
 */
public final class Quantity {
  private Quantity() {}

  // Binary (power of 1024) and decimal (power of 1000) suffixes, exactly Kubernetes' set.
  private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
      Map.entry("", BigDecimal.ONE),
      Map.entry("n", new BigDecimal("1e-9")),
      Map.entry("u", new BigDecimal("1e-6")),
      Map.entry("m", new BigDecimal("1e-3")),
      Map.entry("k", new BigDecimal("1e3")),
      Map.entry("M", new BigDecimal("1e6")),
      Map.entry("G", new BigDecimal("1e9")),
      Map.entry("T", new BigDecimal("1e12")),
      Map.entry("P", new BigDecimal("1e15")),
      Map.entry("E", new BigDecimal("1e18")),
      Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
      Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
      Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
      Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
      Map.entry("Pi", BigDecimal.valueOf(1L << 50)),
      Map.entry("Ei", BigDecimal.valueOf(1L << 60)));

  /** The quantity in milli-units, e.g. cpu {@code "100m"} -> 100, {@code "2"} -> 2000. */
  public static long milliCpu(String quantity) {
    return toLong(parse(quantity).movePointRight(3), quantity);
  }

  /** The quantity in base units, e.g. memory {@code "1Ki"} -> 1024, {@code "1k"} -> 1000. */
  public static long bytes(String quantity) {
    return toLong(parse(quantity), quantity);
  }

  /**
   * The exact value of a quantity in base units.
   *
   * @throws IllegalArgumentException if the text is not a Kubernetes quantity
   */
  public static BigDecimal parse(String quantity) {
    if (quantity == null) {
      throw new IllegalArgumentException("quantity must not be null");
    }
    String s = quantity.trim();
    int i = 0;
    int n = s.length();
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    int digits = 0;
    while (i < n && Character.isDigit(s.charAt(i))) {
      i++;
      digits++;
    }
    if (i < n && s.charAt(i) == '.') {
      i++;
      while (i < n && Character.isDigit(s.charAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      throw invalid(quantity);
    }
    BigDecimal number;
    try {
      number = new BigDecimal(s.substring(0, i));
    } catch (NumberFormatException e) {
      throw invalid(quantity);
    }
    String suffix = s.substring(i);
    BigDecimal multiplier = SUFFIXES.get(suffix);
    if (multiplier == null) {
      multiplier = decimalExponent(suffix, quantity);
    }
    return number.multiply(multiplier);
  }

  // "e3", "E-2", "e+6": a decimal exponent; Kubernetes accepts an optional sign after the e.
  private static BigDecimal decimalExponent(String suffix, String quantity) {
    if (suffix.length() < 2 || (suffix.charAt(0) != 'e' && suffix.charAt(0) != 'E')) {
      throw invalid(quantity);
    }
    String exp = suffix.substring(1);
    int start = exp.charAt(0) == '+' || exp.charAt(0) == '-' ? 1 : 0;
    if (start == exp.length() || !exp.substring(start).chars().allMatch(Character::isDigit)
        || exp.length() - start > 3) {
      throw invalid(quantity);
    }
    return BigDecimal.ONE.scaleByPowerOfTen(Integer.parseInt(exp));
  }

  private static long toLong(BigDecimal value, String quantity) {
    BigDecimal rounded = value.setScale(0, RoundingMode.UP);
    try {
      return rounded.longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("quantity out of range: \"" + quantity + "\"");
    }
  }

  private static IllegalArgumentException invalid(String quantity) {
    return new IllegalArgumentException("quantities must match the regular expression "
        + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': \"" + quantity + "\"");
  }
}
