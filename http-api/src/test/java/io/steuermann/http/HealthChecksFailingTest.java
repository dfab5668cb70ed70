package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Query;
import org.junit.jupiter.api.Test;

/** What the health endpoints answer while the store replays and while the server drains. */
class HealthChecksFailingTest {
  private static String body(HttpResponse response) {
    return ((org.apache.pekko.http.scaladsl.model.HttpEntity.Strict) response.entity()).getData().utf8String();
  }

  @Test
  void aReplayingStoreFailsReadyzAndHealthzButNotLivez() {
    AtomicBoolean ready = new AtomicBoolean(false);
    HealthChecks checks = new HealthChecks(ready::get, () -> false);
    HttpResponse readyz = checks.answer("/readyz", Query.EMPTY).orElseThrow();
    assertEquals(500, readyz.status().intValue());
    assertEquals("[+]ping ok\n[-]store failed: reason withheld\n[+]shutdown ok\nreadyz check failed\n", body(readyz));
    assertEquals(500, checks.answer("/healthz", Query.EMPTY).orElseThrow().status().intValue());
    assertEquals("internal server error: the journal is still being replayed into the watch cache",
        body(checks.answer("/readyz/store", Query.EMPTY).orElseThrow()));
    assertEquals(200, checks.answer("/livez", Query.EMPTY).orElseThrow().status().intValue());
    ready.set(true);
    assertEquals("ok", body(checks.answer("/readyz", Query.EMPTY).orElseThrow()));
  }

  @Test
  void aDrainingServerFailsOnlyReadyz() {
    HealthChecks checks = new HealthChecks(() -> true, () -> true);
    assertEquals("[+]ping ok\n[+]store ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n",
        body(checks.answer("/readyz", Query.EMPTY).orElseThrow()));
    assertEquals(200, checks.answer("/healthz", Query.EMPTY).orElseThrow().status().intValue());
    assertEquals(true, checks.answer("/metrics", Query.EMPTY).isEmpty());
  }
}
