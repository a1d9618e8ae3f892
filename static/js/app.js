// hk glue: small behaviours that need no inline script (the CSP forbids it).
(function () {
  "use strict";
  // Disable a submit button while its form is in flight, so a double tap sends once.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    window.setTimeout(function () { delete form.dataset.submitting; }, 8000);
  }, true);
})();
