//! `access -f html`: one self-contained page (inline style and script, no network
//! fetch) with the product matrix, filters, and the chain behind each cell. The
//! answer is embedded as the JSON format and drawn by the page's script.

use super::render::Answer;

/// The page for `answer`.
pub fn page(answer: &Answer) -> String {
    let json = serde_json::to_string(answer).unwrap_or_else(|_| "{}".into());
    // Nothing in the data may close the script element or open a comment.
    let json = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let title = match &answer.cluster {
        Some(c) => format!("blastwall access: {}", escape(c)),
        None => "blastwall access".to_string(),
    };
    let initial = answer
        .query
        .principal
        .as_deref()
        .or(answer.query.namespace.as_deref())
        .map(escape)
        .unwrap_or_default();
    TEMPLATE
        .replace("{{TITLE}}", &title)
        .replace("{{FILTER}}", &initial)
        .replace("{{DATA}}", &json)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const TEMPLATE: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{{TITLE}}</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px; color: #1d1d1f; background: #fafafa; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .sub { color: #555; margin: 0 0 16px; }
  .filters { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; margin: 0 0 16px; padding: 10px 12px; background: #fff; border: 1px solid #ddd; border-radius: 8px; }
  .filters input[type=search] { width: 320px; padding: 5px 8px; font: inherit; border: 1px solid #bbb; border-radius: 5px; }
  .filters select { font: inherit; padding: 4px; }
  table.matrix { border-collapse: collapse; background: #fff; }
  table.matrix th, table.matrix td { border: 1px solid #d5d5d5; padding: 8px 10px; text-align: left; vertical-align: top; min-width: 120px; }
  table.matrix th { background: #f0f0f0; font-weight: 600; }
  table.matrix th.row { white-space: nowrap; }
  td.cell { cursor: pointer; }
  td.cell:hover { outline: 2px solid #1f77b4; outline-offset: -2px; }
  td.cell.selected { outline: 3px solid #1f77b4; outline-offset: -3px; }
  td.empty { color: #aaa; }
  td.cross { background: #fde2e1; }
  td.cross.allowed { background: #fff4d6; }
  td.self { background: #e8f3e8; }
  .action { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
  .count { color: #666; font-size: 12px; }
  .esc { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 8px; background: #d62728; color: #fff; margin-left: 4px; }
  .legend { margin: 10px 0 0; color: #555; font-size: 12px; }
  .legend span { display: inline-block; width: 12px; height: 12px; vertical-align: -2px; margin: 0 4px 0 12px; border: 1px solid #ccc; }
  #detail { margin-top: 20px; background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 12px 16px; }
  #detail h2 { font-size: 16px; margin: 0 0 8px; }
  .entry { border-top: 1px solid #eee; padding: 8px 0; }
  .entry summary { cursor: pointer; }
  ol.chain { margin: 6px 0 0 0; padding-left: 22px; }
  ol.chain li { margin: 2px 0; }
  .step { display: inline-block; min-width: 90px; color: #666; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
  .place { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; color: #1f5fa0; margin-left: 6px; }
  .tag { font-size: 11px; padding: 0 5px; border-radius: 8px; background: #eee; color: #333; margin-left: 4px; }
  .changes li { margin: 4px 0; }
</style>
</head>
<body>
<h1>{{TITLE}}</h1>
<p class="sub" id="summary"></p>
<div class="filters">
  <label>Principal, group, namespace or file <input type="search" id="filter" placeholder="e.g. payroll-ci, shared:oncall, rbac.yaml" value="{{FILTER}}"></label>
  <label>From <select id="from"><option value="">every row</option></select></label>
  <label><input type="checkbox" id="cross-only"> cross-product only</label>
  <label><input type="checkbox" id="escalations-only"> escalation paths only</label>
</div>
<table class="matrix" id="matrix"></table>
<p class="legend">Rows: who acts (product, admins, nodes, system, unknown). Columns: where (product namespaces, shared namespaces, unowned namespaces, cluster-scoped resources). Each cell: the strongest action and how many principals.
<span style="background:#fde2e1"></span>cross-product <span style="background:#fff4d6"></span>cross-product the config allows <span style="background:#e8f3e8"></span>own product</p>
<div id="detail"><h2>Click a cell to see who, and the chain behind it.</h2></div>
<div id="changes"></div>
<script type="application/json" id="access-data">{{DATA}}</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("access-data").textContent);
  var matrix = data.matrix || { rows: [], columns: [], cells: [], principals: [] };
  var filter = document.getElementById("filter");
  var fromSel = document.getElementById("from");
  var crossOnly = document.getElementById("cross-only");
  var escOnly = document.getElementById("escalations-only");
  var table = document.getElementById("matrix");
  var detail = document.getElementById("detail");
  var selected = null;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { e.textContent = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { e.appendChild(c); });
    return e;
  }

  matrix.rows.forEach(function (r) { fromSel.appendChild(el("option", { value: r, text: r })); });

  function entryText(e) {
    return [e.principal, e.namespace, e.action.label].concat(e.chain.map(function (s) {
      return s.text + " " + (s.file || "") + (s.line ? ":" + s.line : "");
    })).join(" ").toLowerCase();
  }

  function visibleEntries(cell) {
    var q = filter.value.trim().toLowerCase();
    if (crossOnly.checked && !cell.crossProduct) { return []; }
    if (fromSel.value && cell.from !== fromSel.value) { return []; }
    return cell.entries.filter(function (e) {
      if (escOnly.checked && !e.action.escalation) { return false; }
      return !q || entryText(e).indexOf(q) >= 0;
    });
  }

  function draw() {
    table.textContent = "";
    var head = el("tr", {}, [el("th", { text: "from \\ to" })]);
    matrix.columns.forEach(function (c) { head.appendChild(el("th", { text: c })); });
    table.appendChild(el("thead", {}, [head]));
    var body = el("tbody");
    var shown = 0;
    matrix.rows.forEach(function (r) {
      var tr = el("tr", {}, [el("th", { "class": "row", text: r })]);
      matrix.columns.forEach(function (c) {
        var cell = matrix.cells.find(function (x) { return x.from === r && x.to === c; });
        var entries = cell ? visibleEntries(cell) : [];
        if (!entries.length) {
          tr.appendChild(el("td", { "class": "empty", "data-from": r, "data-to": c, text: "–" }));
          return;
        }
        shown++;
        var best = entries[0];
        var cls = "cell";
        if (cell.crossProduct) {
          cls += " cross";
          if (entries.every(function (e) { return e.allowed; })) { cls += " allowed"; }
        } else if (r === c) { cls += " self"; }
        if (selected && selected.from === r && selected.to === c) { cls += " selected"; }
        var action = el("div", { "class": "action", text: best.action.label });
        if (best.action.escalation) { action.appendChild(el("span", { "class": "esc", text: best.action.escalation })); }
        var td = el("td", { "class": cls, "data-from": r, "data-to": c, title: "Show the chains" }, [
          action,
          el("div", { "class": "count", text: entries.length + (entries.length === 1 ? " principal" : " principals") })
        ]);
        td.addEventListener("click", function () { selected = { from: r, to: c }; draw(); });
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    table.setAttribute("data-shown", String(shown));
    drawDetail();
  }

  function drawDetail() {
    detail.textContent = "";
    if (!selected) {
      detail.appendChild(el("h2", { text: "Click a cell to see who, and the chain behind it." }));
      return;
    }
    var cell = matrix.cells.find(function (x) { return x.from === selected.from && x.to === selected.to; });
    var entries = cell ? visibleEntries(cell) : [];
    detail.appendChild(el("h2", { text: selected.from + " → " + selected.to + ": " + entries.length + (entries.length === 1 ? " principal" : " principals") }));
    entries.forEach(function (e, i) {
      var chain = el("ol", { "class": "chain" });
      e.chain.forEach(function (s) {
        var li = el("li", {}, [el("span", { "class": "step", text: s.step }), document.createTextNode(s.text)]);
        if (s.file) { li.appendChild(el("span", { "class": "place", text: s.file + ":" + s.line })); }
        chain.appendChild(li);
      });
      var where = e.namespace === "*" ? "every namespace" : (e.namespace === "(cluster)" ? "cluster-scoped resources" : "namespace " + e.namespace);
      var summary = el("summary", {}, [
        el("strong", { text: e.principal }),
        document.createTextNode(e.source ? " (via " + e.source + ")" : ""),
        document.createTextNode(" can "),
        el("span", { "class": "action", text: e.action.label }),
        document.createTextNode(" in " + where)
      ]);
      if (e.action.escalation) { summary.appendChild(el("span", { "class": "esc", text: e.action.escalation })); }
      if (e.allowed) { summary.appendChild(el("span", { "class": "tag", text: "allowed by the config" })); }
      var d = el("details", { "class": "entry" }, [summary, chain]);
      if (i === 0) { d.setAttribute("open", ""); }
      detail.appendChild(d);
    });
  }

  function drawSummary() {
    var cp = data.crossProduct || { total: 0, notAllowed: 0 };
    document.getElementById("summary").textContent =
      matrix.principals.length + " principals, " + matrix.rows.length + " rows, " +
      cp.total + " cross-product reach, " + cp.notAllowed + " not allowed by the config.";
    if (data.changes && data.changes.length) {
      var box = document.getElementById("changes");
      box.appendChild(el("h2", { text: "Reach changed since " + (data.query.base || "the base") }));
      var ul = el("ul", { "class": "changes" });
      data.changes.forEach(function (c) {
        ul.appendChild(el("li", { text: c.principal + " " + c.change + " " + c.action + " in " + c.namespace + (c.crossProduct ? " (cross-product)" : "") }));
      });
      box.appendChild(ul);
    }
  }

  // The text box redraws as one types; its change event (on leaving it) must not
  // redraw again, or the table would be replaced under the click that left it.
  filter.addEventListener("input", draw);
  [fromSel, crossOnly, escOnly].forEach(function (x) { x.addEventListener("change", draw); });
  drawSummary();
  draw();
})();
</script>
</body>
</html>
"##;
