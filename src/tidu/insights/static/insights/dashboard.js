/* 梯度看板: draw each chart of the page with ECharts from the JSON the server embedded (no inline script). */
(function () {
  "use strict";
  var source = document.getElementById("insights-charts");
  if (!source || typeof echarts === "undefined") { return; }
  var charts = JSON.parse(source.textContent);
  // Tooltips drawn on the canvas: ECharts' HTML tooltips are markup with style attributes, which the
  // Content-Security-Policy refuses (decision 0104).
  var TOOLTIP_MODE = "richText";

  function drill(chart, index) {
    var code = chart.links && chart.links[index];
    if (!code) { return; }
    var params = new URLSearchParams(window.location.search);
    params.set("region", code);
    window.location.search = params.toString();
  }

  function option(chart) {
    var legend = { data: chart.series.map(function (s) { return s.name; }), top: 0, type: "scroll" };
    if (chart.kind === "pyramid") {
      var values = chart.series[0].data;
      var data = chart.categories.map(function (c, i) { return { name: c, value: values[i] }; }).reverse();
      return {
        tooltip: { trigger: "item", formatter: "{b}：{c} 家", renderMode: TOOLTIP_MODE },
        series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "12%", gap: 2,
                   label: { show: true, position: "inside", formatter: "{b}\n{c}" }, data: data }]
      };
    }
    var stack = chart.kind === "stack";
    return {
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE },
      legend: legend,
      grid: { left: 48, right: 16, top: 40, bottom: 64 },
      xAxis: { type: "category", data: chart.categories, axisLabel: { rotate: chart.categories.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", name: chart.unit },
      series: chart.series.map(function (s) {
        return { name: s.name, type: chart.kind === "line" ? "line" : "bar", stack: stack ? "all" : undefined,
                 data: s.data, emphasis: { focus: "series" } };
      })
    };
  }

  charts.forEach(function (chart) {
    var el = document.querySelector('[data-chart="' + chart.id + '"]');
    if (!el) { return; }
    var instance = echarts.init(el, null, { renderer: "canvas" });
    instance.setOption(option(chart));
    if (chart.links && chart.links.length) {
      instance.on("click", function (params) { drill(chart, params.dataIndex); });
    }
    window.addEventListener("resize", function () { instance.resize(); });
  });
}());
