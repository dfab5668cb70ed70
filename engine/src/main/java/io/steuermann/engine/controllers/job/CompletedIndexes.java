package io.steuermann.engine.controllers.job;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code status.completedIndexes} of an Indexed Job: the completed indexes in Kubernetes'
 * compressed text, ascending and comma-separated, runs of three or more written as intervals
 * and pairs as two numbers ({@code "0,1,3-5,7"}), as Kubernetes' controller writes it.
 */
public final class CompletedIndexes {
  private CompletedIndexes() {}

  /** Parses the text form; entries that do not parse, or lie outside [0, completions), are dropped. */
  public static TreeSet<Integer> parse(String text, int completions) {
    TreeSet<Integer> out = new TreeSet<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String part : text.split(",")) {
      String p = part.trim();
      try {
        int dash = p.indexOf('-');
        int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
        int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
        for (int i = Math.max(0, from); i <= to && i < completions; i++) {
          out.add(i);
        }
      } catch (NumberFormatException e) {
        // a hand-written status we cannot read counts nothing
      }
    }
    return out;
  }

  /** The text form: {@code 0-2,4}. */
  public static String format(TreeSet<Integer> indexes) {
    List<String> parts = new ArrayList<>();
    Integer start = null;
    Integer last = null;
    for (int i : indexes) {
      if (start == null) {
        start = i;
      } else if (i != last + 1) {
        parts.add(range(start, last));
        start = i;
      }
      last = i;
    }
    if (start != null) {
      parts.add(range(start, last));
    }
    return String.join(",", parts);
  }

  private static String range(int from, int to) {
    if (from == to) {
      return Integer.toString(from);
    }
    return to == from + 1 ? from + "," + to : from + "-" + to;
  }
}
