// Print pages (品字标 申报表 and 意见表): the 打印 button. A file of its own because the CSP allows no inline script.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
