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
