// The dashboard page: one self-contained HTML document (inline CSS and JS, no fetch but its own
// /events stream) served with a strict Content-Security-Policy whose nonce changes per response.
// The script keeps the history it was sent and appends each sample; it reconnects by itself.

const NONCE = "__PODGATE_NONCE__";

const CSS = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--panel:#f6f8fa;
--up:#1a7f37;--bad:#cf222e;--warn:#9a6700;--info:#0969da;--focus:#0969da;
font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;
--panel:#161b22;--up:#3fb950;--bad:#f85149;--warn:#d29922;--info:#58a6ff;--focus:#58a6ff}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg)}
a{color:var(--info)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0;background:var(--bg);padding:.5em}
.skip:focus{left:.5em}
header,main{padding:.75rem 1rem;max-width:90rem;margin:0 auto}
header{border-bottom:1px solid var(--line)}
h1{font-size:1.25rem;margin:0 0 .5rem}
h2{font-size:1.05rem;margin:1.25rem 0 .5rem}
dl.facts{display:flex;flex-wrap:wrap;gap:.25rem 1.5rem;margin:0}
dl.facts div{display:flex;gap:.4em}
dt{color:var(--muted)}
dd{margin:0;font-weight:600}
.ok{color:var(--up)}.bad{color:var(--bad)}.warn{color:var(--warn)}
.totals{display:flex;flex-direction:column;gap:.75rem}
.sparks{display:flex;flex-wrap:wrap;gap:1rem}
.spark{display:flex;flex-direction:column;gap:.1rem}
.spark span{color:var(--muted);font-size:.85em}
svg.line{width:10rem;height:2rem;background:var(--panel);border:1px solid var(--line)}
td svg.line{width:5rem;height:1.5rem}
svg.line path{fill:none;stroke:var(--info);stroke-width:1.5}
svg.line path.p99{stroke:var(--warn)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{padding:.3rem .5rem;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th:first-child,td:first-child,th:nth-child(2),td.state{text-align:left}
thead th{color:var(--muted);font-weight:600;background:var(--panel);white-space:normal;vertical-align:bottom}
tbody tr:focus-visible{outline-offset:-3px}
tr.ejected td.state{color:var(--bad);font-weight:600}
tr.draining td.state,tr.slow td.state{color:var(--warn)}
tr.up td.state{color:var(--up)}
ol.events{list-style:none;padding:0;margin:0;max-height:24rem;overflow-y:auto;border:1px solid var(--line)}
ol.events li{padding:.3rem .5rem;border-bottom:1px solid var(--line);display:flex;gap:.75rem}
ol.events li:last-child{border-bottom:0}
ol.events time{color:var(--muted);font-variant-numeric:tabular-nums}
ol.events li.warning .kind{color:var(--bad);font-weight:600}
.kind{min-width:7.5em}
.empty{color:var(--muted)}
@media (max-width:720px){
 thead{position:absolute;left:-9999px}
 table,tbody,tr,td,caption{display:block;width:100%}
 tr{border:1px solid var(--line);margin:0 0 .75rem;padding:.25rem 0}
 td{display:flex;justify-content:space-between;gap:1rem;text-align:right;border:0;padding:.15rem .5rem;white-space:normal}
 td::before{content:attr(data-label);color:var(--muted);text-align:left}
 td:first-child{font-weight:600}
 svg.line,td svg.line{width:9rem}
 ol.events li{flex-wrap:wrap;gap:.25rem .75rem}
}
`;

// Plain ES2017 with no template literals, so this file can hold it as a string.
const JS = `
"use strict";
(function () {
  var hist = {};
  var view = null;
  var es = null;
  var retryMs = 1000;
  var lastMessage = 0;
  var samples = 0;
  var lastSeq = 0;
  var byId = function (id) { return document.getElementById(id); };
  var SVG = "http://www.w3.org/2000/svg";
  var COLUMNS = [
    ["Backend", "address"], ["State", "state"], ["In flight", "inflight"],
    ["Requests (share)", "requests"], ["rps", "rps"], ["p50", "p50"], ["p99", "p99"],
    ["5xx", "serverErrors"], ["Connect errors", "connectErrors"],
    ["Times ejected", "timesEjected"], ["rps, 5 min", "rpsLine"], ["p99, 5 min", "p99Line"]
  ];

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function clock(ms) {
    var d = new Date(ms);
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  function duration(s) {
    s = Math.max(0, Math.floor(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + "h" : "") + (h || m ? m + "m" : "") + r + "s";
  }
  function num(n) { return n >= 1000 ? Math.round(n).toLocaleString("en") : String(n); }
  function ms(v) {
    if (v === null || v === undefined) return "–";
    return (v >= 100 ? Math.round(v) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + " ms";
  }
  function stateText(b) {
    if (b.state === "ejected") return "✕ ejected until " + clock(b.ejectedUntil);
    if (b.state === "slow start") return "◔ slow start (" + b.slowStartPercent + "%)";
    if (b.state === "draining") return "↓ draining";
    return "✓ up";
  }
  function stateClass(b) {
    return b.state === "slow start" ? "slow" : b.state;
  }

  function spark(svg, values, cls, unit, label) {
    var n = values.length, max = 0, i, v, d = "", pen = false;
    for (i = 0; i < n; i++) if (values[i] !== null && values[i] > max) max = values[i];
    // The x axis spans the history kept, or at least 30 points while less is
    // kept, so a young proxy's line is readable rather than a dot at the right edge.
    var full = view ? view.historyPoints : n;
    var points = Math.max(n, Math.min(full, 30));
    var step = points > 1 ? 100 / (points - 1) : 100;
    var x0 = 100 - (n - 1) * step;
    for (i = 0; i < n; i++) {
      v = values[i];
      if (v === null) { pen = false; continue; }
      var x = (x0 + i * step).toFixed(2);
      var y = (23 - (max > 0 ? (v / max) * 22 : 0)).toFixed(2);
      d += (pen ? "L" : "M") + x + " " + y;
      pen = true;
    }
    var path = svg.firstChild;
    if (!path) {
      path = document.createElementNS(SVG, "path");
      path.setAttribute("class", cls);
      path.setAttribute("vector-effect", "non-scaling-stroke");
      svg.appendChild(path);
    }
    path.setAttribute("d", d);
    var last = null;
    for (i = n - 1; i >= 0; i--) if (values[i] !== null) { last = values[i]; break; }
    svg.setAttribute("aria-label", label + " over the last 5 minutes: now " +
      (last === null ? "no data" : last + " " + unit) + ", peak " + max + " " + unit);
  }
  function newSpark() {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "line");
    svg.setAttribute("viewBox", "0 0 100 24");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    return svg;
  }
  function series(key) { return hist[key] || { rps: [], p99Ms: [] }; }

  function setText(el, text) { if (el.textContent !== text) el.textContent = text; }

  function renderHeader() {
    var p = view.proxy;
    setText(byId("version"), p.version + (p.runtime ? " on " + p.runtime : ""));
    setText(byId("uptime"), duration(p.uptimeSeconds));
    var ready = byId("ready");
    setText(ready, p.readiness === "not ready" ? "not ready: " + p.reason : p.readiness);
    ready.className = p.readiness === "ready" ? "ok" : p.readiness === "draining" ? "warn" : "bad";
    var d = p.discovery;
    var age = d.lastChangeAt === null ? "no change yet" :
      "last change " + duration((view.at - d.lastChangeAt) / 1000) + " ago";
    setText(byId("discovery"), d.mode + ", " + (d.synced ? "synced" : "not synced") + ", " + age +
      ", " + d.watchRestarts + " watch restart" + (d.watchRestarts === 1 ? "" : "s"));
    var t = view.totals;
    setText(byId("t-inflight"), num(t.inflight));
    setText(byId("t-requests"), num(t.requests));
    setText(byId("t-rps"), String(t.rps));
    setText(byId("t-p50"), ms(t.p50Ms));
    setText(byId("t-p99"), ms(t.p99Ms));
    setText(byId("t-5xx"), num(t.serverErrors));
    setText(byId("t-connect"), num(t.connectErrors));
    setText(byId("window"), "rps and latency over the last " + view.windowSeconds + " s");
    var s = series("*");
    spark(byId("t-rps-line"), s.rps, "rps", "req/s", "Requests per second");
    spark(byId("t-p99-line"), s.p99Ms, "p99", "ms", "p99 latency");
  }

  function cell(tr, label) {
    var td = document.createElement("td");
    td.setAttribute("data-label", label);
    tr.appendChild(td);
    return td;
  }
  function newRow(b) {
    var tr = document.createElement("tr");
    tr.tabIndex = 0;
    tr.dataset.key = b.key;
    tr.cells_ = {};
    COLUMNS.forEach(function (c) {
      var td = cell(tr, c[0]);
      if (c[1] === "state") td.className = "state";
      if (c[1] === "rpsLine" || c[1] === "p99Line") td.appendChild(newSpark());
      tr.cells_[c[1]] = td;
    });
    return tr;
  }
  function fillRow(tr, b) {
    var c = tr.cells_;
    tr.className = stateClass(b);
    tr.dataset.state = b.state;
    tr.setAttribute("aria-label", b.address + ": " + stateText(b).slice(2));
    setText(c.address, b.address);
    setText(c.state, stateText(b));
    setText(c.inflight, num(b.inflight));
    setText(c.requests, num(b.requests) + " (" + Math.round(b.share * 100) + "%)");
    setText(c.rps, String(b.rps));
    setText(c.p50, ms(b.p50Ms));
    setText(c.p99, ms(b.p99Ms));
    setText(c.serverErrors, num(b.serverErrors));
    setText(c.connectErrors, num(b.connectErrors));
    setText(c.timesEjected, num(b.timesEjected));
    var s = series(b.key);
    spark(c.rpsLine.firstChild, s.rps, "rps", "req/s", b.address + " requests per second");
    spark(c.p99Line.firstChild, s.p99Ms, "p99", "ms", b.address + " p99 latency");
  }

  function routeTable(route) {
    var id = "route-" + route.name;
    var wrap = byId(id);
    if (!wrap) {
      wrap = document.createElement("div");
      wrap.id = id;
      wrap.className = "scroll";
      var table = document.createElement("table");
      var caption = document.createElement("caption");
      table.appendChild(caption);
      var thead = document.createElement("thead");
      var hr = document.createElement("tr");
      COLUMNS.forEach(function (c) {
        var th = document.createElement("th");
        th.scope = "col";
        th.textContent = c[0];
        hr.appendChild(th);
      });
      thead.appendChild(hr);
      table.appendChild(thead);
      table.appendChild(document.createElement("tbody"));
      wrap.appendChild(table);
      byId("routes").appendChild(wrap);
    }
    return wrap;
  }

  function renderRoutes() {
    var seen = {};
    view.routes.forEach(function (route) {
      var wrap = routeTable(route);
      seen[wrap.id] = true;
      var table = wrap.firstChild;
      setText(table.caption, "Route " + route.name + " (" + route.match + "): " +
        route.backends.length + " backend" + (route.backends.length === 1 ? "" : "s"));
      var tbody = table.tBodies[0];
      var rows = {};
      Array.prototype.forEach.call(tbody.rows, function (tr) { rows[tr.dataset.key] = tr; });
      var keep = {};
      route.backends.forEach(function (b, i) {
        var tr = rows[b.key] || newRow(b);
        keep[b.key] = true;
        fillRow(tr, b);
        if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] || null);
      });
      Object.keys(rows).forEach(function (k) { if (!keep[k]) tbody.removeChild(rows[k]); });
    });
    byId("no-backends").hidden = view.routes.some(function (r) { return r.backends.length > 0; });
    Array.prototype.slice.call(byId("routes").children).forEach(function (el) {
      if (!seen[el.id]) el.remove();
    });
  }

  function addEvents(events, reset) {
    var list = byId("events");
    if (reset) { list.textContent = ""; lastSeq = 0; }
    events.forEach(function (e) {
      // A sample may repeat events its viewer's snapshot already had.
      if (e.seq <= lastSeq) return;
      lastSeq = e.seq;
      var li = document.createElement("li");
      if (e.warning) li.className = "warning";
      var t = document.createElement("time");
      t.dateTime = new Date(e.at).toISOString();
      t.textContent = clock(e.at);
      var k = document.createElement("span");
      k.className = "kind";
      k.textContent = (e.warning ? "⚠ " : "") + e.kind;
      var text = document.createElement("span");
      text.textContent = e.text;
      li.appendChild(t);
      li.appendChild(k);
      li.appendChild(text);
      list.insertBefore(li, list.firstChild);
    });
    while (list.children.length > 100) list.removeChild(list.lastChild);
    byId("no-events").hidden = list.children.length > 0;
  }

  function render() {
    var n = view.proxy.viewers;
    setConnected(true, "live, " + n + " viewer" + (n === 1 ? "" : "s"));
    renderHeader();
    renderRoutes();
    document.body.dataset.samples = String(samples);
  }

  function setConnected(on, text) {
    document.body.dataset.connected = on ? "true" : "false";
    var el = byId("conn");
    setText(el, text);
    el.className = on ? "ok" : "bad";
  }

  function onSnapshot(ev) {
    var snap = JSON.parse(ev.data);
    lastMessage = Date.now();
    retryMs = 1000;
    hist = snap.history;
    view = snap;
    samples++;
    addEvents(snap.events, true);
    render();
  }
  function onSample(ev) {
    var s = JSON.parse(ev.data);
    lastMessage = Date.now();
    var next = {};
    Object.keys(s.points).forEach(function (key) {
      var h = hist[key] || { rps: [], p99Ms: [] };
      h.rps.push(s.points[key].rps);
      h.p99Ms.push(s.points[key].p99Ms);
      while (h.rps.length > s.historyPoints) { h.rps.shift(); h.p99Ms.shift(); }
      next[key] = h;
    });
    hist = next;
    view = s;
    samples++;
    addEvents(s.events, false);
    render();
  }

  function connect() {
    if (es) es.close();
    es = new EventSource("events");
    es.addEventListener("snapshot", onSnapshot);
    es.addEventListener("sample", onSample);
    es.onerror = function () {
      setConnected(false, "reconnecting…");
      // A refused or failed response closes an EventSource for good: retry it ourselves.
      if (es.readyState === EventSource.CLOSED) retry();
    };
  }
  var retryTimer = 0;
  function retry() {
    if (retryTimer) return;
    if (es) es.close();
    retryTimer = setTimeout(function () { retryTimer = 0; connect(); }, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  }
  // A stream that went quiet (a proxy gone without closing it) is given up and reopened.
  setInterval(function () {
    var interval = view ? view.intervalMs : 1000;
    if (lastMessage && Date.now() - lastMessage > interval * 3 + 5000) {
      lastMessage = 0;
      setConnected(false, "reconnecting…");
      retry();
    }
  }, 1000);
  connect();
})();
`;

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>podgate dashboard</title>
<link rel="icon" href="data:,">
<style nonce="${NONCE}">${CSS}</style>
</head>
<body data-connected="false" data-samples="0">
<a class="skip" href="#backends-h">Skip to the backends</a>
<header>
<h1>podgate <span id="version"></span></h1>
<dl class="facts">
<div><dt>Status</dt><dd id="ready">–</dd></div>
<div><dt>Uptime</dt><dd id="uptime">–</dd></div>
<div><dt>Discovery</dt><dd id="discovery">–</dd></div>
<div><dt>Dashboard</dt><dd id="conn" role="status" aria-live="polite">connecting…</dd></div>
</dl>
</header>
<main>
<section aria-labelledby="totals-h">
<h2 id="totals-h">Whole proxy</h2>
<p id="window" class="empty"></p>
<div class="totals">
<dl class="facts">
<div><dt>In flight</dt><dd id="t-inflight">–</dd></div>
<div><dt>Requests</dt><dd id="t-requests">–</dd></div>
<div><dt>rps</dt><dd id="t-rps">–</dd></div>
<div><dt>p50</dt><dd id="t-p50">–</dd></div>
<div><dt>p99</dt><dd id="t-p99">–</dd></div>
<div><dt>5xx to clients</dt><dd id="t-5xx">–</dd></div>
<div><dt>Connect errors</dt><dd id="t-connect">–</dd></div>
</dl>
<div class="sparks">
<div class="spark"><span>rps, last 5 min</span><svg id="t-rps-line" class="line" viewBox="0 0 100 24" preserveAspectRatio="none" role="img" aria-label="Requests per second: no data yet"></svg></div>
<div class="spark"><span>p99, last 5 min</span><svg id="t-p99-line" class="line" viewBox="0 0 100 24" preserveAspectRatio="none" role="img" aria-label="p99 latency: no data yet"></svg></div>
</div>
</div>
</section>
<section aria-labelledby="backends-h">
<h2 id="backends-h" tabindex="-1">Backends</h2>
<div id="routes"></div>
<p id="no-backends" class="empty" hidden>No backends discovered yet.</p>
</section>
<section aria-labelledby="events-h">
<h2 id="events-h">Recent events</h2>
<ol id="events" class="events" tabindex="0" aria-label="Recent events, newest first"></ol>
<p id="no-events" class="empty">No events yet.</p>
</section>
</main>
<noscript><p>This page updates itself with JavaScript; /info and /metrics answer without it.</p></noscript>
<script nonce="${NONCE}">${JS}</script>
</body>
</html>
`;

const PARTS = HTML.split(NONCE);

/** A nonce for one response: 16 random bytes, base64. */
export function newNonce(
  random: (bytes: Uint8Array) => void = (b) => crypto.getRandomValues(b),
): string {
  const bytes = new Uint8Array(16);
  random(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** The policy the page is served with: its own script and style (by nonce), its own /events. */
export function dashboardCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The page's HTML with `nonce` on its one style and one script element. */
export function dashboardHtml(nonce: string): string {
  return PARTS.join(nonce);
}

/** The page as a response, with a fresh nonce and its policy. */
export function dashboardPage(nonce: string = newNonce()): Response {
  return new Response(dashboardHtml(nonce), {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": dashboardCsp(nonce),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
  });
}
