package io.steuermann.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.schema.KindSchemas;
import io.steuermann.engine.schema.StructuralCheck;
import io.steuermann.http.fields.FieldChecks;
import io.steuermann.http.fields.FieldValidation;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The CPU one create spends in structural validation, measured as thread CPU time so that a
 * busy machine distorts it less than a throughput figure: one schema walk (a create has two:
 * the API's of the body, the entity's of the stored object), and for context the API's whole
 * field check ({@link FieldChecks}: walk, unknown-field pruning, duplicate fields), for the pod
 * bench-api creates and for a kubectl Deployment. Beside the CPU a whole create costs
 * (docs/benchmarks.md: about 1.2 ms on this machine) that is validation's share.
 */
public final class ValidationCost {
  private ValidationCost() {}

  private static final String SMALL_POD = """
      {"apiVersion":"v1","kind":"Pod","metadata":{"name":"bench-1","labels":{"app":"bench"}},
       "spec":{"containers":[{"name":"c","image":"busybox"}]}}""";

  // what kubectl sends for a typical Deployment manifest, and what the entity stores after defaults
  private static final String DEPLOYMENT = """
      {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default",
        "labels":{"app":"web","app.kubernetes.io/name":"web"},"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
       "spec":{"replicas":3,"revisionHistoryLimit":10,"progressDeadlineSeconds":600,
        "selector":{"matchLabels":{"app":"web"}},
        "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
        "template":{"metadata":{"labels":{"app":"web"},"creationTimestamp":null},
         "spec":{"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
          "schedulerName":"default-scheduler","securityContext":{},
          "containers":[{"name":"web","image":"nginx:1.27","imagePullPolicy":"IfNotPresent",
            "ports":[{"name":"http","containerPort":80,"protocol":"TCP"}],
            "env":[{"name":"MODE","value":"prod"},{"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
            "resources":{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},
            "readinessProbe":{"httpGet":{"path":"/","port":"http"},"periodSeconds":5,"timeoutSeconds":1,
              "successThreshold":1,"failureThreshold":3},
            "livenessProbe":{"tcpSocket":{"port":80},"initialDelaySeconds":10},
            "volumeMounts":[{"name":"cache","mountPath":"/cache"}],
            "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
          "volumes":[{"name":"cache","emptyDir":{}}]}}}}""";

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    FieldChecks checks = new FieldChecks(KindSchemas.fromClasspath());
    checks.warmUp();
    System.out.printf(Locale.ROOT, "validation-cost: %d iterations each, thread CPU time (%s)%n", iterations,
        StructuralCheck.enabled() ? "structural validation on" : "OFF: only pruning is measured");
    measure(checks, Kind.POD, "bench-api pod", SMALL_POD, iterations);
    measure(checks, Kind.DEPLOYMENT, "kubectl deployment", DEPLOYMENT, iterations);
  }

  private static void measure(FieldChecks checks, Kind kind, String label, String body, int iterations)
      throws Exception {
    byte[] raw = body.getBytes(StandardCharsets.UTF_8);
    JsonNode parsed = Json.parse(body);
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    double[] perOp = new double[3];
    for (int round = 0; round < 2; round++) {
      // round 0 warms the JIT up; round 1 is measured. Whole loops are timed (a CPU-clock read
      // costs about as much as what is measured), each with the body copied as a request parses it.
      for (int variant = 0; variant < 3; variant++) {
        long sink = 0;
        long t0 = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < iterations; i++) {
          JsonNode copy = parsed.deepCopy();
          if (variant >= 1) {
            sink += StructuralCheck.check(KindSchemas.fromClasspath().of(kind), copy).typeErrors().size();
          }
          if (variant == 2) {
            sink += checks.check(kind, FieldValidation.WARN, copy, raw, false).warnings().size();
          }
          sink += copy.size();
        }
        perOp[variant] = (cpu.getCurrentThreadCpuTime() - t0) / 1e3 / iterations;
        if (sink == 42) {
          System.out.println();
        }
      }
    }
    double walk = perOp[1] - perOp[0];
    System.out.printf(Locale.ROOT, "  %-20s one schema walk %6.2f us; a create walks twice (API, entity): %6.2f us;"
        + " the API's whole field check (walk, pruning, duplicates) %6.2f us%n", label, walk, 2 * walk,
        perOp[2] - perOp[1]);
  }
}
