// Progressive enhancement only; every page works without it. No inline script (CSP).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); return; }
  // One click, one submission: disable the submit buttons once the form is on its way.
  if (!event.defaultPrevented) {
    form.querySelectorAll("button[type=submit]").forEach(function (b) { setTimeout(function () { b.disabled = true; }, 0); });
  }
});
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches("[data-select-all]")) {
    document.querySelectorAll("input[name='" + el.getAttribute("data-select-all") + "']").forEach(function (c) { c.checked = el.checked; });
  }
  if (el.matches("[data-autosubmit]")) { el.form.submit(); }
});
