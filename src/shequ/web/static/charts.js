/* Charts that answer questions (ECharts when installed, else tables): the scorecard's trend
   as small multiples, one chart and one y axis per indicator, with the target as a dashed
   line and the projection to the target year dotted; the ranking as dots (rank) and bars
   (the 90 % rank interval), coloured by district. */
(function () {
  "use strict";
  const S = window.shequ;
  const zh = S.zh;
  const PALETTE = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"];

  /* a number with the indicator's decimals and thousands separators */
  function fmt(value, decimals) {
    if (value === null || value === undefined || isNaN(value)) return "—";
    return Number(value).toLocaleString(zh ? "zh-CN" : "en", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }
  /* the periods of a chart: the observed ones and, for a projection, the years up to the target */
  function axisPeriods(p) {
    const periods = p.periods.slice();
    if (!p.target_period) return periods;
    const last = Number(periods[periods.length - 1]), end = Number(p.target_period);
    if (!isNaN(last) && !isNaN(end)) for (let y = last + 1; y <= end; y++) periods.push(String(y));
    else periods.push(p.target_period);
    return periods;
  }

  function smallMultiple(el, p) {
    const periods = axisPeriods(p);
    const observed = periods.map(function (x) { const k = p.periods.indexOf(x); return k < 0 ? null : p.values[k]; });
    const series = [{
      name: zh ? "数值" : "value", type: "line", data: observed, symbolSize: 5, itemStyle: { color: "#1f4e9c" },
      markLine: p.target === null ? undefined : {
        symbol: "none", silent: true, lineStyle: { type: "dashed", color: "#b71c1c" },
        label: { formatter: (zh ? "目标 " : "target ") + fmt(p.target, p.decimals), position: "insideEndTop" },
        data: [{ yAxis: p.target }],
      },
    }];
    if (p.projected !== null && p.target_period) {
      const from = p.periods.length - 1;
      series.push({
        name: zh ? "趋势推算" : "projection", type: "line", symbol: "none", connectNulls: true,
        lineStyle: { type: "dotted", width: 2, color: "#1f4e9c" },
        data: periods.map(function (x, k) { return k === from ? p.values[from] : (x === p.target_period ? p.projected : null); }),
      });
    }
    const chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      grid: { left: 56, right: 14, top: 24, bottom: 24 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return fmt(v, p.decimals) + (p.unit ? " " + p.unit : ""); } },
      xAxis: { type: "category", data: periods, boundaryGap: false },
      yAxis: {
        type: "value", scale: true, name: p.unit, nameTextStyle: { align: "left" },
        min: function (v) { return p.target === null ? v.min : Math.min(v.min, p.target); },
        max: function (v) { return p.target === null ? v.max : Math.max(v.max, p.target); },
        axisLabel: { formatter: function (v) { return fmt(v, p.decimals); } },
      },
      series: series,
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function smallTable(el, p) {
    const table = document.createElement("table");
    p.periods.forEach(function (x, k) {
      const tr = document.createElement("tr");
      tr.innerHTML = "<th></th><td class='num'></td>";
      tr.children[0].textContent = x;
      tr.children[1].textContent = fmt(p.values[k], p.decimals);
      table.appendChild(tr);
    });
    el.appendChild(table);
    el.style.height = "auto";
  }
  function setupTrend() {
    const src = document.getElementById("trend-data");
    if (!src) return;
    const panels = JSON.parse(src.textContent || "[]");
    document.querySelectorAll("#trend-chart figure.multiple").forEach(function (fig, k) {
      const el = fig.querySelector(".small-chart");
      if (window.echarts) smallMultiple(el, panels[k]); else smallTable(el, panels[k]);
    });
  }

  function setupRanking() {
    const el = document.getElementById("ranking-chart");
    const src = document.getElementById("ranking-data");
    if (!el || !src || !window.echarts) { if (el) el.classList.add("hidden"); return; }
    const rows = JSON.parse(src.textContent || "[]").slice().sort(function (a, b) { return a.rank - b.rank; });
    const districts = Array.from(new Set(rows.map(function (r) { return r.district; })));
    const colour = {}; districts.forEach(function (d, k) { colour[d] = PALETTE[k % PALETTE.length]; });
    el.style.height = Math.max(240, rows.length * 20 + 90) + "px";
    const labels = rows.map(function (r) { return r.label; });
    const chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      legend: { top: 0, data: districts },
      grid: { left: 8, right: 24, top: 56, bottom: 36, containLabel: true },
      tooltip: { trigger: "item", formatter: function (q) {
        const r = rows[q.dataIndex];
        return S.esc(r.label) + "<br>" + S.esc(r.district) + "<br>" + (zh ? "名次 " : "rank ") + r.rank +
          (r.low === null ? "" : (zh ? "（90%区间 " : " (90% interval ") + r.low + "–" + r.high + (zh ? "）" : ")"));
      } },
      xAxis: { type: "value", name: zh ? "名次" : "rank", nameLocation: "middle", nameGap: 24, min: 1, minInterval: 1, position: "top" },
      yAxis: { type: "category", data: labels, inverse: true, axisLabel: { fontSize: 11 } },
      series: [
        { type: "bar", stack: "interval", silent: true, itemStyle: { color: "transparent" }, barWidth: 6,
          data: rows.map(function (r) { return r.low === null ? r.rank : r.low; }) },
        { type: "bar", stack: "interval", barWidth: 6,
          data: rows.map(function (r) { return { value: r.low === null ? 0 : r.high - r.low, itemStyle: { color: colour[r.district], opacity: 0.45 } }; }) },
      ].concat(districts.map(function (d) {
        return { name: d, type: "scatter", symbolSize: 9, itemStyle: { color: colour[d] },
          data: rows.map(function (r) { return r.district === d ? r.rank : null; }) };
      })),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () { setupTrend(); setupRanking(); });
})();
