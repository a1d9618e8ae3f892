// Taking the phone back from the customer without signal (hk/sign/customer_mode.py, hand_back_offline).
// At login the phone makes a random secret, keeps it only wrapped (AES-GCM) under a key derived from
// the password typed (PBKDF2-SHA-256, 310,000 iterations, a random salt), and sends the server the
// secret's SHA-256. Offline, the password typed to take the phone back unwraps it — a wrong one cannot,
// GCM refuses — and the outbox sends the secret when there is signal, so the server records the
// hand-back and the customer, who does not know the password, cannot forge one. Kept for this login
// only: a new login replaces it, a logout removes it (with the job views kept by the offline
// screens), five wrong passwords remove it.
(function () {
  "use strict";
  var KEY = "hk-handback";
  var ITERATIONS = 310000;
  var MAX_FAILURES = 5;
  var subtle = window.crypto && window.crypto.subtle;
  var utf8 = new TextEncoder();

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function bytes(text) {
    var out = new Uint8Array(text.length / 2);
    for (var i = 0; i < out.length; i += 1) { out[i] = parseInt(text.substr(i * 2, 2), 16); }
    return out;
  }

  function derive(password, salt) {
    return subtle.importKey("raw", utf8.encode(password), "PBKDF2", false, ["deriveKey"]).then(function (base) {
      return subtle.deriveKey({ name: "PBKDF2", salt: salt, iterations: ITERATIONS, hash: "SHA-256" }, base,
        { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    });
  }

  function kept() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }

  // At login: keep the wrapped secret, and give the SHA-256 the server keeps.
  function make(password) {
    var salt = crypto.getRandomValues(new Uint8Array(16));
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var secret = hex(crypto.getRandomValues(new Uint8Array(32)));
    return derive(password, salt).then(function (key) {
      return subtle.encrypt({ name: "AES-GCM", iv: iv }, key, utf8.encode(secret));
    }).then(function (wrapped) {
      localStorage.setItem(KEY, JSON.stringify({ salt: hex(salt), iv: hex(iv), wrapped: hex(wrapped), failures: 0 }));
      return subtle.digest("SHA-256", utf8.encode(secret));
    }).then(hex);
  }

  // Offline: the secret when the password is right; null when wrong (counted) or nothing is kept.
  function unwrap(password) {
    var box = kept();
    if (!box || !subtle) { return Promise.resolve(null); }
    return derive(password, bytes(box.salt)).then(function (key) {
      return subtle.decrypt({ name: "AES-GCM", iv: bytes(box.iv) }, key, bytes(box.wrapped));
    }).then(function (plain) {
      box.failures = 0;
      localStorage.setItem(KEY, JSON.stringify(box));
      return new TextDecoder().decode(plain);
    }, function () {
      box.failures = (box.failures || 0) + 1;
      if (box.failures >= MAX_FAILURES) { localStorage.removeItem(KEY); } else { localStorage.setItem(KEY, JSON.stringify(box)); }
      return null;
    });
  }

  function forget() {
    localStorage.removeItem(KEY);
    Object.keys(localStorage).forEach(function (name) {
      if (/^hk-(shown|done|prefetched):/.test(name)) { localStorage.removeItem(name); }
    });
  }

  window.hkHandback = {
    unwrap: unwrap,
    available: function () { return !!(subtle && kept()); },
    triesLeft: function () { var box = kept(); return box ? MAX_FAILURES - (box.failures || 0) : 0; }
  };

  var field = document.querySelector('input[name="handback_check"]');
  if (field && subtle) {
    var login = field.form;
    login.addEventListener("submit", function (event) {
      if (login.getAttribute("data-keyed") || event.defaultPrevented) { return; }
      event.preventDefault();
      if (window.hkBusy) { window.hkBusy(login, event.submitter); }  // the tap shows at once
      var password = login.querySelector('input[name="password"]').value;
      make(password).then(function (check) { field.value = check; }, function () { field.value = ""; }).then(function () {
        login.setAttribute("data-keyed", "1");
        login.submit();
      });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('form[action$="/logout"]'), function (form) {
    form.addEventListener("submit", forget);
  });
})();
