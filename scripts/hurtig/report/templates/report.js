(function () {
  "use strict";
  var table = document.getElementById("variants");
  if (table) {
    var tbody = table.tBodies[0];
    var headers = table.querySelectorAll("th[data-type]");
    var cellValue = function (row, index) {
      var cell = row.cells[index];
      return cell ? (cell.getAttribute("data-value") ?? cell.textContent.trim()) : "";
    };
    var key = function (value, numeric) {
      // null = missing; missing values always sort last, whatever the direction.
      if (value === "") return null;
      if (!numeric) return value;
      var number = parseFloat(value);
      return isNaN(number) ? null : number;
    };
    headers.forEach(function (th) {
      th.tabIndex = 0;
      var sort = function () {
        var index = th.cellIndex;
        var numeric = th.getAttribute("data-type") === "num";
        var direction = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(tbody.rows);
        rows.sort(function (r1, r2) {
          var a = key(cellValue(r1, index), numeric), b = key(cellValue(r2, index), numeric);
          if (a === null || b === null) {
            if (a !== b) return a === null ? 1 : -1;
          } else {
            var c = numeric ? a - b : a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
            if (c !== 0) return direction * c;
          }
          return parseInt(r1.dataset.rank, 10) - parseInt(r2.dataset.rank, 10);
        });
        rows.forEach(function (row) { tbody.appendChild(row); });
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
    var filter = document.getElementById("variant-filter");
    var count = document.getElementById("variant-count");
    if (filter) {
      filter.addEventListener("input", function () {
        var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
        var shown = 0;
        Array.prototype.forEach.call(tbody.rows, function (row) {
          var text = row.textContent.toLowerCase();
          var match = words.every(function (w) { return text.indexOf(w) !== -1; });
          row.hidden = !match;
          if (match) shown += 1;
        });
        if (count) count.textContent = shown + " of " + tbody.rows.length + " shown";
      });
    }
  }
  var openTarget = function () {
    if (!location.hash) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.tagName === "DETAILS") target.open = true;
  };
  window.addEventListener("hashchange", openTarget);
  openTarget();
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.variant").forEach(function (d) { d.open = true; });
  });
})();
