// The changes an attendance sheet keeps on the phone while there is no connection, in IndexedDB
// (idb-keyval), and sending them in the order they were made. Shared by the page (offline.js)
// and the service worker (Background Sync), so it needs neither the page nor the worker.
// A change: {id, seq, sheet, sync, csrf, participant, kind, status, note, version, device_time,
// state: "waiting" | "conflict", state_html}; a signature (kind "signature") adds role, strokes,
// mark, as_mark, arrived_at, left_at. "conflict": the server refused it (someone else
// changed the line, the sheet was closed); it stays until the facilitator decides.
(function (scope) {
  "use strict";

  const kv = scope.idbKeyval;
  const store = kv.createStore("cotraining-offline", "changes");
  let sending = null;
  let adding = Promise.resolve();

  function all() {
    return kv.values(store).then(function (changes) {
      return changes.sort(function (a, b) {
        return a.seq - b.seq;
      });
    });
  }

  function forSheet(sheet) {
    return all().then(function (changes) {
      return changes.filter(function (change) {
        return change.sheet === sheet;
      });
    });
  }

  function waiting() {
    return all().then(function (changes) {
      return changes.filter(function (change) {
        return change.state === "waiting";
      });
    });
  }

  // A new tap on a line whose earlier tap still waits replaces it, keeping the version that
  // earlier tap was based on: the server sees one change from what the phone last knew.
  // A conflict on that line is settled by this tap (the facilitator decided).
  function add(change) {
    // One at a time: a tap and a note on the same line, made at once, must see each other.
    adding = adding.catch(function () {}).then(function () {
      return addNow(change);
    });
    return adding;
  }

  // A line's taps replace each other; a signature replaces only that person's earlier one.
  function group(change) {
    return change.kind === "signature" ? "signature:" + change.role : "line";
  }

  function addNow(change) {
    return forSheet(change.sheet).then(function (changes) {
      const same = changes.filter(function (other) {
        return other.participant === change.participant && group(other) === group(change);
      });
      const earlier = same.find(function (other) {
        return other.state === "waiting";
      });
      const entry = Object.assign({}, change, {
        id: scope.crypto.randomUUID(),
        seq: Date.now() * 1000 + Math.floor(Math.random() * 1000),
        device_time: new Date().toISOString(),
        state: "waiting",
      });
      if (earlier) {
        entry.version = earlier.version;
      }
      return kv
        .delMany(
          same.map(function (other) {
            return other.id;
          }),
          store,
        )
        .then(function () {
          return kv.set(entry.id, entry, store);
        })
        .then(function () {
          return entry;
        });
    });
  }

  function settle(participant, sheet) {
    return forSheet(sheet).then(function (changes) {
      return kv.delMany(
        changes
          .filter(function (change) {
            return (
              change.participant === participant &&
              change.state === "conflict" &&
              change.kind !== "signature"
            );
          })
          .map(function (change) {
            return change.id;
          }),
        store,
      );
    });
  }

  function payload(change) {
    const sent = {
      id: change.id,
      participant: change.participant,
      kind: change.kind,
      status: change.status,
      note: change.note,
      version: change.version,
      device_time: change.device_time,
    };
    if (change.kind === "signature") {
      ["role", "strokes", "mark", "as_mark", "arrived_at", "left_at"].forEach(function (name) {
        sent[name] = change[name];
      });
    }
    return sent;
  }

  // Send one sheet's waiting changes; answer {answers, synced_at} or {error, status}.
  function sendSheet(changes, csrf) {
    return scope
      .fetch(changes[0].sync, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ changes: changes.map(payload) }),
      })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            return response.ok ? body : { error: body.error || "", status: response.status };
          });
      });
  }

  function record(changes, body) {
    const byId = {};
    changes.forEach(function (change) {
      byId[change.id] = change;
    });
    const writes = [];
    const removed = [];
    body.results.forEach(function (answer) {
      const change = byId[answer.id];
      if (!change) {
        return;
      }
      if (answer.result === "applied" || answer.result === "unchanged") {
        removed.push(change.id);
      } else {
        const kept = Object.assign({}, change, {
          state: "conflict",
          state_html: answer.state || "",
          message: answer.message || "",
        });
        writes.push([change.id, kept]);
      }
    });
    return kv
      .delMany(removed, store)
      .then(function () {
        return writes.length ? kv.setMany(writes, store) : null;
      })
      .then(function () {
        return body;
      });
  }

  // Send every waiting change, sheet by sheet, in the order made. One sending at a time: the
  // page's "online" event and Background Sync may both ask. ``csrf`` overrides the token the
  // changes were stored with (the page knows a fresher one).
  function flush(csrf) {
    if (sending) {
      return sending;
    }
    sending = waiting()
      .then(function (changes) {
        const sheets = [];
        changes.forEach(function (change) {
          if (sheets.indexOf(change.sync) < 0) {
            sheets.push(change.sync);
          }
        });
        const reports = [];
        return sheets
          .reduce(function (previous, sync) {
            return previous.then(function () {
              const batch = changes.filter(function (change) {
                return change.sync === sync;
              });
              return sendSheet(batch, csrf || batch[batch.length - 1].csrf)
                .then(function (body) {
                  return body.results ? record(batch, body) : body;
                })
                .then(function (body) {
                  reports.push(Object.assign({ sheet: batch[0].sheet }, body));
                });
            });
          }, Promise.resolve())
          .then(function () {
            return reports;
          });
      })
      .finally(function () {
        sending = null;
      });
    return sending;
  }

  function clear() {
    return kv.clear(store);
  }

  scope.cotrainingQueue = { add: add, all: all, forSheet: forSheet, waiting: waiting, settle: settle, flush: flush, clear: clear };
})(self);
