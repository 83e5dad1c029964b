// Ask before a step that cannot be undone. Any button or link with data-confirm.
document.addEventListener("click", function (event) {
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
// A read-only field worth copying (the calendar feed link) selects itself when clicked.
document.addEventListener("click", function (event) {
  const field = event.target.closest("[data-select-on-click]");
  if (field) {
    field.select();
  }
});
