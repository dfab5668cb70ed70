package io.steuermann.machines;

import java.time.Duration;
import java.util.List;

/**
 * One simulated machine of a {@link Machines} rig: a network namespace with one link
 * ({@code eth0}, at {@link #address()}) to the rig's LAN and no default route — nothing sent
 * inside can leave for anywhere but the rig's own addresses — and a {@link Dockerd} of its own.
 *
 * @param name     short name ({@code a}, {@code b}, ...), also the Docker node name's suffix
 * @param netns    the network namespace ({@code stmx<rig>-<name>})
 * @param address  the machine's address on the LAN, its Node's InternalIP
 * @param dockerd  its engine
 */
public record Machine(String name, String netns, String address, Dockerd dockerd) {
  /** {@code ip netns exec <netns>}: the words that run a command inside this machine. */
  public List<String> execPrefix() {
    return List.of("ip", "netns", "exec", netns);
  }

  /** Runs {@code command} inside this machine, whatever its exit code. */
  public Shell.Result exec(String... command) {
    return Shell.run(Shell.concat(execPrefix(), command), null, Shell.DEFAULT_TIMEOUT);
  }

  /** As {@link #exec}, with a bound of its own. */
  public Shell.Result exec(Duration timeout, String... command) {
    return Shell.run(Shell.concat(execPrefix(), command), null, timeout);
  }

  /** The machine's own {@code docker} client. */
  public Shell.Result docker(String... args) {
    return dockerd.docker(args);
  }
}
