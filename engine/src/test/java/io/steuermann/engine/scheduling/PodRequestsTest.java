package io.steuermann.engine.scheduling;

import static io.steuermann.engine.scheduling.TestObjects.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PodRequestsTest {

  @Test
  void sumsContainersAndCountsOnePod() {
    PodRequests r = PodRequests.of(json("{'spec':{'containers':["
        + "{'resources':{'requests':{'cpu':'100m','memory':'64Mi'}}},"
        + "{'resources':{'requests':{'cpu':'0.5','memory':'1Gi'}}}]}}"));
    assertEquals(new Resources(600, (64L << 20) + (1L << 30), 1), r.requests());
  }

  @Test
  void initContainersRaiseEachResourceToTheirMaximum() {
    // Kubernetes' example: app containers sum to 2 cpu / 2Gi; the largest init container asks 3 cpu / 1Gi.
    PodRequests r = PodRequests.of(json("{'spec':{"
        + "'initContainers':[{'resources':{'requests':{'cpu':'3','memory':'1Gi'}}},"
        + "                  {'resources':{'requests':{'cpu':'1','memory':'512Mi'}}}],"
        + "'containers':[{'resources':{'requests':{'cpu':'1','memory':'1Gi'}}},"
        + "              {'resources':{'requests':{'cpu':'1','memory':'1Gi'}}}]}}"));
    assertEquals(new Resources(3000, 2L << 30, 1), r.requests());
  }

  @Test
  void limitsWithoutRequestsAreTheRequest() {
    PodRequests r = PodRequests.of(json("{'spec':{'containers':["
        + "{'resources':{'limits':{'cpu':'2','memory':'1Gi'}}},"
        + "{'resources':{'requests':{'cpu':'100m'},'limits':{'cpu':'1','memory':'128Mi'}}}]}}"));
    assertEquals(new Resources(2100, (1L << 30) + (128L << 20), 1), r.requests());
  }

  @Test
  void nothingRequestedIsZeroButScoresAtKubernetesDefaults() {
    PodRequests r = PodRequests.of(json("{'spec':{'containers':[{'name':'a'},"
        + "{'resources':{'requests':{'cpu':'0'}}}]}}"));
    assertEquals(new Resources(0, 0, 1), r.requests());
    // the unset container counts 100m / 200Mi; an explicit 0 cpu stays 0 but its memory is defaulted
    assertEquals(new Resources(100, 2 * PodRequests.DEFAULT_MEMORY, 1), r.nonZero());
  }

  @Test
  void numericQuantitiesAndOverhead() {
    PodRequests r = PodRequests.of(json("{'spec':{'overhead':{'cpu':'250m','memory':'120Mi'},"
        + "'containers':[{'resources':{'requests':{'cpu':1,'memory':1000}}}]}}"));
    assertEquals(new Resources(1250, 1000 + (120L << 20), 1), r.requests());
  }

  @Test
  void hostPortsDefaultToTcp() {
    PodRequests r = PodRequests.of(json("{'spec':{'containers':[{'ports':["
        + "{'containerPort':80,'hostPort':8080},{'containerPort':53,'hostPort':53,'protocol':'UDP'},"
        + "{'containerPort':9090}]}]}}"));
    assertEquals(Set.of(new HostPort("TCP", 8080), new HostPort("UDP", 53)), r.hostPorts());
  }
}
