package io.steuermann.bench;

import java.util.Arrays;

/**
 * Latencies in nanoseconds, recorded by one thread each and merged afterwards, so recording
 * costs an array store and no lock. Bounded: beyond {@code MAX} samples further ones are
 * counted but not kept.
 */
final class Latencies {
  private static final int MAX = 2_000_000;
  private long[] samples = new long[1024];
  private int size;
  private long dropped;

  void record(long nanos) {
    if (size == samples.length) {
      if (size >= MAX) {
        dropped++;
        return;
      }
      samples = Arrays.copyOf(samples, Math.min(MAX, size * 2));
    }
    samples[size++] = nanos;
  }

  int count() {
    return size;
  }

  static Latencies merge(Iterable<Latencies> parts) {
    Latencies all = new Latencies();
    for (Latencies p : parts) {
      for (int i = 0; i < p.size; i++) {
        all.record(p.samples[i]);
      }
      all.dropped += p.dropped;
    }
    Arrays.sort(all.samples, 0, all.size);
    return all;
  }

  /** Percentile in milliseconds of a merged (sorted) set; NaN when empty. */
  double percentileMillis(double p) {
    if (size == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100.0 * size) - 1;
    return samples[Math.max(0, Math.min(size - 1, index))] / 1e6;
  }

  double maxMillis() {
    return size == 0 ? Double.NaN : samples[size - 1] / 1e6;
  }
}
