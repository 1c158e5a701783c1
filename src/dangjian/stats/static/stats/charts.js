// Draws the report's charts with ECharts (served from node_modules, no CDN). Each element with
// data-chart="key" gets charts[key] from the JSON script its data-source names (default
// #chart-data, which the page embeds). Sections that htmx loads later (单位建立党组织情况) carry
// their own JSON and are drawn when they arrive.
(function () {
  var RED = "#c8161d";

  // width: the chart's width in pixels. On a phone a long organization name would take the
  // whole chart: category labels get at most 40% of it (cut with "…", full in the tooltip),
  // and the legend of a grouped chart wraps to two lines, so the plot starts lower.
  function option(type, data, width) {
    var labels = { width: Math.max(64, Math.floor(width * 0.4)), overflow: "truncate" };
    if (type === "pie") {
      return { tooltip: { trigger: "item" }, color: [RED, "#f0a020", "#888"],
               series: [{ type: "pie", radius: ["40%", "70%"],
                          data: data.rows.map(function (r) { return { name: r[0], value: r[1] }; }) }] };
    }
    if (type === "grouped") {  // { labels: [...], series: [{ name, values }] }
      return { tooltip: { trigger: "axis" }, legend: { top: 0 }, color: ["#888", RED, "#f0a020"],
               grid: { left: 8, right: 24, top: width < 480 ? 52 : 28, bottom: 8, containLabel: true },
               xAxis: { type: "value", minInterval: 1 },
               yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: labels },
               series: data.series.map(function (s) {
                 return { type: "bar", name: s.name, data: s.values };
               }) };
    }
    return { tooltip: {}, grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
             xAxis: { type: "value", minInterval: 1 },
             yAxis: { type: "category", data: data.rows.map(function (r) { return r[0]; }), inverse: true,
                      axisLabel: labels },
             series: [{ type: "bar", data: data.rows.map(function (r) { return r[1]; }),
                        itemStyle: { color: RED }, label: { show: true, position: "right" } }] };
  }

  function draw(root) {
    if (!window.echarts) return;
    var sources = {};
    root.querySelectorAll("[data-chart]:not([data-drawn])").forEach(function (el) {
      var id = el.dataset.source || "chart-data";
      if (!(id in sources)) {
        var script = document.getElementById(id);
        sources[id] = script ? JSON.parse(script.textContent) : {};
      }
      var data = sources[id][el.dataset.chart];
      if (!data) return;
      el.dataset.drawn = "1";
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option(el.dataset.type, data, el.clientWidth));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  // After an htmx swap the new section is in the document: draw what is not drawn yet.
  document.addEventListener("htmx:afterSettle", function () { draw(document); });
})();
