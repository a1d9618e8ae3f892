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

  // --- busy: an action shows at once that it was taken -------------------------------------------
  // A form marked data-busy="label" (empty: the page's own "Sending…") disables its buttons as soon as
  // it is sent and shows the label on the button pressed, with a spinner; htmx forms do the same while
  // their request runs. Double taps stay harmless on the server either way; this is what the person sees.
  var BUSY_FOR = 20000;  // then the buttons come back, so a lost connection never leaves them locked

  function submitButtons(form) {
    return Array.prototype.filter.call(form.querySelectorAll("button, input[type=submit]"), function (b) {
      return b.type === "submit";
    });
  }

  function setBusy(form, on, pressed) {
    window.clearTimeout(form._hkBusyTimer);
    var label = form.getAttribute("data-busy") || t("busy");
    submitButtons(form).forEach(function (button) {
      if (on && !button.disabled) {
        button._hkWasFocused = document.activeElement === button;
        button.disabled = true;
        button.classList.add("is-busy");
        button.setAttribute("aria-busy", "true");
        if (button === pressed && button.tagName === "BUTTON" && form.hasAttribute("data-busy")) {
          button._hkIdle = button.innerHTML;
          button.textContent = label;
        }
      } else if (!on && button.classList.contains("is-busy")) {
        button.disabled = false;
        button.classList.remove("is-busy");
        button.removeAttribute("aria-busy");
        if (button._hkIdle !== undefined) { button.innerHTML = button._hkIdle; delete button._hkIdle; }
        if (button._hkWasFocused && (document.activeElement === document.body || !document.activeElement)) {
          button.focus();
        }
      }
    });
    if (on) { form._hkBusyTimer = window.setTimeout(function () { setBusy(form, false); }, BUSY_FOR); }
  }

  // A plain form sends once: a second tap while it is in flight is ignored. This runs after the
  // form's own handlers (the signature's check may have stopped the sending).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented) { return; }
    if (form.hasAttribute("hx-post") || form.hasAttribute("data-photo-upload")) { return; }
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    window.setTimeout(function () { delete form.dataset.submitting; }, 8000);
    if (form.hasAttribute("data-busy")) {
      var pressed = event.submitter || submitButtons(form)[0];
      // after this event: a button disabled now would not be sent with the form
      window.setTimeout(function () { setBusy(form, true, pressed); }, 0);
    }
  });

  // Back to a page kept by the browser (the back button): its buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
      delete form.dataset.submitting;
      setBusy(form, false);
    });
  });

  // htmx: the form or button that asked shows it is busy until the answer comes.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt.tagName === "FORM") {
      var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
      setBusy(elt, true, trigger && trigger.submitter);
    } else if (elt.tagName === "BUTTON") {
      elt.classList.add("is-busy");
      elt.setAttribute("aria-busy", "true");
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (elt.tagName === "FORM") {
      setBusy(elt, false);
    } else if (elt.tagName === "BUTTON") {
      elt.classList.remove("is-busy");
      elt.removeAttribute("aria-busy");
    }
  });

  // A page answered with a refusal: the focus goes to what must be fixed, and the page scrolls there.
  function focusFirstProblem() {
    var first = Array.prototype.find.call(document.querySelectorAll("[data-focus-first]"), function (el) {
      return !el.hidden && !el.closest("[hidden]");
    });
    if (!first) { return; }
    var details = first.closest("details");
    if (details) { details.open = true; }
    first.focus({ preventScroll: true });
    (first.closest(".field") || first).scrollIntoView({ block: "center" });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFirstProblem);
  } else {
    focusFirstProblem();
  }

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
