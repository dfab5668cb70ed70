package io.steuermann.machines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fetch image on a machine's engine, without Steuermann: {@code fetch} resolves a NAME
 * (here from /etc/hosts, which musl's resolver reads before DNS) and prints the body; the
 * {@code call} CGI of a frontend container fetches {@code $BACKEND_URL} by name; a name that
 * does not resolve and a 404 are told apart by the exit code.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FetchImageTest {
  @Test
  void fetchGetsByNameAndTheCallCgiCallsTheBackend() {
    try (Machines rig = Machines.start(1)) {
      Machine a = rig.machine("a");
      String image = Images.fetchImage();
      rig.importImage(image, Images.fetchRootfs());
      a.docker("run", "-d", "--name", "backend", "--hostname", "backend-x", image,
          "httpd", "-f", "-p", "80", "-h", "/www").check();
      String backendIp = a.docker("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "backend")
          .check().out().strip();

      Shell.Result byName = await(() -> a.docker("run", "--rm", "--add-host", "backend:" + backendIp, image,
          "fetch", "-v", "http://backend/cgi-bin/hostname"));
      assertEquals("backend-x", byName.out().strip(), byName.toString());
      assertTrue(byName.err().contains(backendIp + ":80 answered HTTP/1.") , byName.toString());

      Shell.Result missing = a.docker("run", "--rm", image, "fetch", "http://no-such-name.invalid/");
      assertEquals(2, missing.exitCode(), missing.toString());
      Shell.Result notFound = a.docker("run", "--rm", image, "fetch", "http://" + backendIp + "/nothing-here");
      assertEquals(1, notFound.exitCode(), notFound.toString());

      a.docker("run", "-d", "--name", "frontend", "--add-host", "backend:" + backendIp,
          "-e", "BACKEND_URL=http://backend/cgi-bin/hostname", image,
          "httpd", "-f", "-p", "80", "-h", "/www").check();
      String frontendIp = a.docker("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "frontend")
          .check().out().strip();
      String fetch = Images.fetchRootfs().resolve("bin/fetch").toString();
      Shell.Result call = await(() -> a.exec(fetch, "http://" + frontendIp + "/cgi-bin/call"));
      assertEquals("backend-x", call.out().strip(), call.toString());
      Shell.Result remote = a.exec(fetch, "http://" + backendIp + "/cgi-bin/remote");
      assertEquals("172.30.1.1", remote.check().out().strip(), "the machine's bridge address, as the backend sees it");
    }
  }

  /** The command's result once it succeeds (httpd may not listen yet when its container starts). */
  private static Shell.Result await(java.util.function.Supplier<Shell.Result> command) {
    Shell.Result[] last = new Shell.Result[1];
    org.awaitility.Awaitility.await("command succeeds").atMost(java.time.Duration.ofSeconds(30))
        .pollInterval(java.time.Duration.ofMillis(200))
        .until(() -> (last[0] = command.get()).ok());
    return last[0];
  }
}
