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
