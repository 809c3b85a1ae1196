// The portal's progress chart: the customer's stage on each dimension at each month-end.
(function () {
  "use strict";
  var el = document.getElementById("progress-data");
  var canvas = document.getElementById("progress-chart");
  if (!el || !canvas || typeof Chart === "undefined") return;
  var d = JSON.parse(el.textContent);
  var colors = ["#0f766e", "#b45309", "#6d28d9", "#be123c", "#0369a1", "#4d7c0f"];
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  var top = 0;
  d.datasets.forEach(function (ds) { top = Math.max(top, ds.stages.length - 1); });
  new Chart(canvas, {
    type: "line",
    data: {labels: d.labels, datasets: d.datasets.map(function (ds, i) {
      return {label: ds.label, data: ds.data, stages: ds.stages, stepped: true, pointRadius: 2,
              borderColor: colors[i % colors.length], backgroundColor: colors[i % colors.length]};
    })},
    options: {maintainAspectRatio: false, responsive: true,
      plugins: {legend: {position: "bottom", labels: {boxWidth: 12}},
        tooltip: {callbacks: {label: function (ctx) {
          return ctx.dataset.label + ": " + (ctx.dataset.stages[ctx.parsed.y] || ctx.parsed.y);
        }}}},
      scales: {y: {min: 0, max: top, ticks: {stepSize: 1, precision: 0,
                   callback: function (v) {
                     // One dimension: its stage names; several: stage numbers (1 = first).
                     return d.datasets.length === 1 ? (d.datasets[0].stages[v] || "") : "stage " + (v + 1);
                   }}},
               x: {ticks: {maxRotation: 0, autoSkip: true}}}}
  });
})();
