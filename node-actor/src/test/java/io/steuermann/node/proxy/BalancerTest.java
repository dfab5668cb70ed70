package io.steuermann.node.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BalancerTest {
  private static final long SECOND = 1_000_000_000L;
  private static final Backend A = new Backend("127.0.0.1", 1001);
  private static final Backend B = new Backend("127.0.0.1", 1002);
  private static final Backend C = new Backend("127.0.0.1", 1003);

  @Test
  void roundRobinStartsAtTheNextBackendForEachConnection() {
    Balancer balancer = new Balancer(List.of(A, B, C), 0);
    List<Backend> firsts = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      firsts.add(balancer.candidates("10.0.0.1", 0, 1).get(0));
    }
    assertEquals(List.of(A, B, C, A, B, C), firsts);
  }

  @Test
  void candidatesAreDistinctAndBoundedForFailover() {
    Balancer balancer = new Balancer(List.of(A, B, C), 0);
    assertEquals(List.of(A, B, C), balancer.candidates("c", 0, 5));
    assertEquals(List.of(B, C), balancer.candidates("c", 0, 2));
    assertEquals(List.of(), new Balancer(List.of(), 0).candidates("c", 0, 3));
  }

  @Test
  void updateReplacesTheBackendsAtOnce() {
    Balancer balancer = new Balancer(List.of(A, B), 0);
    balancer.update(List.of(C), 0);
    for (int i = 0; i < 3; i++) {
      assertEquals(List.of(C), balancer.candidates("c", 0, 3));
    }
  }

  @Test
  void clientIpAffinityKeepsAClientOnItsBackendUntilTheTimeout() {
    Balancer balancer = new Balancer(List.of(A, B, C), 10);
    Backend first = balancer.candidates("10.0.0.1", 0, 1).get(0);
    balancer.connected("10.0.0.1", first, 0);
    for (int i = 1; i <= 5; i++) {
      List<Backend> candidates = balancer.candidates("10.0.0.1", i * SECOND, 3);
      assertEquals(first, candidates.get(0));
      assertEquals(3, candidates.size(), "the others stay as failover candidates");
      balancer.connected("10.0.0.1", first, i * SECOND);
    }
    // the timeout counts from the last use: 5 s + 10 s is still inside, 5 s + 11 s is not
    assertEquals(first, balancer.candidates("10.0.0.1", 15 * SECOND, 1).get(0));
    List<Backend> after = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      after.add(balancer.candidates("10.0.0.1", 16 * SECOND + i, 1).get(0));
    }
    assertTrue(after.stream().distinct().count() > 1, "expired affinity round-robins again: " + after);
  }

  @Test
  void affinityToABackendThatLeftIsForgotten() {
    Balancer balancer = new Balancer(List.of(A, B), 3600);
    balancer.connected("10.0.0.1", A, 0);
    balancer.update(List.of(B, C), 3600);
    assertTrue(!balancer.candidates("10.0.0.1", SECOND, 3).contains(A));
  }

  @Test
  void otherClientsAreNotStuckToSomeoneElsesBackend() {
    Balancer balancer = new Balancer(List.of(A, B), 3600);
    balancer.connected("10.0.0.1", A, 0);
    List<Backend> others = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      others.add(balancer.candidates("10.0.0." + (i + 2), SECOND, 1).get(0));
    }
    assertEquals(2, others.stream().distinct().count());
  }

  @Test
  void switchingAffinityOffClearsTheTable() {
    Balancer balancer = new Balancer(List.of(A, B), 3600);
    balancer.connected("10.0.0.1", A, 0);
    assertEquals(1, balancer.affinityEntries());
    balancer.update(List.of(A, B), 0);
    assertEquals(0, balancer.affinityEntries());
    balancer.connected("10.0.0.1", A, 0);
    assertEquals(0, balancer.affinityEntries());
  }
}
