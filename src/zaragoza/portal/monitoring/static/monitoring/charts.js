/* Draws the portal's charts with plotly.js (served from the installed plotly package).
 * Each chart container has data-chart and data-source: the id of a
 * <script type="application/json"> element (Django's json_script) holding
 * {kind, unit, yTitle, traces: [{name, x, y, lo, hi, dash}], targets: [{value, label}],
 * breaks: [year], zeroLine}, the profile's dot plot {kind: "dots", xTitle, lines,
 * migrants, nationals, eu: [{group, value, lo, hi, flag}], names} and its levels-and-gap
 * chart {kind: "trend", yTitle, gapTitle, traces, gap, targets, breaks, reference}, or for the map
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

  // Small screens (a phone is about 390 px wide): smaller type and margins, every axis
  // kept with its title, a year tick every second year.
  function narrow(el) { return (el.clientWidth || window.innerWidth) < 520; }

  function font(el) {
    return { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: narrow(el) ? 11 : 13, color: "#1a1a1a" };
  }

  // The EU targets: a dash-dot line across the plot at each target, labelled at its end.
  function targetLines(targets, yref, layout) {
    (targets || []).forEach(function (t) {
      layout.shapes.push({ type: "line", xref: "paper", x0: 0, x1: 1, yref: yref, y0: t.value, y1: t.value,
        line: { color: "#5a5a5a", width: 1.2, dash: "dashdot" } });
      layout.annotations.push({ xref: "paper", x: 1, xanchor: "right", yref: yref, y: t.value, yanchor: "bottom",
        text: t.label + " %", showarrow: false, font: { size: 10, color: "#3a3a3a" } });
    });
  }

  // A break in series (flag b on the first year of the new series): a dotted line
  // between that year and the one before, marked "b" at the top.
  function breakLines(breaks, layout, yref) {
    (breaks || []).forEach(function (year) {
      layout.shapes.push({ type: "line", xref: "x", x0: year - 0.5, x1: year - 0.5, yref: yref || "paper", y0: 0, y1: 1,
        line: { color: "#5a5a5a", width: 1.2, dash: "dot" } });
      layout.annotations.push({ xref: "x", x: year - 0.5, xanchor: "left", yref: "paper", y: 1, yanchor: "top",
        text: "b", showarrow: false, font: { size: 11, color: "#3a3a3a" } });
    });
  }

  function wrap(text, width) {
    var words = String(text).split(" "), lines = [], line = "";
    words.forEach(function (w) {
      if (line && (line + " " + w).length > width) { lines.push(line); line = w; } else { line = line ? line + " " + w : w; }
    });
    if (line) lines.push(line);
    return lines.join("<br>");
  }

  // plotly's responsive mode sizes a chart to its container: the container takes the
  // chart's height first (the CSS gives only a minimum).
  function plot(el, traces, layout) {
    el.style.height = layout.height + "px";
    window.Plotly.newPlot(el, traces, layout, CONFIG);
    el.setAttribute("data-drawn", "true");
  }

  function esc(text) { return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;"); }

  // The profile's dot plot: a line per indicator, the migrant group and nationals with
  // their 95% intervals, the EU average of the migrant group as a bar.
  function drawDots(el, spec) {
    var small = narrow(el);
    var labels = spec.lines.map(function (t) { return wrap(t, small ? 26 : 44); });
    function dotTrace(key, symbol, colour) {
      var dots = spec[key];
      var t = { name: spec.names[key], y: [], x: [], lo: [], hi: [], text: [] };
      dots.forEach(function (d, i) {
        if (!d || d.value === null) return;
        t.y.push(labels[i]); t.x.push(d.value); t.lo.push(d.lo); t.hi.push(d.hi);
        t.text.push(esc(d.group) + (d.flag ? " (" + esc(d.flag) + ")" : ""));
      });
      var trace = { type: "scatter", mode: "markers", name: t.name, x: t.x, y: t.y, text: t.text,
        marker: { symbol: symbol, size: key === "eu" ? 16 : 9, color: colour, line: { width: key === "eu" ? 2 : 0, color: colour } },
        hovertemplate: "%{text}: %{x}<extra></extra>" };
      var err = errorBars({ y: t.x, lo: t.lo, hi: t.hi });
      if (err && key !== "eu") trace.error_x = err;
      return trace;
    }
    var traces = [dotTrace("migrants", "circle", COLOURS[0]), dotTrace("nationals", "diamond", COLOURS[1]), dotTrace("eu", "line-ns-open", "#000000")];
    // each line as tall as its wrapped label; the legend above the plot
    // lines are evenly spaced: each as tall as the longest wrapped label
    var most = labels.reduce(function (n, l) { return Math.max(n, l.split("<br>").length); }, 1);
    var rows = labels.length * Math.max(small ? 30 : 26, 14 * most + 10);
    var legend = small ? 72 : 30;
    var layout = {
      height: Math.max(160, rows + legend + 56),
      margin: { l: 8, r: 12, t: legend, b: 48 },
      font: font(el),
      xaxis: { title: { text: spec.xTitle }, automargin: true, zeroline: false, rangemode: spec.unit === "PC" ? "tozero" : "normal" },
      yaxis: { automargin: true, autorange: "reversed", type: "category", categoryorder: "array", categoryarray: labels },
      legend: { orientation: "h", x: 0, y: 1, yanchor: "bottom" },
      hovermode: "closest", paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff"
    };
    plot(el, traces, layout);
  }

  function lineTrace(t, colour, axis) {
    var trace = { type: "scatter", mode: "lines+markers", name: t.name, x: t.x, y: t.y, connectgaps: false,
      line: { dash: t.dash || "solid", width: 2, color: colour }, marker: { size: 5 }, xaxis: "x", yaxis: axis,
      hovertemplate: "%{x}: %{y}<extra>" + esc(t.name) + "</extra>" };
    var err = errorBars(t);
    if (err) trace.error_y = err;
    return trace;
  }

  // The profile's levels and gap over time: the migrant group and nationals above (with
  // the EU targets), the gap below, breaks in series dotted, the reference year shaded.
  function drawTrend(el, spec) {
    var small = narrow(el);
    var traces = spec.traces.map(function (t, i) { return lineTrace(t, COLOURS[i], "y"); });
    traces.push(lineTrace(spec.gap, COLOURS[2], "y2"));
    var years = spec.traces[0].x;
    var layout = {
      height: small ? 460 : 430,
      margin: { l: 56, r: 12, t: small ? 76 : 56, b: 36 },
      font: font(el),
      xaxis: { anchor: "y2", tickformat: "d", dtick: years.length > 16 ? 5 : (small || years.length > 8 ? 2 : 1), automargin: true },
      yaxis: { domain: [0.42, 1], title: { text: spec.yTitle }, automargin: true },
      yaxis2: { domain: [0, 0.3], title: { text: spec.gapTitle || spec.yTitle }, automargin: true, zeroline: true, zerolinecolor: "#1a1a1a" },
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      shapes: [{ type: "rect", xref: "x", x0: spec.reference - 0.5, x1: spec.reference + 0.5, yref: "paper", y0: 0, y1: 1,
        fillcolor: "#eef3f8", line: { width: 0 }, layer: "below" }],
      annotations: [],
      hovermode: "closest", paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff"
    };
    targetLines(spec.targets, "y", layout);
    layout.shapes.forEach(function (s) { if (s.yref === "y") { s.xref = "x"; s.x0 = years[0] - 0.5; s.x1 = years[years.length - 1] + 0.5; } });
    breakLines(spec.breaks, layout);
    plot(el, traces, layout);
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || !window.Plotly) return;
    var spec = JSON.parse(source.textContent);
    if (spec.kind === "map") {
      drawMap(el, spec);
      return;
    }
    if (spec.kind === "dots") { drawDots(el, spec); return; }
    if (spec.kind === "trend") { drawTrend(el, spec); return; }
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
    var small = narrow(el);
    var layout = {
      colorway: COLOURS,
      margin: { l: small ? 48 : 56, r: small ? 8 : 16, t: 16, b: 40 },
      height: 360,
      font: font(el),
      xaxis: bars ? { automargin: true } : { tickformat: "d", dtick: 1, automargin: true },
      barmode: "group",
      yaxis: { title: { text: spec.yTitle }, automargin: true, rangemode: spec.unit === "EUR" ? "tozero" : "normal",
        zeroline: !!spec.zeroLine, zerolinecolor: "#1a1a1a" },
      legend: { orientation: "h", y: -0.18 },
      shapes: [],
      annotations: [],
      hovermode: "closest",
      paper_bgcolor: "#ffffff",
      plot_bgcolor: "#ffffff"
    };
    var years = traces.length ? traces[0].x.length : 0;
    if (!bars && years > 12) layout.xaxis.dtick = 5;
    else if (!bars && small && years > 6) layout.xaxis.dtick = 2;
    targetLines(spec.targets, "y", layout);
    if (!bars) breakLines(spec.breaks, layout);
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
