package io.steuermann.persistence.feed;

import com.typesafe.config.Config;
import java.time.Duration;

/** Timing and batch size of the change feed; see {@code steuermann.feed} in reference.conf. */
public record FeedSettings(
    Duration pollInterval,
    Duration gapPollInterval,
    Duration gapTimeout,
    int batchSize,
    Duration errorBackoffMin,
    Duration errorBackoffMax) {

  public FeedSettings {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch-size must be at least 1");
    }
  }

  public static FeedSettings fromConfig(Config root) {
    Config c = root.getConfig("steuermann.feed");
    return new FeedSettings(
        c.getDuration("poll-interval"),
        c.getDuration("gap-poll-interval"),
        c.getDuration("gap-timeout"),
        c.getInt("batch-size"),
        c.getDuration("error-backoff-min"),
        c.getDuration("error-backoff-max"));
  }

  public FeedSettings withPollInterval(Duration d) {
    return new FeedSettings(d, gapPollInterval, gapTimeout, batchSize, errorBackoffMin, errorBackoffMax);
  }

  public FeedSettings withGapTimeout(Duration d) {
    return new FeedSettings(pollInterval, gapPollInterval, d, batchSize, errorBackoffMin, errorBackoffMax);
  }

  public FeedSettings withBatchSize(int n) {
    return new FeedSettings(pollInterval, gapPollInterval, gapTimeout, n, errorBackoffMin, errorBackoffMax);
  }
}
