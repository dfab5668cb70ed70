package io.steuermann.persistence;

import io.steuermann.persistence.feed.JournalRow;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A change-feed consumer that keeps what it got and notices overlapping calls. */
final class FeedCollector implements Consumer<List<JournalRow>> {

  final List<JournalRow> rows = new CopyOnWriteArrayList<>();
  final AtomicBoolean calledConcurrently = new AtomicBoolean();
  final AtomicInteger batches = new AtomicInteger();
  private final AtomicInteger inside = new AtomicInteger();

  @Override
  public void accept(List<JournalRow> batch) {
    if (inside.getAndIncrement() != 0) {
      calledConcurrently.set(true);
    }
    rows.addAll(batch);
    batches.incrementAndGet();
    inside.decrementAndGet();
  }

  int size() {
    return rows.size();
  }

  long[] orderings() {
    return rows.stream().mapToLong(JournalRow::ordering).toArray();
  }
}
