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
// The 管理 menu closes on Escape (focus back on its entry) and on a click elsewhere.
document.addEventListener("keydown", function (e) {
  if (e.key !== "Escape") { return; }
  document.querySelectorAll("details.nav-group[open]").forEach(function (d) {
    d.open = false; d.querySelector("summary").focus();
  });
});
document.addEventListener("click", function (e) {
  document.querySelectorAll("details.nav-group[open]").forEach(function (d) {
    if (!d.contains(e.target)) { d.open = false; }
  });
});
