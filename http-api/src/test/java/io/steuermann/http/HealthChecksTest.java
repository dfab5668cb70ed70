package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /livez, /readyz and /healthz in kube-apiserver's words, on a server that has replayed its journal. */
class HealthChecksTest {
  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("HealthChecksTest", TestServer.h2(dataDir));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static void expect(int code, String body, HttpResponse<String> response) {
    assertEquals(code, response.statusCode(), response.body());
    assertEquals(body, response.body());
  }

  @Test
  void allPassAsOk() {
    for (String path : new String[] {"/livez", "/readyz", "/healthz"}) {
      expect(200, "ok", server.get(path));
    }
  }

  @Test
  void verboseListsEveryCheck() {
    expect(200, "[+]ping ok\n[+]store ok\n[+]shutdown ok\nreadyz check passed\n", server.get("/readyz?verbose"));
    expect(200, "[+]ping ok\nlivez check passed\n", server.get("/livez?verbose"));
    expect(200, "[+]ping ok\n[+]store excluded: ok\nhealthz check passed\n",
        server.get("/healthz?verbose&exclude=store"));
    expect(200, "[+]ping ok\n[+]store ok\nwarn: some health checks cannot be excluded: no matches for \"etcd\"\n"
        + "healthz check passed\n", server.get("/healthz?verbose&exclude=etcd"));
  }

  @Test
  void oneCheckByName() {
    expect(200, "ok", server.get("/readyz/store"));
    expect(200, "ok", server.get("/livez/ping"));
    assertEquals(404, server.get("/readyz/etcd").statusCode());
  }
}
