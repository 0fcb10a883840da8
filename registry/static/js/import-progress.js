// Import progress: polls the job's JSON status and moves the bar; reloads the page when the phase changes.
// Without JS the page refreshes itself (<noscript> meta refresh), so this is enhancement only.
(function () {
  var box = document.querySelector("[data-import-status]");
  if (!box) { return; }
  var url = box.getAttribute("data-import-status");
  var phase = box.getAttribute("data-status");
  var bar = box.querySelector("progress");
  var count = box.querySelector("[data-processed]");
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { setTimeout(poll, 5000); return; }
        if (bar) { bar.max = s.total_rows || 1; bar.value = s.processed_rows; }
        if (count) { count.textContent = s.processed_rows; }
        if (s.final || s.status !== phase) { window.location.reload(); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
