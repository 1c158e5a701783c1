// Draws the report's charts with ECharts (served from node_modules, no CDN). Each element with
// data-chart="key" gets the rows of charts[key] from the #chart-data JSON the page embeds.
(function () {
  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || !window.echarts) return;
    var charts = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var data = charts[el.dataset.chart];
      if (!data) return;
      var labels = data.rows.map(function (r) { return r[0]; });
      var values = data.rows.map(function (r) { return r[1]; });
      var chart = echarts.init(el, null, { renderer: "svg" });
      var option = el.dataset.type === "pie"
        ? { tooltip: { trigger: "item" }, color: ["#c8161d", "#f0a020", "#888"],
            series: [{ type: "pie", radius: ["40%", "70%"],
                       data: data.rows.map(function (r) { return { name: r[0], value: r[1] }; }) }] }
        : { tooltip: {}, grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
            xAxis: { type: "value", minInterval: 1 },
            yAxis: { type: "category", data: labels, inverse: true },
            series: [{ type: "bar", data: values, itemStyle: { color: "#c8161d" },
                       label: { show: true, position: "right" } }] };
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
