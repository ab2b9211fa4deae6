/* Draws the portal's charts with plotly.js (served from the installed plotly package).
 * Each chart container has data-chart and data-source: the id of a
 * <script type="application/json"> element (Django's json_script) holding
 * {kind, unit, yTitle, traces: [{name, x, y, lo, hi, dash}]}, or for the map
 * {kind: "map", geojson (URL), colours, locations, z, text, noData: {colour, locations, text},
 * fit (zoom to the drawn regions: the NUTS map, on boundaries from the server's cache)}.
 * The table beside each chart holds the same figures, so nothing is lost when this script
 * does not run. */
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

  var CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };

  function choropleth(geojson, locations, text, z, colours) {
    // One step of the colour scale per legend class: z is the class index, so a value
    // on a class edge is coloured as the legend (and the server-side map) says.
    var n = colours.length;
    var scale = [];
    for (var i = 0; i < n; i++) scale.push([i / n, colours[i]], [(i + 1) / n, colours[i]]);
    return {
      type: "choropleth", geojson: geojson, featureidkey: "id", locations: locations,
      z: z, zmin: -0.5, zmax: n - 0.5, colorscale: scale, showscale: false, text: text,
      hovertemplate: "%{text}<extra></extra>", marker: { line: { color: "#5a5a5a", width: 0.6 } }
    };
  }

  // plotly.js loads its world topojson (from its CDN, which the CSP blocks) for any trace
  // with a location mode, even with the base layers hidden and the boundaries given as
  // geojson. The base layers are not drawn, so an empty topology stands in for it, put
  // where plotly's own geo-assets bundle puts the real one.
  function withoutBaseMap() {
    var assets = window.PlotlyGeoAssets || (window.PlotlyGeoAssets = { topojson: {} });
    assets.topojson = assets.topojson || {};
    if (!assets.topojson.europe_110m) assets.topojson.europe_110m = { type: "Topology", objects: {}, arcs: [] };
  }

  // The map of Europe: the countries with a value by legend class, the others grey. The
  // server-side SVG beside it stays for readers without JavaScript and comes back if the
  // boundaries cannot be loaded.
  function drawMap(el, spec) {
    var fallback = el.parentNode.querySelector("[data-map-fallback]");
    el.hidden = false;
    if (fallback) fallback.hidden = true;
    return fetch(spec.geojson, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("map boundaries: " + r.status);
        return r.json();
      })
      .then(function (geojson) {
        var none = spec.noData.locations.map(function () { return 0; });
        var traces = [choropleth(geojson, spec.noData.locations, spec.noData.text, none, [spec.noData.colour])];
        if (spec.locations.length) traces.push(choropleth(geojson, spec.locations, spec.text, spec.z, spec.colours));
        var layout = {
          height: 520,
          margin: { l: 0, r: 0, t: 0, b: 0 },
          font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 13, color: "#1a1a1a" },
          geo: {
            visible: false,
            scope: "europe",
            projection: { type: "azimuthal equal area", rotation: { lon: 10, lat: 52 } },
            lonaxis: { range: [-24, 45] },
            lataxis: { range: [34, 71.5] },
            bgcolor: "#fbfdff"
          },
          paper_bgcolor: "#fbfdff",
          dragmode: false
        };
        if (spec.fit) {
          // Regions of a few countries: zoom to them instead of the whole of Europe.
          delete layout.geo.lonaxis;
          delete layout.geo.lataxis;
          layout.geo.fitbounds = "locations";
        }
        var config = Object.assign({}, CONFIG, { scrollZoom: false });
        withoutBaseMap();
        return window.Plotly.newPlot(el, traces, layout, config);
      })
      .then(function () { el.setAttribute("data-drawn", "true"); })
      .catch(function (err) {
        el.hidden = true;
        if (fallback) fallback.hidden = false;
        throw err;
      });
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || !window.Plotly) return;
    var spec = JSON.parse(source.textContent);
    if (spec.kind === "map") {
      drawMap(el, spec);
      return;
    }
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
    window.Plotly.newPlot(el, traces, layout, CONFIG);
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
