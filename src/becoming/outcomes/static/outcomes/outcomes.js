// Outcome charts, drawn from json_script data: rates with their 95% interval (a floating bar
// behind a point, since Chart.js has no error bars), plain and horizontal bars, and stepped
// Kaplan–Meier curves. Loaded by the report page and by the dashboard panel after htmx swaps it in.
(function () {
  "use strict";
  var grid = "#e5e7eb", accent = "#4f46e5", range = "rgba(79,70,229,.18)", smallRange = "rgba(180,83,9,.16)";
  var palette = ["#4f46e5", "#059669", "#d97706", "#dc2626", "#0891b2", "#7c3aed", "#65a30d"];

  if (window.BecomingOutcomes) { window.BecomingOutcomes.renderAll(document); return; }

  function money(v) {
    if (v === null || v === undefined) return "–";
    var a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
    if (a >= 1e4) return (v / 1e3).toFixed(0) + "k";
    return Math.round(v).toLocaleString();
  }

  function rateChart(canvas, d) {
    var label = d.metric === "retention" ? "Retention" : "Churn rate";
    return new Chart(canvas, {
      data: {labels: d.labels, datasets: [
        {type: "line", label: label, data: d.values, showLine: false, pointRadius: 5, pointHoverRadius: 6,
         pointBackgroundColor: accent, borderColor: accent, order: 0},
        {type: "bar", label: "95% interval", data: d.ranges,
         backgroundColor: d.small.map(function (s) { return s ? smallRange : range; }),
         borderRadius: 3, barPercentage: .35, categoryPercentage: .9, order: 1}
      ]},
      options: {maintainAspectRatio: false,
        plugins: {legend: {display: false}, tooltip: {callbacks: {
          label: function (ctx) {
            var v = ctx.raw;
            if (Array.isArray(v)) return "95% interval " + v[0].toFixed(1) + "–" + v[1].toFixed(1) + "%";
            return label + " " + (v === null ? "–" : v.toFixed(1) + "%") + (d.small[ctx.dataIndex] ? " (fewer than 30 customers: wide interval)" : "");
          }}}},
        scales: {y: {min: 0, suggestedMax: d.metric === "retention" ? 100 : 50, grid: {color: grid},
                     ticks: {callback: function (v) { return v + "%"; }}},
                 x: {grid: {display: false}}}}
    });
  }

  function barChart(canvas, d, horizontal) {
    var axis = {grid: {color: grid}, beginAtZero: true, ticks: {callback: function (v) { return money(v); }}};
    var scales = horizontal ? {x: axis, y: {grid: {display: false}}} : {y: axis, x: {grid: {display: false}}};
    return new Chart(canvas, {
      type: "bar",
      data: {labels: d.labels, datasets: [{label: d.metric === "money" ? "Retained revenue a year" : "Revenue per customer",
        data: d.values, borderRadius: 4,
        backgroundColor: d.small.map(function (s) { return s ? "#c7d2fe" : accent; })}]},
      options: {maintainAspectRatio: false, indexAxis: horizontal ? "y" : "x",
        plugins: {legend: {display: false}, tooltip: {callbacks: {label: function (ctx) {
          return ctx.dataset.label + " " + money(ctx.raw) + (d.small[ctx.dataIndex] ? " (a small group)" : "");
        }}}},
        scales: scales}
    });
  }

  function survivalChart(canvas, d) {
    return new Chart(canvas, {
      type: "line",
      data: {datasets: d.curves.map(function (c, i) {
        return {label: c.label + " (" + c.customers + ")", data: c.points, stepped: true, pointRadius: 0,
                borderWidth: 2, borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length]};
      })},
      options: {maintainAspectRatio: false, parsing: true,
        plugins: {legend: {position: "bottom"}, tooltip: {mode: "nearest", intersect: false, callbacks: {
          label: function (ctx) { return ctx.dataset.label + ": " + (ctx.raw.y * 100).toFixed(1) + "% on day " + Math.round(ctx.raw.x); }}}},
        scales: {x: {type: "linear", min: 0, max: d.days || undefined, title: {display: true, text: "days after the as-of date"}, grid: {color: grid}},
                 y: {min: 0, max: 1, grid: {color: grid}, ticks: {callback: function (v) { return Math.round(v * 100) + "%"; }}}}}
    });
  }

  function renderAll(root) {
    if (typeof Chart === "undefined") return;
    Chart.defaults.animation = false;
    (root.querySelectorAll ? root : document).querySelectorAll("canvas.outcome-chart").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var el = document.getElementById(canvas.dataset.source);
      if (!el) return;
      var d = JSON.parse(el.textContent);
      if (d.kind === "rate") rateChart(canvas, d);
      else if (d.kind === "bars") barChart(canvas, d, false);
      else if (d.kind === "hbars") barChart(canvas, d, true);
      else if (d.kind === "survival") survivalChart(canvas, d);
      canvas.dataset.drawn = "1";
    });
  }

  function autosubmit(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      if (s.dataset.bound) return;
      s.dataset.bound = "1";
      s.addEventListener("change", function () { s.form.requestSubmit ? s.form.requestSubmit() : s.form.submit(); });
    });
  }

  window.BecomingOutcomes = {renderAll: renderAll};
  document.addEventListener("htmx:load", function (e) { renderAll(e.target); });
  renderAll(document);
  autosubmit(document);
})();
