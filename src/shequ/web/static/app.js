/* shequ pages (the data-entry grid is in entry.js, scorecard and ranking charts in charts.js): charts and maps (ECharts, when installed), job polling, survey skip logic and constraints. */
(function () {
  "use strict";
  const lang = document.body.dataset.lang || "zh";
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const zh = lang === "zh";

  /* Text made safe to put into HTML (chart and map tooltips build HTML from unit and facility names). */
  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* <select data-autosubmit>: choosing an option submits its form (no inline handlers: the CSP forbids them). */
  function setupAutosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify(body),
    }).then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); });
  }

  /* helpers the page scripts (entry.js, charts.js) share */
  window.shequ = { postJSON: postJSON, esc: esc, zh: zh, lang: lang };

  const PALETTE = ["#1f4e9c", "#e07b00", "#2e8b57", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d"];
  /* ---- map ---- */
  /* a number with its decimals and thousands separators, "—" for no data */
  function fmt(value, decimals) {
    if (value === null || value === undefined || isNaN(value)) return "—";
    return Number(value).toLocaleString(zh ? "zh-CN" : "en", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }
  function withUnit(value, legend) {
    const text = fmt(value, legend.decimals);
    return text !== "—" && legend.unit ? text + " " + legend.unit : text;
  }

  function setupMap() {
    const el = document.getElementById("unit-map");
    if (!el) return;
    const params = new URLSearchParams();
    if (el.dataset.unit) params.set("unit", el.dataset.unit);
    if (el.dataset.indicator) params.set("indicator", el.dataset.indicator);
    fetch("/api/geo/units?" + params, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      const table = document.getElementById("map-table");
      const body = table.querySelector("tbody");
      Object.keys(data.values || {}).forEach(function (code) {
        const tr = document.createElement("tr");
        tr.innerHTML = "<td></td><td class='num'></td>";
        tr.children[0].textContent = data.names[code] || code;
        tr.children[1].textContent = withUnit(data.values[code], data.legend);
        body.appendChild(tr);
      });
      const drawn = data.geojson && data.geojson.features.length;
      if (drawn && el.dataset.tiles && window.L) { drawTiled(el, data); return; }
      if (!drawn || !window.echarts) {
        if (!drawn) document.getElementById("map-no-geometry").classList.remove("hidden");
        el.classList.add("hidden");
        table.classList.remove("hidden");
        return;
      }
      drawMap(el, data);
    });
  }

  const CLASS_COLOURS = ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"];

  /* up to five classes with quantile breaks over the values shown (red low, green high);
     each class holds [low, high), the last also its high end */
  function classes(nums, legend) {
    const sorted = nums.slice().sort(function (a, b) { return a - b; });
    if (!sorted.length) return [];
    const k = Math.min(5, new Set(sorted).size);
    const edges = [sorted[0]];
    for (let i = 1; i < k; i++) {
      const e = sorted[Math.floor(i * sorted.length / k)];
      if (e > edges[edges.length - 1]) edges.push(e);
    }
    if (sorted[sorted.length - 1] > edges[edges.length - 1] || edges.length === 1) edges.push(sorted[sorted.length - 1]);
    const n = edges.length - 1;
    return edges.slice(0, n).map(function (lo, j) {
      const hi = edges[j + 1], last = j === n - 1;
      const colour = CLASS_COLOURS[n === 1 ? 4 : Math.round(j * 4 / (n - 1))];
      const piece = { gte: lo, color: colour, label: fmt(lo, legend.decimals) + " – " + fmt(hi, legend.decimals) };
      if (last) piece.lte = hi; else piece.lt = hi;
      return piece;
    });
  }

  /* ring coordinates of every polygon of a FeatureCollection, for a lines series */
  function rings(collection) {
    const out = [];
    (collection ? collection.features : []).forEach(function (f) {
      const g = f.geometry, polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      polys.forEach(function (poly) { poly.forEach(function (ring) { out.push({ coords: ring }); }); });
    });
    return out;
  }

  /* facilities binned on screen (36 px cells): a dense layer shows counts, not a carpet */
  function cluster(chart, points) {
    const cells = {};
    points.forEach(function (p) {
      const xy = chart.convertToPixel({ geoIndex: 0 }, [p.lon, p.lat]);
      if (!xy) return;
      const key = Math.floor(xy[0] / 36) + ":" + Math.floor(xy[1] / 36);
      (cells[key] = cells[key] || []).push(p);
    });
    return Object.keys(cells).map(function (key) {
      const group = cells[key], n = group.length;
      const lon = group.reduce(function (s, p) { return s + p.lon; }, 0) / n;
      const lat = group.reduce(function (s, p) { return s + p.lat; }, 0) / n;
      return { value: [lon, lat, n], name: n === 1 ? (group[0].name || group[0].code) : String(n), symbolSize: n === 1 ? 6 : 10 + 4 * Math.log2(n), count: n };
    });
  }

  function drawMap(el, data) {
    const legend = data.legend;
    const name = "units_" + data.unit;
    window.echarts.registerMap(name, data.geojson);
    const features = data.geojson.features;
    const values = features.map(function (f) { return { name: f.properties.name, value: f.properties.value }; });
    const nums = values.map(function (v) { return v.value; }).filter(function (v) { return v !== null && v !== undefined; });
    const types = {};
    (data.facilities || []).forEach(function (f) { (types[f.type] = types[f.type] || []).push(f); });
    const typeCodes = Object.keys(types).sort(function (a, b) { return (b === "service_centre") - (a === "service_centre"); });
    const typeNames = typeCodes.map(function (t) { return (data.facility_types || {})[t] || t; });
    const showLabels = features.length <= 40;
    const narrow = el.clientWidth < 640;  // a phone: the layer switcher goes under the title
    const chart = window.echarts.init(el);
    const facilitySeries = typeCodes.map(function (t, k) {
      return { name: typeNames[k], type: "scatter", coordinateSystem: "geo", data: [], z: 5,
        itemStyle: { color: PALETTE[k % PALETTE.length], borderColor: "#fff", borderWidth: 1 },
        label: { show: true, formatter: function (p) { return p.data.count > 1 ? p.data.count : ""; }, fontSize: 10, color: "#fff" } };
    });
    chart.setOption({
      animation: false,
      title: { text: legend.title + (legend.unit ? "（" + legend.unit + "）" : ""), left: 8, top: 4, textStyle: { fontSize: 14 } },
      legend: { data: typeNames, top: narrow ? 30 : 4, right: 8, left: narrow ? 8 : "auto", type: "scroll", selected: Object.fromEntries(typeNames.map(function (n, k) { return [n, k === 0]; })) },
      tooltip: { formatter: function (p) {
        if (p.seriesType === "scatter") return esc(p.seriesName) + "：" + esc(p.data.name);
        if (p.seriesType !== "map") return "";
        const d = (data.details || {})[p.name] || {};
        let text = "<b>" + esc(data.names[p.name] || p.name) + "</b><br>" + esc(legend.title) + "：" + esc(withUnit(d.value, legend));
        if (d.target !== undefined && d.target !== null) text += "<br>" + (zh ? "目标：" : "target: ") + esc((d.comparator || "") + " " + fmt(d.target, legend.decimals));
        if (d.status_label) text += "<br>" + esc(d.status_label);
        if (data.levels[p.name] && data.levels[p.name] !== "community") text += "<br><small>" + (zh ? "点击查看下一级" : "click for the level below") + "</small>";
        return text;
      } },
      geo: { map: name, roam: true, silent: false, layoutCenter: ["50%", "52%"], layoutSize: narrow ? "88%" : "94%",
        itemStyle: { borderColor: "#ffffff", borderWidth: 1.5, areaColor: "#dddddd" },
        emphasis: { itemStyle: { areaColor: null, borderColor: "#333", borderWidth: 2 }, label: { show: true } },
        label: { show: showLabels, fontSize: 11, color: "#222", formatter: function (p) { return (data.names[p.name] || p.name).replace(/(社区|居委会|街道|办事处)$/, ""); } } },
      visualMap: { type: "piecewise", seriesIndex: 0, pieces: classes(nums, legend), left: 8, bottom: 8, orient: narrow ? "vertical" : "horizontal", itemWidth: 14, textStyle: { fontSize: 11 },
        outOfRange: { color: "#dddddd" } },
      series: [
        { type: "map", geoIndex: 0, data: values },
        { type: "lines", coordinateSystem: "geo", polyline: true, silent: true, z: 3, data: rings(data.outlines),
          lineStyle: { color: "#ffffff", width: 0.6, opacity: 0.9 } },
      ].concat(facilitySeries),
    });
    function recluster() {
      chart.setOption({ series: [{}, {}].concat(typeCodes.map(function (t) { return { data: cluster(chart, types[t]) }; })) });
    }
    recluster();
    let timer = null;
    chart.on("georoam", function () { clearTimeout(timer); timer = setTimeout(recluster, 120); });
    chart.on("click", function (p) {
      if (p.componentType !== "geo" && p.seriesType !== "map") return;
      const code = p.name, level = data.levels[code];
      if (!level) return;
      if (level === "community") { window.location.href = "/units/" + encodeURIComponent(code); return; }
      const next = new URLSearchParams(window.location.search);
      next.set("unit", code);
      window.location.search = next.toString();
    });
    window.addEventListener("resize", function () { chart.resize(); recluster(); });
    el.dataset.ready = "1";
  }

  /* With a base-map tile URL configured: Leaflet draws the tiles, our boundaries and facilities on top. */
  function colourOf(value, pieces) {
    if (value === null || value === undefined || isNaN(value)) return "#cccccc";
    for (let i = 0; i < pieces.length; i++) if (pieces[i].lt === undefined ? value <= pieces[i].lte : value < pieces[i].lt) return pieces[i].color;
    return pieces.length ? pieces[pieces.length - 1].color : "#cccccc";
  }
  function drawTiled(el, data) {
    const map = window.L.map(el);
    const nums = data.geojson.features.map(function (f) { return f.properties.value; }).filter(function (v) { return v !== null; });
    const pieces = classes(nums, data.legend);
    const layer = window.L.geoJSON(data.geojson, {
      style: function (f) { return { color: "#ffffff", weight: 1, fillOpacity: 0.7, fillColor: colourOf(f.properties.value, pieces) }; },
      onEachFeature: function (f, l) { l.bindTooltip(esc(f.properties.label) + ": " + esc(withUnit(f.properties.value, data.legend))); },
    });
    map.fitBounds(layer.getBounds());  // a view first: vector layers need one
    window.L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
    layer.addTo(map);
    (data.facilities || []).forEach(function (f) {
      window.L.circleMarker([f.lat, f.lon], { radius: 4, color: "#1f4e9c" }).bindTooltip(esc(f.name || f.code) + " (" + esc(f.type) + ")").addTo(map);
    });
  }

  /* ---- background jobs ---- */
  function pollJobs() {
    const rows = document.querySelectorAll("#jobs tr[data-job]");
    let pending = false;
    rows.forEach(function (tr) {
      if (tr.dataset.status === "queued" || tr.dataset.status === "running") pending = true;
    });
    if (pending) setTimeout(function () { window.location.reload(); }, 1500);
  }

  /* ---- survey form: skip logic (relevant) and constraints as the person types ----
     Each fieldset carries its rules as parsed XPath (data-logic, made by the server's
     XLSForm reader); this evaluates them with XPath 1.0's rules. A rule it cannot evaluate
     shows the question and leaves the check to the server. */
  function surveyValue(fs) {
    const picked = Array.from(fs.querySelectorAll("input:checked")).map(function (i) { return i.value; });
    if (picked.length || fs.querySelector("input[type=radio],input[type=checkbox]")) return picked.join(" ");
    const box = fs.querySelector("textarea,input");
    return box ? box.value.trim() : "";
  }
  function num(v) {
    if (typeof v === "number") return v;
    if (typeof v === "boolean") return v ? 1 : 0;
    const t = String(v).trim();
    return t === "" || isNaN(Number(t)) ? NaN : Number(t);
  }
  function str(v) {
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return isNaN(v) ? "NaN" : String(v);
    return String(v);
  }
  function bool(v) {
    if (typeof v === "number") return !(v === 0 || isNaN(v));
    if (typeof v === "boolean") return v;
    return str(v).length > 0;
  }
  const ORDER = {
    "=": function (a, b) { return a === b; }, "!=": function (a, b) { return a !== b; },
    "<": function (a, b) { return a < b; }, "<=": function (a, b) { return a <= b; },
    ">": function (a, b) { return a > b; }, ">=": function (a, b) { return a >= b; },
  };
  const FUNCTIONS = {
    "true": function () { return true; }, "false": function () { return false; },
    "not": function (a) { return !bool(a); }, "boolean": bool, "number": num, "string": str,
    "selected": function (a, b) { return str(a).split(/\s+/).indexOf(str(b).trim()) >= 0; },
    "count-selected": function (a) { return str(a).split(/\s+/).filter(Boolean).length; },
    "string-length": function (a) { return str(a === undefined ? "" : a).length; },
    "contains": function (a, b) { return str(a).indexOf(str(b)) >= 0; },
    "starts-with": function (a, b) { return str(a).indexOf(str(b)) === 0; },
    "ends-with": function (a, b) { return str(a).endsWith(str(b)); },
    "regex": function (a, b) { return new RegExp(str(b)).test(str(a)); },
    "concat": function () { return Array.from(arguments).map(str).join(""); },
    "coalesce": function (a, b) { return str(a) ? a : b; },
    "int": function (a) { return Math.trunc(num(a)); },
    "round": function (a) { return Math.floor(num(a) + 0.5); },
  };
  function evaluate(node, values, self) {
    const a = (node.a || []).map(function (k) { return function () { return evaluate(k, values, self); }; });
    switch (node.t) {
      case "str": case "num": return node.v;
      case "ref": return values[node.v] === undefined ? "" : values[node.v];
      case "self": return self;
      case "fn":
        if (node.v === "if") return bool(a[0]()) ? a[1]() : a[2]();
        if (!FUNCTIONS[node.v]) throw new Error("unsupported " + node.v);
        return FUNCTIONS[node.v].apply(null, a.map(function (f) { return f(); }));
      case "op": break;
      default: throw new Error("unsupported " + node.t);
    }
    if (node.v === "and") return bool(a[0]()) && bool(a[1]());
    if (node.v === "or") return bool(a[0]()) || bool(a[1]());
    if (a.length === 1 && node.v === "-") return -num(a[0]());
    const x = a[0](), y = a[1]();
    if (ORDER[node.v]) {
      if ((node.v === "=" || node.v === "!=") && typeof x !== "number" && typeof y !== "number") {
        if (typeof x === "boolean" || typeof y === "boolean") return ORDER[node.v](bool(x), bool(y));
        return ORDER[node.v](str(x), str(y));
      }
      return ORDER[node.v](num(x), num(y));
    }
    const n = num(x), m = num(y);
    if (node.v === "+") return n + m;
    if (node.v === "-") return n - m;
    if (node.v === "*") return n * m;
    if (node.v === "div") return n / m;
    if (node.v === "mod") return n % m;
    throw new Error("unsupported " + node.v);
  }
  function attempt(node, values, self, fallback) {
    try { return bool(evaluate(node, values, self)); } catch (e) { return fallback; }
  }
  function setupSurvey() {
    const form = document.getElementById("survey-form");
    if (!form) return;
    const sets = Array.from(form.querySelectorAll("fieldset[data-logic]")).map(function (fs) {
      const note = document.createElement("p");
      note.className = "error live";
      note.hidden = true;
      fs.appendChild(note);
      return { fs: fs, name: fs.dataset.question, logic: JSON.parse(fs.dataset.logic), note: note };
    });
    function refresh() {
      const values = {};
      sets.forEach(function (s) {
        const shown = s.logic.relevant.every(function (r) { return attempt(r, values, "", true); });
        s.fs.hidden = !shown;
        s.fs.querySelectorAll("input,textarea,select").forEach(function (i) { i.disabled = !shown; });
        const value = shown ? surveyValue(s.fs) : "";
        values[s.name] = value;
        const bad = shown && value !== "" && s.logic.constraint &&
          !attempt(s.logic.constraint, values, value, true);
        s.note.hidden = !bad;
        s.note.textContent = bad ? s.logic.message[zh ? 0 : 1] : "";
        s.fs.classList.toggle("bad-live", Boolean(bad));
      });
    }
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () { setupAutosubmit(); setupMap(); pollJobs(); setupSurvey(); });
})();
