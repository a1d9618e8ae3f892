// The customer's signature: signature_pad on a canvas sized for the screen; the drawing goes into a hidden field.
(function () {
  "use strict";
  var canvas = document.querySelector("canvas[data-signature-pad]");
  if (!canvas || !window.SignaturePad) { return; }
  var form = canvas.closest("form");
  var pad = new window.SignaturePad(canvas, { minWidth: 1.2, maxWidth: 3.2, penColor: "#111" });

  function fit() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  }
  window.addEventListener("resize", fit);
  fit();

  form.querySelector("[data-signature-clear]").addEventListener("click", function () { pad.clear(); });
  form.addEventListener("submit", function () {
    form.querySelector('input[name="signature"]').value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
})();
