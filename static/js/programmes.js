// Selection board: a decision that needs attention (a full programme asks for a reason, or the
// application changed meanwhile) answers 400 or 409 with the card showing the message; htmx
// does not swap error responses by default, so let these through to be shown in place.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status === 400 || status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
