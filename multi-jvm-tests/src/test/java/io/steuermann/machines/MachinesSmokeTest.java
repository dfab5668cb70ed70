package io.steuermann.machines;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rig without Steuermann: two machines, each with its own engine running a busybox
 * container; a container on one machine reaches a container published on the other across
 * the rig's LAN; nothing is routed off the rig; and close() leaves nothing behind.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MachinesSmokeTest {
  @Test
  void twoMachinesWithTheirOwnEnginesReachEachOther() {
    String prefix;
    Dockerd firstEngine;
    try (Machines rig = Machines.start(2)) {
      prefix = rig.prefix();
      Machine a = rig.machine("a");
      Machine b = rig.machine("b");
      firstEngine = a.dockerd();
      String image = "stmx/busybox:1";
      rig.importImage(image, Images.busyboxRootfs());

      // two engines, not one: each sees only its own containers
      a.docker("run", "-d", "--name", "web", "-p", a.address() + ":8080:80", image,
          "sh", "-c", "echo from-a > /tmp/index.html && exec httpd -f -p 80 -h /tmp").check();
      b.docker("run", "-d", "--name", "web", "-p", b.address() + ":8080:80", image,
          "sh", "-c", "echo from-b > /tmp/index.html && exec httpd -f -p 80 -h /tmp").check();
      assertEquals("web", a.docker("ps", "--format", "{{.Names}}").check().out().strip());
      assertEquals("web", b.docker("ps", "--format", "{{.Names}}").check().out().strip());

      // container on A -> B's address (DNAT to B's container) and back, and the other way;
      // busybox nc with numeric addresses (its wget crashes on name lookup)
      assertEquals("from-b", httpGet(a, image, b.address()));
      assertEquals("from-a", httpGet(b, image, a.address()));
      // the machines themselves and the host reach each other on the LAN
      assertTrue(a.exec("busybox", "ping", "-c", "1", "-W", "2", b.address()).ok());
      assertTrue(b.exec("busybox", "ping", "-c", "1", "-W", "2", rig.hostAddress()).ok());

      // no way off the rig: no default route inside a machine, so a packet to anywhere else is refused there
      Shell.Result route = a.exec("ip", "route", "get", "192.0.2.2");
      assertFalse(route.ok(), route.toString());
      assertEquals("", a.exec("ip", "route", "show", "default").out().strip());
    }
    // everything gone: namespaces, host links, directory, engines
    assertFalse(Shell.check("ip", "netns", "list").out().contains(prefix), "namespaces left");
    assertFalse(Shell.check("ip", "-o", "link", "show").out().contains(prefix), "links left");
    assertFalse(Files.exists(firstEngine.dir()), "directory left");
    assertTrue(ProcessHandle.of(firstEngine.pid()).isEmpty() || !ProcessHandle.of(firstEngine.pid()).get().isAlive(),
        "dockerd left running");
  }

  @Test
  void aFailingTestLeavesNothingBehind() {
    String[] made = new String[2];
    IllegalStateException failure = assertThrows(IllegalStateException.class, () -> {
      try (Machines rig = Machines.start(1)) {
        made[0] = rig.prefix();
        made[1] = rig.dir().toString();
        rig.importImage("stmx/busybox:1", Images.busyboxRootfs());
        rig.machine(0).docker("run", "-d", "stmx/busybox:1", "sleep", "3600").check();
        throw new IllegalStateException("the test failed here");
      }
    });
    assertEquals("the test failed here", failure.getMessage());
    assertFalse(Shell.check("ip", "netns", "list").out().contains(made[0]), "namespaces left");
    assertFalse(Shell.check("ip", "-o", "link", "show").out().contains(made[0]), "links left");
    assertFalse(Files.exists(Path.of(made[1])), "directory left");
  }

  @Test
  void aSweepRemovesWhatACrashedRigLeft() {
    // a rig whose owner "crashed": its dockerd killed with SIGKILL (containers and shims left),
    // then swept as the next run would
    Machines rig = Machines.start(1);
    int number = rig.rig();
    Machine a = rig.machine(0);
    rig.importImage("stmx/busybox:1", Images.busyboxRootfs());
    String id = a.docker("run", "-d", "stmx/busybox:1", "sleep", "3600").check().out().strip();
    long sleeper = Long.parseLong(a.docker("inspect", "--format", "{{.State.Pid}}", id).check().out().strip());
    long dockerd = a.dockerd().pid();
    Shell.check("kill", "-9", Long.toString(dockerd));
    List<String> swept = Sweep.rig(number);
    assertTrue(swept.contains("process " + sleeper), "the container's process is killed: " + swept);
    assertTrue(swept.stream().anyMatch(s -> s.startsWith("mount")), swept.toString());
    assertFalse(Shell.check("ip", "netns", "list").out().contains(rig.prefix()));
    assertFalse(Files.exists(rig.dir()));
    await("the container's process is gone").atMost(Duration.ofSeconds(10))
        .until(() -> ProcessHandle.of(sleeper).map(h -> !h.isAlive()).orElse(true));
    rig.close(); // releases the number; nothing left to remove
  }

  @Test
  void startSweepsTheLeftoversOfARigWhoseOwnerIsGone() throws Exception {
    // what a test JVM killed with -9 leaves: namespaces, a host link and a directory under a
    // rig number whose lock no process holds any more
    int number = 240;
    String prefix = Sweep.prefix(number);
    Shell.check("ip", "netns", "add", prefix + "x");
    Shell.check("ip", "link", "add", prefix + "h", "type", "veth", "peer", "name", "eth0", "netns", prefix + "x");
    Machines.sweepAbandoned(); // found by their names alone
    assertFalse(Shell.check("ip", "netns", "list").out().contains(prefix), "namespaces left");
    Shell.check("ip", "netns", "add", prefix + "x");
    Files.createDirectories(Sweep.dir(number).resolve("x"));
    Machines.sweepAbandoned();
    assertFalse(Shell.check("ip", "netns", "list").out().contains(prefix), "namespaces left");
    await("the host link goes with its peer's namespace").atMost(Duration.ofSeconds(10))
        .until(() -> !Shell.check("ip", "-o", "link", "show").out().contains(prefix));
    assertFalse(Files.exists(Sweep.dir(number)), "directory left");
  }

  /** GET / of {@code address}:8080 from a fresh container on {@code from}; the body. */
  private static String httpGet(Machine from, String image, String address) {
    Shell.Result r = from.docker("run", "--rm", image, "sh", "-c",
        "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 " + address + " 8080").check();
    String out = r.out();
    return out.substring(out.indexOf("\r\n\r\n") + 4).strip();
  }
}
