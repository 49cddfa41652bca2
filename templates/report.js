/* drscan HTML report: client-side filtering and sorting of the server-rendered tables. */
(function () {
  "use strict";
  var automatedOnly = document.getElementById("automated-only");
  if (automatedOnly) {
    automatedOnly.addEventListener("change", function () {
      document.body.classList.toggle("automated-only", automatedOnly.checked);
    });
  }

  var table = document.getElementById("findings");
  if (!table) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var total = rows.length;
  var text = new Map();
  rows.forEach(function (row, i) {
    row.dataset.index = String(i);
    text.set(row, row.textContent.replace(/\s+/g, " ").toLowerCase());
  });

  var input = document.getElementById("filter");
  var selects = {
    status: document.getElementById("status-filter"),
    severity: document.getElementById("severity-filter"),
    provider: document.getElementById("provider-filter")
  };
  var counter = document.getElementById("shown-count");
  var empty = document.getElementById("no-match");

  function apply() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var haystack = text.get(row);
      var ok = terms.every(function (t) { return haystack.indexOf(t) !== -1; });
      Object.keys(selects).forEach(function (key) {
        var want = selects[key].value;
        if (want && row.dataset[key] !== want) ok = false;
      });
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    counter.textContent = shown + " of " + total + " findings";
    empty.hidden = shown !== 0;
  }

  input.addEventListener("input", apply);
  Object.keys(selects).forEach(function (key) { selects[key].addEventListener("change", apply); });
  document.getElementById("filter-reset").addEventListener("click", function () {
    input.value = "";
    Object.keys(selects).forEach(function (key) { selects[key].value = ""; });
    apply();
  });

  // Sorting: status and severity sort by rank (worst first), other columns by cell text.
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function keyOf(row, col, kind) {
    if (kind === "status") return Number(row.dataset.statusRank);
    if (kind === "severity") return Number(row.dataset.severityRank);
    return row.cells[col].textContent.replace(/\s+/g, " ").trim().toLowerCase();
  }
  headers.forEach(function (th, col) {
    var kind = th.dataset.sort;
    if (!kind) return;
    th.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var dir = ascending ? 1 : -1;
      rows.slice().sort(function (a, b) {
        var ka = keyOf(a, col, kind), kb = keyOf(b, col, kind);
        if (ka < kb) return -dir;
        if (ka > kb) return dir;
        return Number(a.dataset.index) - Number(b.dataset.index);
      }).forEach(function (row) { tbody.appendChild(row); });
    });
  });

  apply();
})();
