// esfgraph query page: a small SPARQL highlighter, ready-made examples, a sortable results
// table and an SVG bar chart. Plain JavaScript, no build step, no network beyond this server.
(function () {
  "use strict";
  var APP = document.getElementById("query-app") || document.body;
  var BASE = APP.getAttribute("data-base-iri") || "";
  // the page's words in its language (data-lang on #query-app; the explorer sets sv or en)
  var SV = (APP.getAttribute("data-lang") || document.documentElement.lang) === "sv";
  var WORDS = SV ? {noExamples: "Inga färdiga frågor installerade.", noLoad: "Kunde inte hämta de färdiga frågorna.",
                    pages: "resultatsidor", prev: "föregående sida", next: "nästa sida", chart: "Stapeldiagram över",
                    by: "per", running: "Kör…", ask: "ASK-svar på", rows: function (n) { return n.toLocaleString("sv-SE") + (n === 1 ? " rad" : " rader"); },
                    graph: "Grafresultat på", failed: "Anropet misslyckades:", inMs: "på", ms: "ms"}
                 : {noExamples: "No ready-made queries installed.", noLoad: "Could not load the examples.",
                    pages: "result pages", prev: "previous page", next: "next page", chart: "Bar chart of",
                    by: "by", running: "Running…", ask: "ASK answered in", rows: function (n) { return n.toLocaleString("en-GB") + (n === 1 ? " row" : " rows"); },
                    graph: "Graph result in", failed: "Request failed:", inMs: "in", ms: "ms"};
  var PAGE_SIZE = 100;
  // the predeclared prefixes (listed on the page): added to a query that uses one undeclared
  var PREFIXES = {};
  Array.prototype.forEach.call(document.querySelectorAll("#prefixes [data-prefix]"), function (li) {
    PREFIXES[li.getAttribute("data-prefix")] = li.getAttribute("data-ns");
  });
  function withPrefixes(query) {
    var declared = {}, m, re = /PREFIX\s+([A-Za-z][\w.-]*)?:/gi, head = "";
    while ((m = re.exec(query)) !== null) { declared[m[1] || ""] = 1; }
    var body = query.replace(/#[^\n]*/g, "").replace(/<[^<>\s]*>/g, "").replace(/"(?:[^"\\]|\\.)*"/g, "");
    Object.keys(PREFIXES).forEach(function (name) {
      if (!declared[name] && new RegExp("(^|[^\\w:?$])" + name + ":").test(body)) {
        head += "PREFIX " + name + ": <" + PREFIXES[name] + ">\n";
      }
    });
    return head + query;
  }
  var KEYWORDS = ("BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED ORDER BY ASC DESC LIMIT " +
    "OFFSET DISTINCT REDUCED OPTIONAL UNION MINUS GRAPH FILTER BIND VALUES AS GROUP HAVING NOT IN EXISTS " +
    "UNDEF SERVICE SILENT a true false INSERT DELETE DATA WITH USING DEFAULT ALL").split(" ");
  var FUNCTIONS = ("COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT STR LANG LANGMATCHES DATATYPE BOUND IRI URI " +
    "BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS " +
    "STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 " +
    "SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR " +
    "REPLACE").split(" ");
  var KW = {}, FN = {};
  KEYWORDS.forEach(function (k) { KW[k.toUpperCase()] = 1; });
  FUNCTIONS.forEach(function (f) { FN[f] = 1; });
  var TOKEN = new RegExp([
    "(#[^\\n]*)",                                                   // 1 comment
    "(\"\"\"[\\s\\S]*?\"\"\"|'''[\\s\\S]*?'''|\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*')", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                                     // 3 IRI
    "([?$][A-Za-z0-9_\\u00C0-\\uFFFF]+)",                           // 4 variable
    "((?:[A-Za-z][\\w.-]*)?:[\\w.:%-]*)",                            // 5 prefixed name
    "(\\b\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?\\b)",                    // 6 number
    "([A-Za-z_][A-Za-z0-9_]*)"                                      // 7 word
  ].join("|"), "g");

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function highlight(text) {
    var out = "", last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      out += esc(text.slice(last, m.index));
      var cls = m[1] ? "com" : m[2] ? "str" : m[3] ? "iri" : m[4] ? "var" : m[5] ? "pn" : m[6] ? "num" : null;
      if (!cls && m[7]) {
        var up = m[7].toUpperCase();
        cls = KW[up] || m[7] === "a" ? "kw" : FN[up] ? "fn" : null;
      }
      out += cls ? '<span class="tok-' + cls + '">' + esc(m[0]) + "</span>" : esc(m[0]);
      last = TOKEN.lastIndex;
      if (m[0].length === 0) { TOKEN.lastIndex++; }
    }
    return out + esc(text.slice(last)) + "\n";
  }

  var area = document.getElementById("query");
  var code = document.getElementById("highlight");
  var pre = code.parentNode;
  function refresh() { code.innerHTML = highlight(area.value); sync(); }
  function sync() { pre.scrollTop = area.scrollTop; pre.scrollLeft = area.scrollLeft; }
  area.addEventListener("input", refresh);
  area.addEventListener("scroll", sync);
  area.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); }
    if (ev.key === "Tab" && !ev.shiftKey) {
      ev.preventDefault();
      var s = area.selectionStart;
      area.value = area.value.slice(0, s) + "  " + area.value.slice(area.selectionEnd);
      area.selectionStart = area.selectionEnd = s + 2;
      refresh();
    }
  });
  refresh();

  var statusEl = document.getElementById("status");
  var resultsEl = document.getElementById("results");
  var chartEl = document.getElementById("chart");
  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.className = isError ? "error" : "";
  }

  function loadExamples() {
    var list = document.getElementById("examples");
    fetch("/queries.json?lang=" + encodeURIComponent(document.documentElement.lang || "sv")).then(function (r) { return r.json(); }).then(function (items) {
      list.innerHTML = "";
      if (!Array.isArray(items) || !items.length) {
        list.innerHTML = '<li class="muted">' + WORDS.noExamples + '</li>';
        return;
      }
      items.forEach(function (q) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.className = "example";
        b.setAttribute("data-name", q.name);
        b.title = q.description || q.title;
        b.innerHTML = esc(q.title) + "<small>" + esc(q.name) + "</small>";
        b.addEventListener("click", function () { area.value = q.sparql; refresh(); area.focus(); });
        li.appendChild(b);
        list.appendChild(li);
      });
    }).catch(function () { list.innerHTML = '<li class="muted">' + WORDS.noLoad + '</li>'; });
  }

  function localHref(iri) {
    if (BASE && iri.indexOf(BASE) === 0 && iri.length > BASE.length) { return "/" + iri.slice(BASE.length); }
    return /^(https?:|mailto:)/.test(iri) ? iri : null;
  }

  function cellHtml(term) {
    if (!term) { return ""; }
    if (term.type === "uri") {
      var href = localHref(term.value);
      return href ? '<a href="' + esc(href) + '">' + esc(term.value) + "</a>" : esc(term.value);
    }
    if (term.type === "bnode") { return "_:" + esc(term.value); }
    if (term.type === "triple") { return esc(JSON.stringify(term.value)); }
    return esc(term.value) + (term["xml:lang"] ? ' <span class="lang">@' + esc(term["xml:lang"]) + "</span>" : "");
  }

  function numeric(term) {
    if (!term || term.type !== "literal" || !term.datatype) { return null; }
    if (!/#(integer|decimal|double|float|long|int|short|nonNegativeInteger|positiveInteger)$/.test(term.datatype)) { return null; }
    var n = Number(term.value);
    return isFinite(n) ? n : null;
  }

  function sortKey(term) {
    var n = numeric(term);
    return n !== null ? n : term ? String(term.value) : "";
  }

  function renderTable(vars, rows) {
    var table = document.createElement("table");
    table.className = "results";
    var thead = table.createTHead().insertRow();
    vars.forEach(function (v, i) {
      var th = document.createElement("th");
      th.textContent = v;
      th.addEventListener("click", function () { sortBy(i); });
      thead.appendChild(th);
    });
    var tbody = table.createTBody();
    var order = rows.slice();
    var page = 0, pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    var pager = document.createElement("nav");
    pager.className = "pager";
    pager.setAttribute("aria-label", WORDS.pages);
    function fill() {
      tbody.innerHTML = "";
      order.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).forEach(function (row) {
        var tr = tbody.insertRow();
        vars.forEach(function (v) {
          var td = tr.insertCell();
          td.innerHTML = cellHtml(row[v]);
          if (numeric(row[v]) !== null) { td.className = "num"; }
        });
      });
      pager.innerHTML = "";
      if (pages > 1) {
        var prev = document.createElement("button"), next = document.createElement("button");
        var info = document.createElement("span");
        prev.type = next.type = "button";
        prev.className = "page-prev"; next.className = "page-next";
        prev.textContent = "←"; next.textContent = "→";
        prev.setAttribute("aria-label", WORDS.prev); next.setAttribute("aria-label", WORDS.next);
        prev.disabled = page === 0; next.disabled = page >= pages - 1;
        info.className = "page-info";
        info.textContent = (page * PAGE_SIZE + 1) + "–" + Math.min(rows.length, (page + 1) * PAGE_SIZE) + " / " + rows.length;
        prev.addEventListener("click", function () { page -= 1; fill(); });
        next.addEventListener("click", function () { page += 1; fill(); });
        pager.appendChild(prev); pager.appendChild(info); pager.appendChild(next);
      }
    }
    var sortedCol = -1, asc = true;
    function sortBy(i) {
      asc = sortedCol === i ? !asc : true;
      sortedCol = i;
      var v = vars[i];
      order.sort(function (a, b) {
        var x = sortKey(a[v]), y = sortKey(b[v]);
        var c = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y), "sv");
        return asc ? c : -c;
      });
      Array.prototype.forEach.call(thead.children, function (th, j) {
        if (j === i) { th.setAttribute("aria-sort", asc ? "ascending" : "descending"); } else { th.removeAttribute("aria-sort"); }
      });
      fill();
    }
    fill();
    var wrap = document.createElement("div");
    wrap.appendChild(table);
    wrap.appendChild(pager);
    return wrap;
  }

  function chartColumns(vars, rows) {
    if (!rows.length) { return null; }
    var num = null, label = null;
    vars.forEach(function (v) {
      var all = rows.every(function (r) { return numeric(r[v]) !== null; });
      if (all) { num = v; }  // the last numeric column: queries put the measure last
    });
    vars.forEach(function (v) {
      if (v === num || label !== null) { return; }
      var ok = rows.every(function (r) { return r[v] && numeric(r[v]) === null; });
      var lit = rows.some(function (r) { return r[v] && r[v].type === "literal"; });
      if (ok && lit) { label = v; }
    });
    if (label === null) {
      vars.forEach(function (v) {
        if (v !== num && label === null && rows.every(function (r) { return r[v] && numeric(r[v]) === null; })) { label = v; }
      });
    }
    return num !== null && label !== null ? { label: label, num: num } : null;
  }

  function renderChart(vars, rows) {
    chartEl.innerHTML = "";
    var cols = chartColumns(vars, rows);
    if (!cols) { return; }
    var data = rows.slice(0, 30).map(function (r) {
      var t = r[cols.label];
      var text = t.type === "uri" ? t.value.replace(/^.*[\/#]/, "") : t.value;
      return { label: text, value: numeric(r[cols.num]) };
    });
    var max = Math.max.apply(null, data.map(function (d) { return Math.abs(d.value); })) || 1;
    var rowH = 22, labelW = 220, barW = 460, width = labelW + barW + 120;
    var height = data.length * rowH + 30;
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", WORDS.chart + " " + cols.num + " " + WORDS.by + " " + cols.label);
    var title = document.createElementNS(ns, "text");
    title.setAttribute("x", 8); title.setAttribute("y", 18);
    title.textContent = cols.num + " " + WORDS.by + " " + cols.label;
    svg.appendChild(title);
    data.forEach(function (d, i) {
      var y = 28 + i * rowH;
      var t = document.createElementNS(ns, "text");
      t.setAttribute("x", labelW - 6); t.setAttribute("y", y + 14); t.setAttribute("text-anchor", "end");
      t.textContent = d.label.length > 32 ? d.label.slice(0, 31) + "…" : d.label;
      svg.appendChild(t);
      var r = document.createElementNS(ns, "rect");
      r.setAttribute("class", "bar");
      r.setAttribute("x", labelW); r.setAttribute("y", y + 3);
      r.setAttribute("width", Math.max(1, Math.abs(d.value) / max * barW)); r.setAttribute("height", rowH - 6);
      svg.appendChild(r);
      var v = document.createElementNS(ns, "text");
      v.setAttribute("x", labelW + Math.abs(d.value) / max * barW + 6); v.setAttribute("y", y + 14);
      v.textContent = d.value.toLocaleString(SV ? "sv-SE" : "en-GB");
      svg.appendChild(v);
    });
    chartEl.appendChild(svg);
  }

  // default-graph-uri / named-graph-uri of the link that opened the page (hidden inputs): every
  // request of the page asks the same question the link asked
  function datasetParams() {
    var out = "";
    Array.prototype.forEach.call(document.querySelectorAll("#query-form input.dataset"), function (el) {
      out += "&" + encodeURIComponent(el.name) + "=" + encodeURIComponent(el.value);
    });
    return out;
  }

  var downloads = document.getElementById("downloads");
  function showDownloads(query) {
    if (!downloads) { return; }
    var q = "/sparql?query=" + encodeURIComponent(query) + datasetParams();
    document.getElementById("dl-csv").href = q + "&format=csv";
    document.getElementById("dl-json").href = q + "&format=json";
    downloads.hidden = false;
  }

  function run() {
    var typed = area.value;
    var query = withPrefixes(typed);
    if (window.history && window.history.replaceState && typed.length < 6000) {
      window.history.replaceState(null, "", "/query?query=" + encodeURIComponent(typed) + datasetParams());
    }
    setStatus(WORDS.running);
    resultsEl.innerHTML = "";
    chartEl.innerHTML = "";
    var started = performance.now();
    fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
      body: "query=" + encodeURIComponent(query) + datasetParams()
    }).then(function (resp) {
      var type = resp.headers.get("Content-Type") || "";
      var capped = resp.headers.get("X-Esfgraph-Truncated");
      return resp.text().then(function (body) {
        var ms = Math.round(performance.now() - started);
        if (!resp.ok) { setStatus(resp.status + ": " + body, true); return; }
        if (type.indexOf("sparql-results+json") >= 0) {
          var data = JSON.parse(body);
          if (typeof data.boolean === "boolean") {
            resultsEl.innerHTML = '<p class="boolean">' + data.boolean + "</p>";
            setStatus(WORDS.ask + " " + ms + " " + WORDS.ms);
            return;
          }
          var rows = data.results.bindings;
          showDownloads(query);
          setStatus(WORDS.rows(rows.length) + " " + WORDS.inMs + " " + ms + " " + WORDS.ms + (capped ? " (" + capped + ")" : ""));
          renderChart(data.head.vars, rows);
          resultsEl.appendChild(renderTable(data.head.vars, rows));
        } else {
          var p = document.createElement("pre");
          p.className = "graph";
          p.textContent = body;
          resultsEl.appendChild(p);
          setStatus(WORDS.graph + " " + ms + " " + WORDS.ms);
        }
      });
    }).catch(function (err) { setStatus(WORDS.failed + " " + err, true); });
  }

  var form = document.getElementById("query-form");
  if (form) {
    form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
  } else {
    document.getElementById("run").addEventListener("click", run);
  }
  document.getElementById("endpoint").textContent = location.origin + "/sparql";
  loadExamples();
  if (APP.getAttribute("data-autorun") === "true") { run(); }
  window.esfgraph = { highlight: highlight, run: run };
})();
