// The attendance pages without a connection: the service worker keeps the pages, this file keeps
// the taps (offline_queue.js, IndexedDB) and shows where they are in the bar
// (sessions/offline_bar.html, whose data attributes hold the translated sentences).
// Online, taps are still saved one by one by htmx (attendance.js); without JavaScript the sheet
// is one form. Loaded on every page: logging out asks first when changes are still waiting.
(function () {
  "use strict";

  const queue = window.cotrainingQueue;
  const RETRY_EVERY_MS = 15000;
  const SIGN_LINKS = 'a[href*="/sign/"], a[href^="sign/"]';
  let lastSync = "";
  let notice = "";

  function bar() {
    return document.getElementById("offline-bar");
  }

  function sheetForm() {
    return document.getElementById("sheet-form");
  }

  function sheetPath() {
    return window.location.pathname;
  }

  function csrfToken() {
    const headers = document.body.getAttribute("hx-headers");
    try {
      return JSON.parse(headers)["X-CSRFToken"];
    } catch {
      return "";
    }
  }

  function plural(element, name, count) {
    const text = element.dataset[count === 1 ? name + "One" : name + "Other"];
    return text.replace("%(count)s", String(count));
  }

  // --- The bar ---------------------------------------------------------------------------

  function render() {
    const element = bar();
    if (!element || !queue) {
      return Promise.resolve();
    }
    return queue.all().then(function (changes) {
      const waiting = changes.filter(function (change) {
        return change.state === "waiting";
      }).length;
      const conflicts = changes.filter(function (change) {
        return change.state === "conflict" && change.sheet === sheetPath();
      }).length;
      const parts = [];
      if (!navigator.onLine) {
        parts.push(waiting ? plural(element, "offline", waiting) : element.dataset.offlineNone);
      } else if (waiting) {
        parts.push(plural(element, "sending", waiting));
      } else if (lastSync) {
        parts.push(element.dataset.synced.replace("%(time)s", lastSync));
      }
      if (conflicts) {
        parts.push(plural(element, "conflict", conflicts));
      }
      if (notice) {
        parts.push(notice);
      }
      const text = parts.join(" ");
      element.querySelector("[data-offline-text]").textContent = text;
      element.hidden = !text;
      element.classList.toggle("offline-bar--offline", !navigator.onLine);
      element.classList.toggle("offline-bar--conflict", conflicts > 0);
    });
  }

  function say(text) {
    notice = text || "";
    return render();
  }

  // --- The sheet -------------------------------------------------------------------------

  function rowOf(participant) {
    return document.getElementById("row-" + participant);
  }

  // A signature's place on the sheet: its "Sign" link, or the note put there instead.
  function signatureSpot(participant, role) {
    const key = role + "-" + participant;
    const shown = document.querySelector('[data-signature-for="' + key + '"]');
    if (shown) {
      return shown;
    }
    // The sheet's own links are relative ("sign/trainee/7/"), a refused form's are not.
    const link = document.querySelector('a[href$="sign/' + role + "/" + participant + '/"]');
    if (!link) {
      return null;
    }
    const spot = document.createElement("span");
    spot.dataset.signatureFor = key;
    link.replaceWith(spot);
    return spot;
  }

  function showSignature(participant, role, text, kind) {
    const spot = signatureSpot(participant, role);
    if (!spot) {
      return;
    }
    spot.textContent = text;
    const colour = { waiting: "text-bg-warning", saved: "text-bg-success", conflict: "text-bg-danger" };
    spot.className = "badge text-wrap att-signature-" + kind + " " + colour[kind];
  }

  function showWaiting(change) {
    if (change.kind === "signature") {
      showSignature(change.participant, change.role, bar().dataset.signatureWaiting, "waiting");
      return;
    }
    const row = rowOf(change.participant);
    if (!row) {
      return;
    }
    const radio = row.querySelector('input[type="radio"][value="' + change.status + '"]');
    if (radio) {
      radio.checked = true;
    }
    const note = row.querySelector('input[name^="note_"]');
    if (note && change.kind === "tap") {
      note.value = change.note;
    }
    row.classList.remove("att-row--error", "att-row--failed");
    row.classList.add("att-row--offline");
  }

  function showAnswer(participant, answer) {
    const row = rowOf(participant);
    if (!row || answer.status === undefined) {
      return;
    }
    row.classList.remove("att-row--offline");
    row.querySelectorAll('input[type="radio"]').forEach(function (radio) {
      radio.checked = radio.value === answer.status;
    });
    const note = row.querySelector('input[name^="note_"]');
    if (note) {
      note.value = answer.note;
    }
    [
      ["version-", answer.version],
      ["seen-status-", answer.status],
      ["seen-note-", answer.note],
    ].forEach(function (pair) {
      const input = document.getElementById(pair[0] + participant);
      if (input) {
        input.value = String(pair[1]);
      }
    });
    const state = document.getElementById("state-" + participant);
    if (state && answer.state) {
      // Our own server's rendering of the line's state (sessions/attendance_sheet.html).
      state.innerHTML = answer.state;
    }
    row.classList.toggle("att-row--error", answer.result === "conflict" || answer.result === "closed");
  }

  function recount() {
    const form = sheetForm();
    if (form) {
      form.dispatchEvent(new Event("change"));
    }
  }

  function restore() {
    if (!sheetForm()) {
      return Promise.resolve();
    }
    return queue.forSheet(sheetPath()).then(function (changes) {
      changes.forEach(function (change) {
        if (change.state === "waiting") {
          showWaiting(change);
        } else if (change.kind === "signature") {
          showSignature(change.participant, change.role, change.message, "conflict");
        } else {
          // Refused while the page was closed (Background Sync): the line already shows the
          // value on record; say why the phone's change is not there.
          const state = document.getElementById("state-" + change.participant);
          const row = rowOf(change.participant);
          if (state && row && change.state_html) {
            state.innerHTML = change.state_html;
            row.classList.add("att-row--error");
          }
        }
      });
      recount();
    });
  }

  function rowStatus(participant) {
    const checked = rowOf(participant).querySelector('input[type="radio"]:checked');
    return checked ? checked.value : "";
  }

  function rowNote(participant) {
    const note = rowOf(participant).querySelector('input[name^="note_"]');
    return note ? note.value : "";
  }

  function keep(row, kind) {
    const participant = Number(row.dataset.participant);
    const status = kind === "mark_present" ? "present" : rowStatus(participant);
    if (!status) {
      return Promise.resolve();
    }
    return queue
      .add({
        sheet: sheetPath(),
        sync: sheetForm().dataset.syncUrl,
        csrf: csrfToken(),
        participant: participant,
        kind: kind,
        status: status,
        note: kind === "tap" ? rowNote(participant) : "",
        version: Number(document.getElementById("version-" + participant).value),
      })
      .then(function (change) {
        showWaiting(change);
        return askBackgroundSync();
      })
      .catch(function () {
        row.classList.add("att-row--failed");
        return say(bar().dataset.noStorage);
      })
      .then(render);
  }

  function askBackgroundSync() {
    if (!("serviceWorker" in navigator)) {
      return null;
    }
    return navigator.serviceWorker.ready
      .then(function (registration) {
        return registration.sync ? registration.sync.register("attendance") : null;
      })
      .catch(function () {
        return null; // not offered by this browser: the page sends on load and when online
      });
  }

  function applyReports(reports) {
    reports.forEach(function (report) {
      if (report.results) {
        lastSync = report.synced_at;
        if (report.sheet === sheetPath()) {
          report.results.forEach(function (answer) {
            if (answer.kind === "signature") {
              const sent = answer.result === "applied" || answer.result === "unchanged";
              showSignature(
                answer.participant,
                answer.role,
                sent ? bar().dataset.signatureSaved : answer.message,
                sent ? "saved" : "conflict",
              );
            } else if (answer.participant) {
              showAnswer(answer.participant, answer);
            }
          });
        }
      } else if (report.status === 403 || report.status === 404) {
        // Signed out meanwhile, or no longer on the team: the changes stay on the phone.
        notice = bar() ? bar().dataset.reload : "";
      }
    });
    recount();
  }

  // A sending that failed while the phone says it is online (a server error, a connection
  // that is not quite back) is tried again soon, then less and less often.
  let retryIn = 2000;
  let retryTimer = null;

  function retrySoon() {
    if (retryTimer || !navigator.onLine) {
      return;
    }
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      sync();
    }, retryIn);
    retryIn = Math.min(retryIn * 2, RETRY_EVERY_MS);
  }

  function sync() {
    if (!queue || !navigator.onLine) {
      return render();
    }
    return queue
      .flush(csrfToken())
      .then(function (reports) {
        applyReports(reports);
        if (reports.some((report) => report.status >= 500)) {
          retrySoon();
        } else {
          retryIn = 2000;
        }
      })
      .catch(retrySoon) // the connection dropped again: the changes wait
      .then(render);
  }

  // A tap the page cannot send (offline, or an earlier tap of that line still waits) is kept.
  function interceptTap(event) {
    const row = event.detail.elt && event.detail.elt.closest(".att-row");
    if (!row || !sheetForm()) {
      return;
    }
    if (!navigator.onLine || row.classList.contains("att-row--offline")) {
      event.preventDefault();
      queue.settle(Number(row.dataset.participant), sheetPath()).then(function () {
        return keep(row, "tap").then(function () {
          return navigator.onLine ? sync() : null;
        });
      });
    } else {
      queue.settle(Number(row.dataset.participant), sheetPath()).then(render);
    }
  }

  function isLogout(form) {
    const warning = document.getElementById("offline-logout");
    return Boolean(warning) && new URL(form.action).pathname === warning.dataset.logoutUrl;
  }

  function interceptForms(event) {
    const form = event.target;
    if (navigator.onLine || !bar() || event.defaultPrevented) {
      return;
    }
    if (form.matches("[data-offline-mark-present]")) {
      event.preventDefault();
      const rows = Array.from(document.querySelectorAll(".att-row")).filter(function (row) {
        return !row.querySelector('input[type="radio"]:checked');
      });
      rows
        .reduce(function (previous, row) {
          return previous.then(function () {
            return keep(row, "mark_present");
          });
        }, Promise.resolve())
        .then(recount);
    } else if (form.id === "sheet-form") {
      event.preventDefault();
      say(bar().dataset.kept);
    } else if (form.method.toLowerCase() === "post" && !isLogout(form)) {
      event.preventDefault();
      say(bar().dataset.needsConnection);
    }
  }

  // Offline, a signing page opens only from the phone's copy (kept by "prepare"): without
  // one, say so on the sheet instead of leaving for a page that cannot open.
  function interceptSign(event) {
    const link = event.target.closest && event.target.closest(SIGN_LINKS);
    if (!link || navigator.onLine || !bar() || !window.caches) {
      return;
    }
    event.preventDefault();
    const url = new URL(link.href, window.location.href);
    caches
      .match(url.origin + url.pathname)
      .then(function (copy) {
        if (copy) {
          window.location.href = link.href;
        } else {
          say(bar().dataset.signNotPrepared);
        }
      })
      .catch(function () {
        say(bar().dataset.signNotPrepared);
      });
  }

  // --- Preparing a day -------------------------------------------------------------------

  // A sheet's signing pages, read from the sheet just fetched: kept too, to sign offline.
  function signingPages(response) {
    return response.text().then(function (html) {
      const page = new DOMParser().parseFromString(html, "text/html");
      return Array.from(page.querySelectorAll(SIGN_LINKS)).map(function (link) {
        // Relative to the sheet they are on, not to the page that prepares the day.
        return new URL(link.getAttribute("href"), response.url).href;
      });
    });
  }

  function keepPage(cache, url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || response.redirected) {
        throw new Error(url);
      }
      const copy = response.clone();
      return cache.put(new URL(url, window.location.href).href, response).then(function () {
        return copy;
      });
    });
  }

  function prepare(button) {
    const element = bar();
    const urls = button.dataset.urls.split(" ");
    button.disabled = true;
    caches
      .open(element.dataset.cache)
      .then(function (cache) {
        return Promise.all(
          urls.map(function (url) {
            return keepPage(cache, url)
              .then(signingPages)
              .then(function (pages) {
                return Promise.all(
                  pages.map(function (page) {
                    return keepPage(cache, page);
                  }),
                );
              });
          }),
        );
      })
      .then(function () {
        say(plural(element, "prepared", urls.length));
      })
      .catch(function () {
        say(element.dataset.prepareFailed);
      })
      .finally(function () {
        button.disabled = false;
      });
  }

  // --- Logging out -----------------------------------------------------------------------

  function forget() {
    const caching = window.caches
      ? caches.keys().then(function (keys) {
          return Promise.all(
            keys
              .filter(function (key) {
                return key.indexOf("cotraining-") === 0;
              })
              .map(function (key) {
                return caches.delete(key);
              }),
          );
        })
      : Promise.resolve();
    return Promise.all([queue ? queue.clear() : null, caching]);
  }

  function interceptLogout(event) {
    const form = event.target;
    if (!isLogout(form) || form.dataset.checked) {
      return;
    }
    event.preventDefault();
    const warning = document.getElementById("offline-logout");
    const attempt = navigator.onLine && queue ? queue.flush(csrfToken()).catch(function () {}) : null;
    Promise.resolve(attempt)
      .then(function () {
        return queue ? queue.waiting() : [];
      })
      .then(function (waiting) {
        if (waiting.length && warning) {
          const text = plural(warning, "warning", waiting.length);
          if (!window.confirm(text)) {
            return false;
          }
        }
        return forget().then(function () {
          return true;
        });
      })
      .catch(function () {
        return true;
      })
      .then(function (go) {
        if (go) {
          form.dataset.checked = "1";
          form.submit();
        }
      });
  }

  // --- Start -----------------------------------------------------------------------------

  document.addEventListener("submit", interceptLogout, true);

  document.addEventListener("DOMContentLoaded", function () {
    const element = bar();
    if (!element || !queue) {
      return;
    }
    document.documentElement.classList.add("js");
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(element.dataset.worker, { scope: "/" }).catch(function () {
        return null;
      });
      // The page opened before the worker was ready is not in its cache yet.
      if (!navigator.serviceWorker.controller && window.caches && navigator.onLine) {
        caches.open(element.dataset.cache).then(function (cache) {
          return cache.add(sheetPath());
        }).catch(function () {
          return null;
        });
      }
    }
    document.body.addEventListener("htmx:beforeRequest", interceptTap);
    document.addEventListener("click", interceptSign);
    document.addEventListener("submit", interceptForms);
    document.querySelectorAll("[data-offline-prepare]").forEach(function (button) {
      button.hidden = !window.caches;
      button.addEventListener("click", function () {
        prepare(button);
      });
    });
    window.addEventListener("online", sync);
    window.addEventListener("offline", render);
    window.setInterval(sync, RETRY_EVERY_MS);
    // Background Sync says the connection is back: this open page sends (and shows) itself.
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "attendance-sync-now") {
          sync();
        }
      });
    }
    restore().then(sync);
  });

  window.cotrainingOffline = {
    keep: function (row) {
      return keep(row, "tap");
    },
  };
})();
