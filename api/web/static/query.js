/* The query page: example buttons fill the SPARQL box; "Run" sends the query to /sparql on
   this page's own origin and shows the answer as a table. Every value is written with
   textContent; only IRIs of this dataset become links (to their /id/ page). */
(function () {
  "use strict";
  var ID = "https://w3id.org/plantrace/id/";
  /* the path the service is served under (PLANTRACE_BASE_URL), "" at the root */
  var ROOT = document.documentElement.getAttribute("data-root") || "";

  function cell(term) {
    var td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri" && term.value.indexOf(ID) === 0) {
      var a = document.createElement("a");
      a.href = ROOT + "/id/" + term.value.substring(ID.length);
      a.textContent = term.value.substring(ID.length);
      td.appendChild(a);
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) {
        var lang = document.createElement("span");
        lang.className = "lang";
        lang.textContent = " @" + term["xml:lang"];
        td.appendChild(lang);
      }
    }
    return td;
  }

  function table(json, out, labels) {
    var vars = (json.head && json.head.vars) || [];
    var rows = (json.results && json.results.bindings) || [];
    var info = document.createElement("p");
    info.className = "note";
    info.textContent = rows.length + " " + labels.rows + (json.truncated ? " " + labels.truncated : "");
    out.appendChild(info);
    if (typeof json.boolean === "boolean") {
      var b = document.createElement("p");
      b.textContent = String(json.boolean);
      out.appendChild(b);
      return;
    }
    var t = document.createElement("table");
    t.id = "sparql-table";
    var head = document.createElement("tr");
    vars.forEach(function (v) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = "?" + v;
      head.appendChild(th);
    });
    t.appendChild(head);
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
      t.appendChild(tr);
    });
    var box = document.createElement("div");  /* scrolls sideways: a named tab stop */
    box.className = "scroll";
    box.setAttribute("role", "region");
    box.setAttribute("tabindex", "0");
    box.setAttribute("aria-label", labels.table);
    box.appendChild(t);
    out.appendChild(box);
  }

  function run(form, out, labels) {
    out.textContent = "";
    var body = new URLSearchParams();
    body.set("query", form.elements.query.value);
    out.setAttribute("data-state", "running");
    fetch(ROOT + "/sparql", {
      method: "POST",
      headers: { "Accept": "application/sparql-results+json" },
      body: body
    }).then(function (r) {
      if (!r.ok) {
        return r.text().then(function (text) { throw new Error(r.status + ": " + text); });
      }
      return r.json();
    }).then(function (json) {
      table(json, out, labels);
      out.setAttribute("data-state", "done");
    }).catch(function (e) {
      var p = document.createElement("p");
      p.className = "error";
      p.textContent = String(e.message || e);
      out.appendChild(p);
      out.setAttribute("data-state", "error");
    });
  }

  function start() {
    var form = document.getElementById("sparql-form");
    var out = document.getElementById("sparql-results");
    if (!form || !out) { return; }
    var labels = { rows: form.getAttribute("data-rows") || "rows",
                   truncated: form.getAttribute("data-truncated") || "(truncated)",
                   table: form.getAttribute("data-table") || "SPARQL" };
    Array.prototype.forEach.call(document.querySelectorAll("button[data-example]"), function (b) {
      b.addEventListener("click", function () {
        form.elements.query.value = b.getAttribute("data-query") || "";
        run(form, out, labels);
      });
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      run(form, out, labels);
    });
    var nojs = document.getElementById("needs-js");
    if (nojs) { nojs.hidden = true; }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
