// Long pages on a phone: sections marked data-collapse-narrow start folded (their <summary> says what is inside),
// so the page is a list of headings to open. Without JavaScript every section stays open.
(function () {
  if (!window.matchMedia("(max-width: 760px)").matches) { return; }
  document.querySelectorAll("details[data-collapse-narrow]").forEach(function (d) { d.removeAttribute("open"); });
})();
