/* The analytics page's charts: one panel per indicator, each with its own axis, decimals
   and unit (a count and a percentage never share an axis). Data comes from the page's
   JSON block (no inline script: the CSP forbids it). Without ECharts the pivot table
   below stays the answer. */
(function () {
  "use strict";
  const zh = document.body.dataset.lang !== "en";

  function fmt(value, decimals) {
    if (value === null || value === undefined || isNaN(value)) return "—";
    return Number(value).toLocaleString(zh ? "zh-CN" : "en", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }

  function panel(host, p) {
    const box = document.createElement("div");
    box.className = "analytics-panel";
    const title = document.createElement("h3");
    title.textContent = p.title + (p.unit ? "（" + p.unit + "）" : "");
    const el = document.createElement("div");
    el.className = "chart";
    const bars = p.kind === "bar";
    el.style.height = (bars ? Math.max(260, p.categories.length * 14 + 120) : 280) + "px";
    box.appendChild(title); box.appendChild(el); host.appendChild(box);
    const chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 24, top: 40, bottom: bars ? 36 : 24, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return fmt(v, p.decimals) + (p.unit ? " " + p.unit : ""); } },
      xAxis: bars ? { type: "value", name: p.unit, nameLocation: "middle", nameGap: 26, axisLabel: { formatter: function (v) { return fmt(v, p.decimals); } } }
                  : { type: "category", data: p.categories },
      yAxis: bars ? { type: "category", data: p.categories, inverse: true, axisLabel: { fontSize: 11 } }
                  : { type: "value", name: p.unit, scale: true, axisLabel: { formatter: function (v) { return fmt(v, p.decimals); } } },
      series: p.series.map(function (s) {
        return { name: s.name, type: bars ? "bar" : "line", data: s.data, connectNulls: false, symbolSize: 6 };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const host = document.getElementById("analytics-charts");
    const src = document.getElementById("analytics-data");
    if (!host || !src) return;
    if (!window.echarts) { host.classList.add("hidden"); return; }
    JSON.parse(src.textContent || "[]").forEach(function (p) { panel(host, p); });
  });
})();
