// Lever-effect charts: per dimension, each action's uplift in the share moving up (a point) with
// its 95% interval (a floating bar behind it, as the outcome charts draw intervals). Data comes
// from json_script elements named by each canvas's data-source.
(function () {
  "use strict";
  var accent = "#4f46e5", range = "rgba(79,70,229,.18)", grid = "#e5e7eb";
  function draw(canvas) {
    if (typeof Chart === "undefined" || canvas.dataset.drawn) return;
    var el = document.getElementById(canvas.dataset.source);
    if (!el) return;
    var d = JSON.parse(el.textContent);
    canvas.dataset.drawn = "1";
    Chart.defaults.animation = false;
    new Chart(canvas, {
      data: {labels: d.labels, datasets: [
        {type: "line", label: "Uplift", data: d.uplift, showLine: false, pointRadius: 5,
         pointBackgroundColor: accent, borderColor: accent, order: 0},
        {type: "bar", label: "95% interval", data: d.low.map(function (l, i) { return [l, d.high[i]]; }),
         backgroundColor: range, borderRadius: 3, barPercentage: .4, order: 1}
      ]},
      options: {maintainAspectRatio: false, indexAxis: "y",
        plugins: {legend: {display: false}, tooltip: {callbacks: {label: function (ctx) {
          var v = ctx.raw;
          if (Array.isArray(v)) return "95% interval " + v[0].toFixed(1) + " to " + v[1].toFixed(1) + " points";
          return "Uplift " + v.toFixed(1) + " points";
        }}}},
        scales: {x: {grid: {color: grid}, ticks: {callback: function (v) { return v + " pts"; }}},
                 y: {grid: {display: false}, ticks: {autoSkip: false}}}}
    });
  }
  function all() { document.querySelectorAll("canvas.lever-chart").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
})();
