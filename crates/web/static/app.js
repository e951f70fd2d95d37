// Small progressive enhancements; every page works without this script.
document.addEventListener("click", function (e) {
  var t = e.target.closest("[data-print]");
  if (t) { e.preventDefault(); window.print(); return; }
  var b = e.target.closest("[data-back]");
  if (b && history.length > 1) { e.preventDefault(); history.back(); }
});
document.addEventListener("submit", function (e) {
  var f = e.target.closest("form[data-confirm]");
  if (f && !window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
});
