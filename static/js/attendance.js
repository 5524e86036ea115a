// Attendance sheet: live counts, the "saving" state, and taps that a bad connection lost are
// kept on the phone and sent again (offline.js). Each tap is saved by htmx (hx-post on the
// line); the page works without this file.
(function () {
  "use strict";

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

  // The tap did not reach us (no connection, a timeout, a server error): keep it on the
  // phone, to be sent with the others that wait.
  function markOffline(element) {
    const row = element && element.closest(".att-row");
    if (row && window.cotrainingOffline) {
      window.cotrainingOffline.keep(row);
    } else if (row) {
      row.classList.add("att-row--failed");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!sheet()) {
      return;
    }
    document.documentElement.classList.add("js");
    if (window.htmx) {
      window.htmx.config.timeout = 15000;
    }
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
  });
})();
