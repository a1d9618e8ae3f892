// hk glue: small behaviours that need no inline script (the CSP forbids it).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function t(name, value) {
    var box = document.getElementById("hk-i18n");
    var text = (box && box.dataset[name]) || name;
    return value === undefined ? text : text.replace("{n}", value);
  }

  function notice(text) {
    var box = document.getElementById("hk-notice");
    if (!box) { return; }
    box.textContent = text;
    box.hidden = false;
    window.clearTimeout(box._timer);
    box._timer = window.setTimeout(function () { box.hidden = true; }, 6000);
  }

  // A plain form sends once: a second tap while it is in flight is ignored.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("hx-post") || form.hasAttribute("data-photo-upload")) { return; }
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    window.setTimeout(function () { delete form.dataset.submitting; }, 8000);
  }, true);

  // htmx: a dropped connection changes nothing on the server; say so, so the person taps again.
  document.addEventListener("htmx:sendError", function () { notice(t("offline")); });
  document.addEventListener("htmx:timeout", function () { notice(t("offline")); });
  document.addEventListener("htmx:responseError", function () { notice(t("servererror")); });

  // Check-in: the location only when the person ticks the box, and only for this check-in.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-geolocate]")) { return; }
    var form = box.closest("form");
    var status = form.querySelector("[data-geo-status]");
    function set(name, value) { form.querySelector('input[name="' + name + '"]').value = value; }
    if (!box.checked) { set("lat", ""); set("lng", ""); set("accuracy", ""); return; }
    if (!navigator.geolocation) { box.checked = false; status.textContent = t("nolocation"); return; }
    status.textContent = t("locating");
    navigator.geolocation.getCurrentPosition(function (pos) {
      set("lat", pos.coords.latitude);
      set("lng", pos.coords.longitude);
      set("accuracy", Math.round(pos.coords.accuracy));
      status.textContent = t("located", Math.round(pos.coords.accuracy));
    }, function () {
      box.checked = false;
      status.textContent = t("nolocation");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
