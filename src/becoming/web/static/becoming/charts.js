// Dashboard charts: the index over time and customers per stage, from json_script data.
(function () {
  "use strict";
  var ink = "#1f2937", grid = "#e5e7eb", accent = "#4f46e5", muted = "#c7d2fe", target = "#059669";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#6b7280";
  Chart.defaults.animation = false;

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function draw() {
  var series = data("index-data");
  var indexCanvas = document.getElementById("index-chart");
  if (series && indexCanvas && !Chart.getChart(indexCanvas)) {
    new Chart(indexCanvas, {
      type: "line",
      data: {labels: series.labels, datasets: [{label: "Transformation index", data: series.values,
        borderColor: accent, backgroundColor: "rgba(79,70,229,.08)", fill: true, tension: .25,
        pointRadius: 3}]},
      options: {maintainAspectRatio: false, plugins: {legend: {display: false}},
        scales: {y: {suggestedMin: 0, suggestedMax: 100, grid: {color: grid}},
                 x: {grid: {display: false}}}}
    });
  }

  document.querySelectorAll("canvas.dist-chart").forEach(function (canvas) {
    var d = data(canvas.dataset.source);
    if (!d || Chart.getChart(canvas)) return;
    var colors = d.values.map(function (_, i) {
      return i === d.target ? target : (i > d.target ? "#6ee7b7" : (i < d.target ? muted : accent));
    });
    var labels = d.labels.map(function (name, i) { return i === d.target ? name + " ◎ target" : name; });
    new Chart(canvas, {
      type: "bar",
      data: {labels: labels, datasets: [{label: "Customers", data: d.values, backgroundColor: colors,
        borderRadius: 4}]},
      options: {maintainAspectRatio: false, plugins: {legend: {display: false}},
        scales: {y: {beginAtZero: true, grid: {color: grid}, ticks: {precision: 0}},
                 x: {grid: {display: false}, ticks: {color: ink}}}}
    });
  });
  }

  draw();
  // The dashboard's figures are swapped in again when an assessment finishes (htmx).
  document.body.addEventListener("htmx:afterSettle", draw);
})();
