// Progressive enhancement only; every page works without it. No inline script (CSP).

// Irreversible actions: a form with data-confirm="what will happen" asks first, in the page's <dialog>
// (window.confirm where <dialog> is missing). The form itself stays a plain POST.
function askFirst(form, submitter, question) {
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    if (window.confirm(question)) { form.setAttribute("data-confirmed", "1"); form.requestSubmit(submitter); }
    return;
  }
  dialog.querySelector("#confirm-text").textContent = question;
  var ok = dialog.querySelector("#confirm-ok");
  ok.textContent = (submitter && submitter.textContent.trim()) || ok.getAttribute("data-label") || ok.textContent;
  dialog.returnValue = "";
  dialog.onclose = function () {
    if (dialog.returnValue === "ok") {
      form.setAttribute("data-confirmed", "1");
      if (submitter && submitter.form === form) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
    }
  };
  dialog.showModal();
}

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.getAttribute("method") === "dialog") { return; }
  // The button's own question (a form with several actions) before the form's; {n}: how many boxes are ticked.
  var question = (event.submitter && event.submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  var counted = form.getAttribute("data-count");
  if (question && counted) {
    question = question.replace("{n}", form.querySelectorAll("input[name='" + counted + "']:checked").length);
  }
  if (question && form.getAttribute("data-confirmed") !== "1") {
    event.preventDefault();
    askFirst(form, event.submitter, question);
    return;
  }
  form.removeAttribute("data-confirmed");
  // One click, one submission: disable the submit buttons once the form is on its way.
  form.querySelectorAll("button[type=submit]").forEach(function (b) { setTimeout(function () { b.disabled = true; }, 0); });
});
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches("[data-select-all]")) {
    document.querySelectorAll("input[name='" + el.getAttribute("data-select-all") + "']").forEach(function (c) { c.checked = el.checked; });
  }
  if (el.matches("[data-autosubmit]")) { el.form.submit(); }
});
// A long picker: a search box with data-filter-options="#select-id" hides the options that do not match.
document.addEventListener("input", function (event) {
  var box = event.target;
  if (!box.matches("[data-filter-options]")) { return; }
  var select = document.querySelector(box.getAttribute("data-filter-options"));
  if (!select) { return; }
  var words = box.value.trim().toLowerCase();
  Array.prototype.forEach.call(select.options, function (option) {
    option.hidden = Boolean(words) && option.value !== "" && option.text.toLowerCase().indexOf(words) === -1;
  });
});
