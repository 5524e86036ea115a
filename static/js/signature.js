// Signing page: a signature_pad canvas whose strokes (points in CSS pixels and milliseconds)
// are written into the hidden "strokes" field when the form is sent. The mark needs no script.
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
    });
  });
})();
