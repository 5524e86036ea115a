// Our own behaviour, kept small: every page works without JavaScript.
// htmx requests carry the CSRF token through the hx-headers attribute on <body>.

// A form sent back with errors: bring the first thing to correct into view and give it the
// focus. The page reloads at its top, and on a phone an error further down was out of sight,
// as if nothing had happened.
document.addEventListener("DOMContentLoaded", () => {
  if (window.location.hash) {
    return;
  }
  const first = document.querySelector(
    "main form .is-invalid, main form .alert-danger, main form .att-row--error",
  );
  if (!first) {
    return;
  }
  if (!first.matches("input, select, textarea, button, a[href]")) {
    first.setAttribute("tabindex", "-1");
  }
  first.focus({ preventScroll: true });
  first.scrollIntoView({ block: "center" });
});

// A request htmx sent that failed (the object is gone, a server error, no connection) changed
// nothing on screen, as if the button did not work: say so. An attendance line shows its own
// state (attendance.js).
function showRequestFailed(event) {
  if (event.detail.elt && event.detail.elt.closest(".att-row")) {
    return;
  }
  const box = document.getElementById("request-failed");
  if (box) {
    box.hidden = false;
    box.scrollIntoView({ block: "center" });
  }
}
document.addEventListener("htmx:responseError", showRequestFailed);
document.addEventListener("htmx:sendError", showRequestFailed);

// The header's "Menu" button on a phone (the CSS hides the menu only when this script runs).
document.addEventListener("DOMContentLoaded", () => {
  for (const toggle of document.querySelectorAll("[data-menu-toggle]")) {
    const menu = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) {
      continue;
    }
    const show = (open) => {
      menu.classList.toggle("is-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    toggle.addEventListener("click", () => show(!menu.classList.contains("is-open")));
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        show(false);
        toggle.focus();
      }
    });
  }
  // A programme's menu scrolled sideways on a phone: bring the current page into view.
  const current = document.querySelector(".programme-nav [aria-current='page']");
  if (current) {
    const list = current.closest(".programme-nav__list");
    if (list && list.scrollWidth > list.clientWidth) {
      list.scrollLeft = current.offsetLeft - (list.clientWidth - current.offsetWidth) / 2;
    }
  }
});
