// Attendance sheet: live counts, the "saving" state, and taps that a bad connection lost are
// sent again. Each tap is saved by htmx (hx-post on the line); the page works without this file.
(function () {
  "use strict";

  const RETRY_EVERY_MS = 10000;

  function sheet() {
    return document.getElementById("sheet-form");
  }

  function recount() {
    const form = sheet();
    if (!form || !form.querySelector('input[type="radio"]')) {
      return;
    }
    const counts = { unrecorded: 0 };
    form.querySelectorAll(".att-row").forEach(function (row) {
      const checked = row.querySelector('input[type="radio"]:checked');
      const key = checked ? checked.value : "unrecorded";
      counts[key] = (counts[key] || 0) + 1;
    });
    document.querySelectorAll("#sheet-counts [data-count]").forEach(function (element) {
      const key = element.dataset.count;
      if (key !== "expected") {
        element.textContent = String(counts[key] || 0);
      }
    });
  }

  // The "saving", "offline" and "failed" messages are the same on every line: the page sends
  // them once (a template) and each line gets a copy here, also the lines swapped in later.
  function addStateMessages() {
    const messages = document.getElementById("att-state-messages");
    if (!messages) {
      return;
    }
    document.querySelectorAll(".att-state").forEach(function (state) {
      if (!state.querySelector(".att-state__saving")) {
        state.appendChild(messages.content.cloneNode(true));
      }
    });
  }

  function markOffline(element) {
    const row = element && element.closest(".att-row");
    if (row) {
      row.classList.add("att-row--offline");
    }
  }

  function resend() {
    if (!navigator.onLine || !window.htmx) {
      return;
    }
    document.querySelectorAll(".att-row--offline").forEach(function (row) {
      row.classList.remove("att-row--offline");
      window.htmx.trigger(row, "change");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!sheet()) {
      return;
    }
    document.documentElement.classList.add("js");
    if (window.htmx) {
      window.htmx.config.timeout = 15000;
    }
    addStateMessages();
    document.body.addEventListener("htmx:oobAfterSwap", addStateMessages);
    sheet().addEventListener("change", recount);
    document.body.addEventListener("htmx:afterSettle", recount);
    document.body.addEventListener("htmx:oobAfterSwap", recount);
    // A refused tap (409: changed meanwhile or sheet closed; 400: bad input) comes back as the
    // line to show, with the value on record and the reason: swap it in.
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      const status = event.detail.xhr.status;
      if (status === 409 || status === 400) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
    document.body.addEventListener("htmx:sendError", function (event) {
      markOffline(event.detail.elt);
    });
    document.body.addEventListener("htmx:timeout", function (event) {
      markOffline(event.detail.elt);
    });
    document.body.addEventListener("htmx:responseError", function (event) {
      const row = event.detail.elt && event.detail.elt.closest(".att-row");
      if (event.detail.xhr.status >= 500) {
        markOffline(row);
      } else if (row) {
        row.classList.add("att-row--failed");
      }
    });
    window.addEventListener("online", resend);
    window.setInterval(resend, RETRY_EVERY_MS);
  });
})();
