package io.steuermann.node.proxy.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.steuermann.node.network.HostCommands;
import io.steuermann.node.network.TestNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A simulated node machine made of network namespaces of the test's own: the "node" namespace
 * with a bridge {@code br0} at {@code 10.244.0.1/24}, forwarding on and the service range local
 * (as {@code ServiceRange} does on a real machine), and "pods": namespaces with a veth on the
 * bridge and a default route via the node, as Docker pods on the node's network. Also compiles
 * the test resource {@code network/svcnet.c} (gcc -static) that the pods run.
 */
final class NamespaceNode implements AutoCloseable {
  final TestNamespace node = new TestNamespace("stm-kn");
  final List<TestNamespace> pods = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  final Path svcnet;

  NamespaceNode() {
    node.run("ip", "link", "add", "br0", "type", "bridge");
    node.run("ip", "addr", "add", "10.244.0.1/24", "dev", "br0");
    node.run("ip", "link", "set", "br0", "up");
    node.run("sysctl", "-w", "net.ipv4.ip_forward=1");
    node.run("ip", "route", "add", "local", "10.96.0.0/12", "dev", "lo");
    svcnet = compile();
  }

  /** A pod namespace at {@code 10.244.0.<host>}. */
  TestNamespace pod(int host) {
    TestNamespace pod = new TestNamespace("stm-kp");
    pods.add(pod);
    String veth = "veth" + host;
    node.run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", pod.name);
    node.run("ip", "link", "set", veth, "master", "br0", "up");
    pod.run("ip", "addr", "add", "10.244.0." + host + "/24", "dev", "eth0");
    pod.run("ip", "link", "set", "eth0", "up");
    pod.run("ip", "route", "add", "default", "via", "10.244.0.1");
    return pod;
  }

  /** Starts {@code svcnet ARGS} in {@code ns} in the background; ended by {@link #close}. */
  void start(TestNamespace ns, String... args) {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns.name, svcnet.toString()));
    command.addAll(List.of(args));
    try {
      processes.add(new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    } catch (IOException e) {
      fail("cannot start " + command + ": " + e);
    }
  }

  /** Runs {@code svcnet ARGS} in {@code ns} and returns what it answered. */
  HostCommands.Result svcnet(TestNamespace ns, String... args) {
    List<String> command = new ArrayList<>(List.of(svcnet.toString()));
    command.addAll(List.of(args));
    return ns.commands.run(command.toArray(String[]::new));
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroy); // svcnet forks (its UDP half, connections)
      p.destroy();
    }
    pods.forEach(TestNamespace::close);
    node.close();
    try {
      Files.deleteIfExists(svcnet);
    } catch (IOException e) {
      // a temporary file
    }
  }

  private static Path compile() {
    try (InputStream in = NamespaceNode.class.getResourceAsStream("/network/svcnet.c")) {
      assertTrue(in != null, "test resource network/svcnet.c is missing");
      Path dir = Files.createTempDirectory("svcnet");
      Path source = dir.resolve("svcnet.c");
      Files.write(source, in.readAllBytes());
      Path binary = Files.createTempFile("svcnet", "");
      Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", binary.toString(), source.toString())
          .redirectErrorStream(true).start();
      String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(gcc.waitFor(120, TimeUnit.SECONDS) && gcc.exitValue() == 0,
          "gcc -static svcnet.c (gcc and libc6-dev are needed): " + output);
      Files.delete(source);
      Files.delete(dir);
      return binary;
    } catch (IOException e) {
      return fail("cannot compile svcnet.c: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(e);
    }
  }
}
