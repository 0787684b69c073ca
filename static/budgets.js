// The budget charts. Each <canvas data-budget-chart="ID"> is drawn from the JSON in
// <script type="application/json" id="ID"> (no inline script: the page works under a
// Content-Security-Policy without 'unsafe-inline'). The same numbers are in tables on the
// page, so without JavaScript or Chart.js nothing is lost.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var lang = document.documentElement.lang === "en" ? "en-GB" : "da-DK";
  var amount = new Intl.NumberFormat(lang, {
    style: "currency",
    currency: "DKK",
    maximumFractionDigits: 0,
  });
  var exact = new Intl.NumberFormat(lang, { style: "currency", currency: "DKK" });
  var reduceMotion =
    window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function tooltip(context) {
    var axis = context.chart.options.indexAxis === "y" ? "x" : "y";
    return context.dataset.label + ": " + exact.format(context.parsed[axis]);
  }

  function yearChart(canvas, data) {
    var datasets = data.series.map(function (series) {
      if (series.key === "budget") {
        return {
          type: "line",
          label: series.label,
          data: series.data,
          borderColor: series.colour,
          backgroundColor: series.colour,
          borderWidth: 2,
          borderDash: [6, 4],
          pointRadius: 0,
          pointHitRadius: 8,
          pointStyle: "line",
          stepped: "middle",
          stack: "budget",
          order: 0,
        };
      }
      return {
        type: "bar",
        label: series.label,
        data: series.data,
        backgroundColor: series.colour,
        pointStyle: "rect",
        stack: "granted",
        order: 1,
      };
    });
    return new window.Chart(canvas, {
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: reduceMotion ? false : undefined,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: true },
          y: {
            stacked: true,
            beginAtZero: true,
            ticks: { callback: function (value) { return amount.format(value); } },
          },
        },
        plugins: {
          legend: { labels: { usePointStyle: true } },
          tooltip: { callbacks: { label: tooltip } },
        },
      },
    });
  }

  function fundsChart(canvas, data) {
    // One bar group per fund; the chart grows with the number of funds.
    canvas.parentNode.style.height = Math.max(240, 70 + data.labels.length * 56) + "px";
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series) {
          return { label: series.label, data: series.data, backgroundColor: series.colour };
        }),
      },
      options: {
        indexAxis: "y",
        animation: reduceMotion ? false : undefined,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: {
            beginAtZero: true,
            ticks: { callback: function (value) { return amount.format(value); } },
          },
        },
        plugins: { tooltip: { callbacks: { label: tooltip } } },
      },
    });
  }

  document.querySelectorAll("canvas[data-budget-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-budget-chart"));
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (data.kind === "funds") {
      fundsChart(canvas, data);
    } else {
      yearChart(canvas, data);
    }
  });
})();
