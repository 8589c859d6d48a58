package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PageRoutesTest extends RestTestSupport {

  @Test
  void indexIsServedWithSameOriginPolicy() {
    Response r = get("/");
    assertEquals(200, r.status());
    assertEquals("text/html; charset=UTF-8", r.contentType());
    assertTrue(r.body().contains("<script type=\"module\" src=\"/assets/app.js\"></script>"), r.body());
    assertEquals(PageRoutes.CSP, r.headers().firstValue("Content-Security-Policy").orElse(""));
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
  }

  @Test
  void scriptAndStyleAreServed() {
    Response js = get("/assets/app.js");
    assertEquals(200, js.status());
    assertTrue(js.contentType().startsWith("application/javascript") || js.contentType().startsWith("text/javascript"),
        js.contentType());
    assertTrue(js.body().contains("/api/v1"));
    assertFalse(js.body().contains("innerHTML ="), "the page must not build markup from data");
    Response css = get("/assets/style.css");
    assertEquals(200, css.status());
    assertTrue(css.contentType().startsWith("text/css"), css.contentType());
  }

  @Test
  void theChartingLibraryIsServedFromItsWebJar() {
    Response js = get("/vendor/uplot/uPlot.esm.js");
    assertEquals(200, js.status());
    assertTrue(js.contentType().startsWith("application/javascript") || js.contentType().startsWith("text/javascript"),
        js.contentType());
    assertTrue(js.body().contains("export { uPlot as default }"), "the ES module build");
    Response css = get("/vendor/uplot/uPlot.min.css");
    assertEquals(200, css.status());
    assertTrue(css.contentType().startsWith("text/css"), css.contentType());
    get("/vendor/uplot/../package.json").assertProblem(404, "");
  }

  @Test
  void theVendoredDagLayoutIsServedWithItsLicence() {
    Response js = get("/assets/vendor/dagre/dagre.esm.js");
    assertEquals(200, js.status());
    assertTrue(js.body().contains("export{"), "the ES module build");
    assertTrue(get("/assets/vendor/dagre/LICENSE").body().contains("Copyright (c) 2012-2014 Chris Pettitt"));
  }

  @Test
  void missingAssetIs404Problem() {
    get("/assets/nope.js").assertProblem(404, "");
    get("/assets/../index.html").assertProblem(404, "");
  }
}
