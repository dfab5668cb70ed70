package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless chromium driven through its chromedriver by Selenium, for the dashboard's
 * end-to-end tests. Both are part of the test environment (.ci/run installs them): missing is
 * a failure, never a skip.
 *
 * <p>The browser runs in a network namespace of its own, joined to this machine by a veth
 * pair: Chromium fails every request in flight with ERR_NETWORK_CHANGED whenever an
 * interface of its namespace comes or goes, and on a machine where Docker tests run beside
 * this one, veth links come and go every few seconds. The server under test listens on the
 * host's end of the pair ({@link #serverAddress()}); the browser reaches nothing else (its
 * namespace has no other route), and Selenium Manager is never asked for anything (the
 * driver is started here and the browser's path is given).
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  /** Screenshots are test artifacts, kept under target/. */
  static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");
  private static final int DRIVER_PORT = 9515;

  final RemoteWebDriver driver;
  private final Namespace namespace;
  private final Process chromedriver;

  /** A network namespace with one veth link to this machine's: hostAddress here, innerAddress there. */
  record Namespace(String name, String hostLink, String hostAddress, String innerAddress) {
    static Namespace make() {
      long pid = ProcessHandle.current().pid();
      int block = (int) (pid % 250) + 1;
      Namespace ns = new Namespace("steuermann-ui-" + pid, "smui" + pid, "10.254." + block + ".1",
          "10.254." + block + ".2");
      ns.remove();
      String inner = "smuin" + pid;
      run("ip", "netns", "add", ns.name);
      run("ip", "link", "add", ns.hostLink, "type", "veth", "peer", "name", inner);
      run("ip", "link", "set", inner, "netns", ns.name);
      run("ip", "addr", "add", ns.hostAddress + "/30", "dev", ns.hostLink);
      run("ip", "link", "set", ns.hostLink, "up");
      run("ip", "netns", "exec", ns.name, "ip", "link", "set", "lo", "up");
      run("ip", "netns", "exec", ns.name, "ip", "addr", "add", ns.innerAddress + "/30", "dev", inner);
      run("ip", "netns", "exec", ns.name, "ip", "link", "set", inner, "up");
      return ns;
    }

    void remove() {
      runQuietly("ip", "netns", "del", name);
      runQuietly("ip", "link", "del", hostLink);
    }
  }

  private Browser(RemoteWebDriver driver, Namespace namespace, Process chromedriver) {
    this.driver = driver;
    this.namespace = namespace;
    this.chromedriver = chromedriver;
  }

  /** Where the server under test must listen for the browser to reach it. */
  String serverAddress() {
    return namespace.hostAddress();
  }

  static Browser start(int width, int height) {
    String where = "true".equals(System.getenv("CI")) ? " in CI" : "";
    assertTrue(Files.isExecutable(CHROMIUM), "Debian's chromium must be installed for this test" + where
        + " (apt-get install chromium chromium-driver)");
    assertTrue(Files.isExecutable(CHROMEDRIVER), "Debian's chromium-driver must be installed for this test" + where);
    Namespace ns = Namespace.make();
    Process driverProcess = null;
    try {
      Files.createDirectories(SCREENSHOTS);
      driverProcess = new ProcessBuilder("ip", "netns", "exec", ns.name(), CHROMEDRIVER.toString(),
          "--port=" + DRIVER_PORT, "--allowed-ips=" + ns.hostAddress())
          .redirectErrorStream(true)
          .redirectOutput(SCREENSHOTS.resolve("chromedriver.log").toFile())
          .start();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
          .until(() -> reachable(ns.innerAddress(), DRIVER_PORT));
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
          "--window-size=" + width + "," + height, "--no-first-run", "--no-default-browser-check",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-default-apps", "--no-pings");
      // the page's console goes into a failed wait's message
      LoggingPreferences logs = new LoggingPreferences();
      logs.enable(LogType.BROWSER, Level.ALL);
      options.setCapability("goog:loggingPrefs", logs);
      RemoteWebDriver driver = new RemoteWebDriver(
          URI.create("http://" + ns.innerAddress() + ":" + DRIVER_PORT).toURL(), options);
      return new Browser(driver, ns, driverProcess);
    } catch (IOException | RuntimeException e) {
      if (driverProcess != null) {
        driverProcess.destroy();
      }
      ns.remove();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  private static boolean reachable(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  void open(String url) {
    driver.get(url);
  }

  <T> T until(Duration timeout, String what, Function<WebDriver, T> condition) {
    WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(25));
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    wait.withMessage(what);
    try {
      return wait.until(condition);
    } catch (TimeoutException e) {
      throw new AssertionError(what + " (waited " + timeout + "); the page's console:\n" + console(), e);
    }
  }

  /** What the page wrote to its console since the last call. */
  String console() {
    StringBuilder out = new StringBuilder();
    for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
      out.append(entry.getLevel()).append(' ').append(entry.getMessage()).append('\n');
    }
    return out.toString();
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  WebElement one(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  Object script(String js, Object... args) {
    return driver.executeScript(js, args);
  }

  void screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      File shot = driver.getScreenshotAs(OutputType.FILE);
      Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      chromedriver.destroy();
      namespace.remove();
    }
  }

  private static void run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed (the dashboard tests run the browser "
            + "in a network namespace: root and iproute2 needed): " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void runQuietly(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor();
    } catch (IOException e) {
      // nothing to remove
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
