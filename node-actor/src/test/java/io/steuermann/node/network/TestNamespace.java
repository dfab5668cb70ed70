package io.steuermann.node.network;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace of the test's own (`ip netns add`), so routes and iptables rules are
 * programmed there and never on the machine's own tables. Deleted by {@link #close}.
 */
public final class TestNamespace implements AutoCloseable {
  public final String name;
  public final HostCommands commands;

  public TestNamespace(String prefix) {
    this.name = prefix + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));
    HostCommands host = HostCommands.local();
    HostCommands.Result added = host.run("ip", "netns", "add", name);
    assertTrue(added.ok(), "ip netns add (needs root): " + added.output());
    this.commands = new HostCommands(java.util.List.of("ip", "netns", "exec", name));
    run("ip", "link", "set", "lo", "up");
  }

  /** Runs a command in the namespace and fails the test when it fails. */
  public String run(String... command) {
    HostCommands.Result result = commands.run(command);
    assertTrue(result.ok(), String.join(" ", command) + ": " + result.output());
    return result.output();
  }

  @Override
  public void close() {
    HostCommands.local().run("ip", "netns", "del", name);
  }
}
