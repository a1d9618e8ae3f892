// The customer's signature: drawn with signature_pad on a canvas sized for the screen (sent in a
// hidden field), or, for a customer who cannot draw, typed: the name typed above, shown with its own
// consent sentence. The browser checks before sending (the server checks again) and puts each message
// beside what must be fixed, with the focus on it and the page scrolled there.
(function () {
  "use strict";
  var form = document.querySelector("form[data-signature-form]");
  if (!form) { return; }
  var canvas = form.querySelector("canvas[data-signature-pad]");
  var nameInput = form.querySelector('input[name="signer_name"]');
  var consent = form.querySelector('input[name="consent"]');
  var pad = canvas && window.SignaturePad
    ? new window.SignaturePad(canvas, { minWidth: 1.2, maxWidth: 3.2, penColor: "#111" })
    : null;

  function each(selector, fn) { Array.prototype.forEach.call(form.querySelectorAll(selector), fn); }

  function fit() {
    if (!pad || !canvas.offsetWidth) { return; }  // hidden while the typed way is chosen
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  }

  function method() {
    var chosen = form.querySelector('input[name="method"]:checked');
    return chosen ? chosen.value : "drawn";
  }

  function showMethod() {
    var m = method();
    each("[data-sign-panel]", function (panel) { panel.hidden = panel.getAttribute("data-sign-panel") !== m; });
    each("[data-consent-for]", function (text) { text.hidden = text.getAttribute("data-consent-for") !== m; });
    hide(form.querySelector("#signature-error"));
    fit();
  }

  function showName() {
    var name = nameInput.value.trim();
    each("[data-typed-name]", function (box) { box.textContent = name || "…"; });
  }

  function hide(box) { if (box) { box.hidden = true; box.textContent = ""; } }

  function say(box, text) {
    box.textContent = text;
    box.hidden = false;
  }

  function mark(field, on) {
    if (!field) { return; }
    if (on) { field.setAttribute("aria-invalid", "true"); } else { field.removeAttribute("aria-invalid"); }
    var wrap = field.closest(".field");
    if (wrap) { wrap.classList.toggle("has-error", on); }
  }

  function check() {
    var first = null;
    var nameError = form.querySelector("#signer-name-error");
    var consentError = form.querySelector("#consent-error");
    var drawError = form.querySelector("#signature-error");
    [nameError, consentError, drawError].forEach(hide);
    [nameInput, consent].forEach(function (field) { mark(field, false); });
    if (!nameInput.value.trim()) {
      say(nameError, form.getAttribute("data-msg-name"));
      mark(nameInput, true);
      first = first || nameInput;
    }
    if (method() === "drawn" && pad && pad.isEmpty()) {
      say(drawError, form.getAttribute("data-msg-empty"));
      first = first || drawError;
    }
    if (!consent.checked) {
      say(consentError, form.getAttribute("data-msg-consent"));
      mark(consent, true);
      first = first || consent;
    }
    return first;
  }

  function focusOn(target) {
    target.focus({ preventScroll: true });
    var around = target.closest("[data-sign-panel]") || target.closest(".field") || target;
    around.scrollIntoView({ block: "center" });
  }

  window.addEventListener("resize", fit);
  fit();
  showName();
  form.addEventListener("change", function (event) {
    if (event.target.name === "method") { showMethod(); }
  });
  nameInput.addEventListener("input", showName);
  var clear = form.querySelector("[data-signature-clear]");
  if (clear && pad) { clear.addEventListener("click", function () { pad.clear(); }); }
  if (pad) {
    pad.addEventListener("beginStroke", function () { hide(form.querySelector("#signature-error")); });
  }

  form.addEventListener("submit", function (event) {
    var problem = check();
    if (problem) {
      event.preventDefault();
      focusOn(problem);
      return;
    }
    var drawn = method() === "drawn" && pad && !pad.isEmpty();
    form.querySelector('input[name="signature"]').value = drawn ? pad.toDataURL("image/png") : "";
  });
  form.setAttribute("data-ready", "");  // the box draws and the checks run (tests wait for it)
})();
