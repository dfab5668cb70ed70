package io.steuermann.http.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

/** The dashboard's files as the server answers them: types, caching, redirect, refusals. */
class UiRoutesTest {
  private final UiRoutes routes = new UiRoutes();

  private HttpResponse get(String path) {
    return routes.handle(HttpRequest.GET(path)).orElseThrow();
  }

  private static String header(HttpResponse r, String name) {
    return r.getHeader(name).map(h -> h.value()).orElse(null);
  }

  @Test
  void uiWithoutTheSlashRedirectsSoRelativeModulesResolve() {
    HttpResponse r = get("/ui?x=1");
    assertEquals(301, r.status().intValue());
    assertEquals("/ui/?x=1", header(r, "Location"));
  }

  @Test
  void filesComeWithTheirTypesAndRevalidation() {
    HttpResponse index = get("/ui/");
    assertEquals(200, index.status().intValue());
    assertEquals("text/html; charset=UTF-8", index.entity().getContentType().toString());
    assertEquals("no-cache", header(index, "Cache-Control"));
    assertTrue(header(index, "Content-Security-Policy").contains("script-src 'self'"));
    assertEquals("nosniff", header(index, "X-Content-Type-Options"));
    assertEquals("text/javascript; charset=UTF-8", get("/ui/app.js").entity().getContentType().toString());
    assertEquals("text/css; charset=UTF-8", get("/ui/app.css").entity().getContentType().toString());

    String etag = header(get("/ui/app.js"), "ETag");
    HttpResponse again = routes.handle(HttpRequest.GET("/ui/app.js")
        .addHeader(RawHeader.create("If-None-Match", etag))).orElseThrow();
    assertEquals(304, again.status().intValue());
    assertEquals(200, routes.handle(HttpRequest.GET("/ui/app.js")
        .addHeader(RawHeader.create("If-None-Match", "\"other\""))).orElseThrow().status().intValue());
  }

  @Test
  void otherPathsAndMethodsAreRefused() {
    assertEquals(404, get("/ui/nothing.js").status().intValue());
    assertEquals(404, get("/ui/../pom.xml").status().intValue());
    assertEquals(405, routes.handle(HttpRequest.create("/ui/").withMethod(HttpMethods.POST)).orElseThrow()
        .status().intValue());
    assertFalse(routes.handle(HttpRequest.GET("/uix")).isPresent());
    assertFalse(routes.handle(HttpRequest.GET("/api/v1/pods")).isPresent());
  }

  @Test
  void everyFileInTheResourcesIsServedAndEveryModuleImportIsOne() throws Exception {
    Path dir = Path.of("src/main/resources/ui");
    Set<String> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
    assertEquals(files, Set.copyOf(UiRoutes.FILES), "UiRoutes.FILES names every file under ui/");
    for (String file : files) {
      if (file.endsWith(".js")) {
        String js = Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
        for (String imported : js.lines().filter(l -> l.startsWith("import ")).map(l -> l.replaceAll(".*'\\./([^']+)'.*", "$1"))
            .toList()) {
          assertTrue(files.contains(imported), file + " imports " + imported + ", which is not served");
        }
        // cluster data reaches the DOM as text only
        assertFalse(js.contains("innerHTML") || js.contains("outerHTML") || js.contains("insertAdjacentHTML"),
            file + " must not parse HTML");
      }
    }
  }
}
