// Export progress: refresh the job's status every 2 s until it is done or failed (the page works without it).
(function () {
  var box = document.querySelector("[data-export-progress]");
  if (!box) { return; }
  var labels = { pending: "排队中", running: "生成中", done: "已完成", failed: "失败" };
  function poll() {
    fetch(box.getAttribute("data-export-progress"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        box.querySelector("[data-field=status]").textContent = labels[job.status] || job.status;
        var bar = box.querySelector("[data-field=bar]");
        bar.max = job.total || 1; bar.value = job.progress;
        box.querySelector("[data-field=count]").textContent = job.progress + " / " + (job.total || "—");
        if (job.status === "done" && box.hasAttribute("data-reload-when-done")) {
          window.location.reload();
        } else if (job.status === "done" && job.download) {
          var p = box.querySelector("[data-field=download]");
          p.innerHTML = "";
          var a = document.createElement("a");
          a.className = "btn primary"; a.href = job.download; a.textContent = "下载 Excel";
          p.appendChild(a);
        } else if (job.status === "failed") {
          window.location.reload();
        } else {
          setTimeout(poll, 2000);
        }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
