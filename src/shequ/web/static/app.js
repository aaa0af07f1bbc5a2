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

  /* ---- map ---- */
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
        const v = data.values[code];
        tr.innerHTML = "<td></td><td class='num'></td>";
        tr.children[0].textContent = data.names[code] || code;
        tr.children[1].textContent = v === null ? "—" : v.toFixed(1);
        body.appendChild(tr);
      });
      if (data.geojson && data.geojson.features.length && el.dataset.tiles && window.L) {
        drawTiled(el, data);
        return;
      }
      if (!data.geojson || !data.geojson.features.length || !window.echarts) {
        if (!data.geojson || !data.geojson.features.length) document.getElementById("map-no-geometry").classList.remove("hidden");
        el.classList.add("hidden");
        table.classList.remove("hidden");
        return;
      }
      const name = "units_" + data.unit;
      window.echarts.registerMap(name, data.geojson);
      const values = data.geojson.features.map(function (f) { return { name: f.properties.name, value: f.properties.value, label: f.properties.label }; });
      const nums = values.map(function (v) { return v.value; }).filter(function (v) { return v !== null; });
      const points = (data.facilities || []).map(function (f) { return { name: f.name || f.code, value: [f.lon, f.lat], kind: f.type }; });
      const chart = window.echarts.init(el);
      chart.setOption({
        tooltip: { formatter: function (p) {
          if (p.seriesType === "scatter") return esc(p.data.name) + " (" + esc(p.data.kind) + ")";
          return esc(p.data ? p.data.label : p.name) + ": " + (p.value == null || isNaN(p.value) ? "—" : p.value.toFixed(1));
        } },
        geo: { map: name, roam: true, silent: true, itemStyle: { borderColor: "#fff" } },
        visualMap: { seriesIndex: 0, min: Math.min.apply(null, nums.concat([0])), max: Math.max.apply(null, nums.concat([1])), calculable: true, inRange: { color: ["#d73027", "#fee08b", "#1a9850"] } },
        series: [
          { type: "map", geoIndex: 0, data: values },
          { type: "scatter", coordinateSystem: "geo", data: points, symbolSize: 5, itemStyle: { color: "#1f4e9c" } },
        ],
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  /* A value's colour between the lowest (red) and highest (green) value shown. */
  function colourOf(value, low, high) {
    if (value === null || value === undefined || isNaN(value)) return "#cccccc";
    const t = high > low ? (value - low) / (high - low) : 0.5;
    const stops = [[215, 48, 39], [254, 224, 139], [26, 152, 80]];
    const k = t < 0.5 ? 0 : 1, u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    const c = stops[k].map(function (a, i) { return Math.round(a + (stops[k + 1][i] - a) * u); });
    return "rgb(" + c.join(",") + ")";
  }

  /* With a base-map tile URL configured: Leaflet draws the tiles, our boundaries and facilities on top. */
  function drawTiled(el, data) {
    const map = window.L.map(el);
    const nums = data.geojson.features.map(function (f) { return f.properties.value; }).filter(function (v) { return v !== null; });
    const low = Math.min.apply(null, nums.concat([Infinity])), high = Math.max.apply(null, nums.concat([-Infinity]));
    const layer = window.L.geoJSON(data.geojson, {
      style: function (f) { return { color: "#ffffff", weight: 1, fillOpacity: 0.7, fillColor: colourOf(f.properties.value, low, high) }; },
      onEachFeature: function (f, l) { l.bindTooltip(esc(f.properties.label) + ": " + (f.properties.value === null ? "—" : f.properties.value.toFixed(1))); },
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
