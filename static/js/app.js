// hk glue: small behaviours that need no inline script (the CSP forbids it).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function t(name, value) {
    var box = document.getElementById("hk-i18n");
    var text = (box && box.dataset[name]) || name;
    return value === undefined ? text : text.replace("{n}", value);
  }

  function notice(text, ms) {
    var box = document.getElementById("hk-notice");
    if (!box) { return; }
    box.textContent = text;
    box.hidden = false;
    window.clearTimeout(box._timer);
    box._timer = window.setTimeout(function () { box.hidden = true; }, ms || 6000);
  }
  window.hkNotice = notice;

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

  // The control that had the focus when its form went busy (disabling it drops the focus to <body>):
  // the swap that answers gives it back to the control with the same id (below).
  var focusBeforeBusy = null;

  function setBusy(form, on, pressed) {
    window.clearTimeout(form._hkBusyTimer);
    var label = form.getAttribute("data-busy") || t("busy");
    submitButtons(form).forEach(function (button) {
      if (on && !button.disabled) {
        button._hkWasFocused = document.activeElement === button;
        if (button._hkWasFocused) { focusBeforeBusy = button; }
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

  // For a script that holds a form back before sending it (the login derives its hand-back key first).
  window.hkBusy = function (form, pressed) { setBusy(form, true, pressed); };

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

  // --- job screens: focus, announcements, answers kept as they are given (ux-flow) --------------------

  // A polite live region says what a swap changed ("Ticked: …", "Safe: …", a refusal).
  function announce(text) {
    var live = document.getElementById("hk-live");
    if (!live || !text) { return; }
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  // A message box that must be seen (a refused "step complete") takes the focus and is scrolled to.
  function focusShown(root) {
    var box = root.querySelector ? root.querySelector("[data-focus-on-show]") : null;
    if (!box && root.matches && root.matches("[data-focus-on-show]")) { box = root; }
    if (!box) { return false; }
    box.focus({ preventScroll: true });
    box.scrollIntoView({ block: "start", behavior: "smooth" });
    return true;
  }

  // htmx swaps a tapped item for its new state: the focus goes back to the control with the same id
  // (it would otherwise drop to <body>), and the item's data-announce is read out.
  var focusedId = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    if ((!active || active === document.body) && focusBeforeBusy && focusBeforeBusy.isConnected) {
      active = focusBeforeBusy;  // disabled while busy, so it lost the focus: it is still the one
    }
    focusBeforeBusy = null;
    var target = event.detail.target;
    focusedId = active && active.id && target && target.contains(active) ? active.id : null;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var root = target && target.isConnected ? target : document.getElementById(target && target.id) || document;
    if (focusShown(root)) { focusedId = null; return; }
    var item = root.closest && root.closest("[data-announce]");
    if (!item && target && target.id) {
      item = document.querySelector("#" + CSS.escape(target.id) + "[data-announce]");
    }
    if (focusedId) {
      var again = document.getElementById(focusedId);
      if (again) { again.focus({ preventScroll: true }); }
      focusedId = null;
    }
    if (item && !echoed(item.getAttribute("data-announce"))) { announce(item.getAttribute("data-announce")); }
  });
  document.addEventListener("DOMContentLoaded", function () { focusShown(document); });
  // A tap the outbox drew is read out at once; the server's answer saying the same soon after is not
  // read a second time.
  var said = { text: "", at: 0 };
  window.hkAnnounce = function (text) { announce(text); said = { text: text, at: Date.now() }; };
  function echoed(text) {
    var echo = text === said.text && Date.now() - said.at < 10000;
    if (echo) { said = { text: "", at: 0 }; }
    return echo;
  }

  // Forms kept as they are filled in (data-autosave): htmx sends the box on change and the texts a
  // moment after typing stops; the status line says "Saving…", then "Saved". What is typed is also kept
  // in localStorage until the server has it, so leaving or reloading the page loses nothing: the draft
  // comes back on the next visit and is sent.
  function draftKey(form, field) { return "hk-draft:" + form.getAttribute("action") + ":" + field.name; }
  function drafts(form) { return form.querySelectorAll("[data-draft]"); }
  function store(fn) { try { return fn(window.localStorage); } catch (e) { return null; } }

  document.addEventListener("input", function (event) {
    var field = event.target;
    var form = field.form;
    if (!form || !form.hasAttribute("data-autosave") || !field.hasAttribute("data-draft")) { return; }
    store(function (s) { s.setItem(draftKey(form, field), field.value); });
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.hasAttribute || !form.hasAttribute("data-autosave")) { return; }
    var status = form.querySelector("[data-autosave-status]");
    if (status) { status.textContent = t("saving"); }
    form._sent = Array.prototype.map.call(drafts(form), function (f) { return [f, f.value]; });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.hasAttribute || !form.hasAttribute("data-autosave") || !event.detail.successful) { return; }
    (form._sent || []).forEach(function (pair) {
      // Forget the draft only when the server has exactly what is in the box now.
      if (pair[0].value === pair[1]) { store(function (s) { s.removeItem(draftKey(form, pair[0])); }); }
    });
  });
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave]"), function (form) {
      var restored = false;
      Array.prototype.forEach.call(drafts(form), function (field) {
        var draft = store(function (s) { return s.getItem(draftKey(form, field)); });
        if (draft === null || draft === undefined) { return; }
        if (draft !== field.value && !form.hasAttribute("inert")) { field.value = draft; restored = true; }
        else { store(function (s) { s.removeItem(draftKey(form, field)); }); }
      });
      if (restored && window.htmx) { window.htmx.trigger(form, "change"); }
    });
  });
  // Leaving the page while a text waits for its moment: send it now, as a plain form post (unless the
  // outbox holds it already: form.hkQueued, the fields of its last entry).
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "hidden" || !navigator.sendBeacon) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave]"), function (form) {
      var waiting = Array.prototype.some.call(drafts(form), function (field) {
        var queued = form.hkQueued && form.hkQueued[field.name] === field.value;
        return !queued && store(function (s) { return s.getItem(draftKey(form, field)); }) !== null;
      });
      if (waiting && !form.hasAttribute("inert")) { navigator.sendBeacon(form.getAttribute("action"), new FormData(form)); }
    });
  });

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
