// Signing page: a signature_pad canvas whose strokes (points in CSS pixels and milliseconds)
// are written into the hidden "strokes" field when the form is sent. The mark needs no script
// online; offline, both are kept on the phone and sent later (see keepOffline).
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("sign-form");
    const canvas = document.getElementById("signature-canvas");
    if (!form || !canvas || !window.SignaturePad) {
      return;
    }
    document.documentElement.classList.add("js");
    const pad = new window.SignaturePad(canvas, { minWidth: 1, maxWidth: 3 });
    const asMark = form.querySelector('input[name="as_mark"]');
    const empty = document.getElementById("sign-empty");

    function resize() {
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      const data = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(data);
    }

    function showMode() {
      form.classList.toggle("sign-form--mark", Boolean(asMark && asMark.checked));
    }

    window.addEventListener("resize", resize);
    resize();
    showMode();
    if (asMark) {
      asMark.addEventListener("change", showMode);
    }
    document.getElementById("sign-clear").addEventListener("click", function () {
      pad.clear();
    });
    form.addEventListener("submit", function (event) {
      if (asMark && asMark.checked) {
        keepOffline(event);
        return;
      }
      if (pad.isEmpty()) {
        event.preventDefault();
        empty.textContent = canvas.dataset.emptyMessage;
        empty.hidden = false;
        return;
      }
      const groups = pad.toData();
      const start = groups[0].points[0].time;
      form.elements.strokes.value = JSON.stringify({
        width: canvas.offsetWidth,
        height: canvas.offsetHeight,
        strokes: groups.map(function (group) {
          return group.points.map(function (point) {
            return [point.x, point.y, Math.max(0, Math.round(point.time - start))];
          });
        }),
      });
      keepOffline(event);
    });

    // Without a connection the signature waits on the phone with the sheet's taps
    // (offline_queue.js) and is sent with them; the server adds it when it arrives.
    function keepOffline(event) {
      const queue = window.cotrainingQueue;
      if (navigator.onLine || !queue) {
        return;
      }
      event.preventDefault();
      const field = function (name) {
        const input = form.elements[name];
        return input ? input.value : "";
      };
      const bar = document.getElementById("offline-bar");
      queue
        .add({
          sheet: form.dataset.sheet,
          sync: form.dataset.syncUrl,
          csrf: field("csrfmiddlewaretoken"),
          participant: Number(form.dataset.participant),
          kind: "signature",
          role: form.dataset.role,
          status: "",
          note: "",
          version: 0,
          strokes: asMark && asMark.checked ? "" : field("strokes"),
          as_mark: Boolean(asMark && asMark.checked),
          mark: field("mark"),
          arrived_at: field("arrived_at"),
          left_at: field("left_at"),
        })
        .then(function () {
          window.location.href = form.dataset.sheetUrl + "#row-" + form.dataset.participant;
        })
        .catch(function () {
          empty.textContent = bar ? bar.dataset.noStorage : "";
          empty.hidden = false;
        });
    }
  });
})();
