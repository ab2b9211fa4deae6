/* Draws the portal's charts with plotly.js (served from the installed plotly package).
 * Each chart container has data-chart and data-source: the id of a
 * <script type="application/json"> element (Django's json_script) holding
 * {kind, unit, yTitle, traces: [{name, x, y, lo, hi, dash}]}. The table beside each chart
 * holds the same figures, so nothing is lost when this script does not run. */
(function () {
  "use strict";

  // Okabe-Ito: distinguishable with the common colour-vision deficiencies.
  var COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

  function errorBars(t) {
    if (!t.lo || !t.hi) return null;
    var any = false;
    var plus = [], minus = [];
    for (var i = 0; i < t.y.length; i++) {
      var ok = t.y[i] !== null && t.lo[i] !== null && t.hi[i] !== null;
      any = any || ok;
      plus.push(ok ? t.hi[i] - t.y[i] : null);
      minus.push(ok ? t.y[i] - t.lo[i] : null);
    }
    if (!any) return null;
    return { type: "data", symmetric: false, array: plus, arrayminus: minus, thickness: 1.2, width: 3 };
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || !window.Plotly) return;
    var spec = JSON.parse(source.textContent);
    var bars = spec.kind === "bars";
    var traces = spec.traces.map(function (t) {
      if (bars) {
        var bar = { type: "bar", name: t.name, x: t.x, y: t.y,
          hovertemplate: "%{x}: %{y}<extra>" + t.name.replace(/</g, "&lt;") + "</extra>" };
        var eb = errorBars(t);
        if (eb) bar.error_y = eb;
        return bar;
      }
      var trace = {
        type: "scatter",
        mode: "lines+markers",
        name: t.name,
        x: t.x,
        y: t.y,
        connectgaps: false,
        line: { dash: t.dash || "solid", width: 2 },
        marker: { size: 5 },
        hovertemplate: "%{x}: %{y}<extra>" + t.name.replace(/</g, "&lt;") + "</extra>"
      };
      var err = errorBars(t);
      if (err) trace.error_y = err;
      return trace;
    });
    var layout = {
      colorway: COLOURS,
      margin: { l: 56, r: 16, t: 16, b: 40 },
      height: 360,
      font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 13, color: "#1a1a1a" },
      xaxis: bars ? { automargin: true } : { tickformat: "d", dtick: 1, automargin: true },
      barmode: "group",
      yaxis: { title: { text: spec.yTitle }, automargin: true, rangemode: spec.unit === "EUR" ? "tozero" : "normal" },
      legend: { orientation: "h", y: -0.18 },
      hovermode: "closest",
      paper_bgcolor: "#ffffff",
      plot_bgcolor: "#ffffff"
    };
    var years = traces.length ? traces[0].x.length : 0;
    if (!bars && years > 12) layout.xaxis.dtick = 5;
    window.Plotly.newPlot(el, traces, layout, {
      displaylogo: false,
      responsive: true,
      modeBarButtonsToRemove: ["select2d", "lasso2d"]
    });
    el.setAttribute("data-drawn", "true");
  }

  function init() {
    var charts = document.querySelectorAll("[data-chart][data-source]");
    for (var i = 0; i < charts.length; i++) draw(charts[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
