/* Draw every chart of a Workbench page with the site's shared offline Vega bundle.
 *
 * A chart is a container <div class="workbench-chart" data-spec="ID"> and its Vega spec in a
 * JSON data block <script type="application/json" id="ID"> (data, never run). Pages allow no
 * inline script (Content-Security-Policy), so this file does the drawing. Vega evaluates its
 * expressions with its interpreter (ast: true) instead of new Function(), so the policy needs
 * no 'unsafe-eval'. The action menu (links to other hosts) is off.
 */
(function () {
  "use strict";

  function fail(target, message) {
    target.textContent = message;
  }

  function draw(target) {
    var source = document.getElementById(target.getAttribute("data-spec"));
    if (!source) {
      fail(target, "Chart not drawn: its data are missing from the page.");
      return;
    }
    if (typeof window.vegaEmbed !== "function") {
      fail(target, "Chart not drawn: this page needs the site's assets folder.");
      return;
    }
    var spec;
    try {
      spec = JSON.parse(source.textContent);
    } catch (error) {
      fail(target, "Chart failed: " + error);
      return;
    }
    target.textContent = "";
    window.vegaEmbed(target, spec, {mode: "vega", renderer: "svg", actions: false, ast: true})
      .catch(function (error) { fail(target, "Chart failed: " + error); });
  }

  function drawAll() {
    var charts = document.querySelectorAll("div.workbench-chart[data-spec]");
    for (var i = 0; i < charts.length; i += 1) {
      draw(charts[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
