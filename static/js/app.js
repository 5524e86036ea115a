// Our own behaviour, kept small: every page works without JavaScript.
// htmx requests carry the CSRF token through the hx-headers attribute on <body>.
