// Attendance sheet: the big status buttons, live counts, the "saving" state, and taps that a
// bad connection lost are kept on the phone and sent again (offline.js). Each tap is saved by
// htmx (hx-post on the line); the page works without this file.
//
// The server sends each line as the form needs it without JavaScript (a <select> of the
// statuses, the note, the versions: sessions/templatetags/attendance_sheet.py). Here each line
// becomes what the phone shows: a radio button per status under the person's name, the htmx
// attributes of a tap, ids for the answers to find the fields, and the line's live region with
// the messages sent once in #att-state-messages.
(function () {
  "use strict";

  function sheet() {
    return document.getElementById("sheet-form");
  }

  function hiddenField(row, pid, name, id) {
    const form = sheet();
    let input = form && form.elements.namedItem(name + "_" + pid);
    if (!input) {
      // Left out by the server when empty (most lines): the answers update it.
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name + "_" + pid;
      input.value = "";
      row.appendChild(input);
    }
    input.id = id + "-" + pid;
    return input;
  }

  function upgrade(row) {
    const select = row.querySelector("select[name^='status_']");
    if (!select) {
      return; // a closed sheet's line, or already done
    }
    const pid = row.id.slice("row-".length);
    row.dataset.participant = pid; // offline.js reads it
    const statuses = document.createElement("div");
    statuses.className = "att-statuses";
    Array.from(select.options).forEach(function (option) {
      if (!option.value) {
        return; // "not marked": no button, as no radio is checked
      }
      const id = "status-" + pid + "-" + option.value;
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.className = "btn-check";
      radio.name = select.name;
      radio.id = id;
      radio.value = option.value;
      radio.autocomplete = "off";
      radio.defaultChecked = option.defaultSelected;
      radio.checked = option.selected;
      const label = document.createElement("label");
      label.className = "btn att-btn att-btn--" + option.value;
      label.htmlFor = id;
      label.textContent = option.textContent;
      statuses.append(radio, label);
    });
    select.replaceWith(statuses);
    const note = row.querySelector("input[name^='note_']");
    if (note) {
      note.id = "note-" + pid;
      note.classList.add("form-control", "form-control-sm");
    }
    hiddenField(row, pid, "version", "version");
    hiddenField(row, pid, "seen_status", "seen-status");
    hiddenField(row, pid, "seen_note", "seen-note");
    const sign = row.querySelector("a.att-sign");
    if (sign) {
      sign.classList.add("btn", "btn-outline-primary");
    }
    let state = row.querySelector(".att-state");
    if (!state) {
      state = document.createElement("p");
      state.className = "att-state";
      row.appendChild(state);
    }
    state.id = "state-" + pid;
    state.setAttribute("role", "status");
    addStateMessages(state);
    const form = sheet();
    row.setAttribute("hx-post", form.dataset.recordUrl + pid + "/");
    row.setAttribute("hx-trigger", "change");
    row.setAttribute("hx-params", ["status", "note", "version"].map((n) => n + "_" + pid).join(","));
    row.setAttribute("hx-swap", "none");
    row.setAttribute("hx-sync", "this:queue last");
    if (window.htmx) {
      window.htmx.process(row);
    }
  }

  // The "saving", "offline" and "failed" messages are the same on every line: the page sends
  // them once and each line's live region gets a copy (again after an answer replaced it).
  function addStateMessages(state) {
    const messages = document.getElementById("att-state-messages");
    if (messages && state && !state.querySelector(".att-state__saving")) {
      state.appendChild(messages.content.cloneNode(true));
    }
  }

  function upgradeAll(root) {
    const form = sheet();
    if (!form || !root) {
      return;
    }
    if (root.matches && root.matches(".att-row")) {
      upgrade(root);
    }
    if (root.querySelectorAll) {
      root.querySelectorAll(".att-row").forEach(upgrade);
    }
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

  // Deferred: the page is parsed, htmx and offline.js have not started yet (they wait for
  // DOMContentLoaded), so both find the lines as the phone shows them.
  if (sheet()) {
    document.documentElement.classList.add("js");
    upgradeAll(sheet());
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!sheet()) {
      return;
    }
    if (window.htmx) {
      window.htmx.config.timeout = 15000;
    }
    sheet().addEventListener("change", recount);
    document.body.addEventListener("htmx:afterSettle", recount);
    document.body.addEventListener("htmx:oobAfterSwap", function (event) {
      // A refused tap's line (409, 400) comes back as the server writes it: it gets what
      // this file adds (the answer to a saved tap brings its own messages).
      upgradeAll(event.target);
      recount();
    });
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

  window.cotrainingSheet = { upgrade: upgradeAll, addStateMessages: addStateMessages };
})();
