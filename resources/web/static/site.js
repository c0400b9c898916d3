// Car pages: a filter change applies at once; on a published (static) page the loan
// calculator shows figures that `showroom publish` computed with the app's own calculator
// (the table in #loan-table). No arithmetic happens here, so the page and the app agree.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // One tap sends a booking once (the server answers a repeat with the first answer too).
  document.querySelectorAll("form.booking").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
  var table = document.getElementById("loan-table");
  var form = document.getElementById("loan-form");
  if (!table || !form) { return; }
  var plans = JSON.parse(table.textContent);
  var result = document.querySelector(".loan-result");
  function show() {
    var plan = plans[form.elements.percent.value + "|" + form.elements.term.value];
    result.hidden = !plan;
    if (!plan) { return; }
    result.querySelectorAll("[data-field]").forEach(function (cell) {
      cell.textContent = plan[cell.getAttribute("data-field")];
    });
  }
  form.addEventListener("change", show);
  form.addEventListener("submit", function (event) { event.preventDefault(); show(); });
});
