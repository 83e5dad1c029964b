// The track page's "select all" box ticks every task box of its table (the bulk actions).
document.addEventListener("change", function (event) {
  const all = event.target.closest("[data-check-all]");
  if (!all) {
    return;
  }
  const form = all.closest("form");
  const name = all.getAttribute("data-check-all");
  form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
    box.checked = all.checked;
  });
});
