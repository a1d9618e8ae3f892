// Handing the phone to the customer without signal (issue #15; ARCHITECTURE.md, "Working without signal").
// The hand-over tap goes through the outbox like every other write, so the server receives it before the
// signature and the hand-back. At once the phone keeps a lock for the job (localStorage
// "hk-customer:<job>") and shows the review page the service worker kept (/jobs/<id>/review/kept),
// drawn from the kept view by offline_sign.js. While the lock holds, the job's other screens lead back to
// that review; the hand-back (offline_sign.js, password checked on the phone) lifts it.
(function () {
  "use strict";
  var outbox = window.hkOutbox;
  var LOCK = "hk-customer:";
  function locked(job) { try { return localStorage.getItem(LOCK + job) === "1"; } catch (e) { return false; } }
  function lock(job) { try { localStorage.setItem(LOCK + job, "1"); } catch (e) { /* private mode: no lock */ } }
  function unlock(job) { try { localStorage.removeItem(LOCK + job); } catch (e) { /* nothing kept */ } }
  function pending(job) { return outbox ? outbox.pending(job) : Promise.resolve([]); }
  // The customer's part still on its way to the server: while it waits, the phone is the customer's.
  function customersPart(entries) {
    return entries.filter(function (e) { return ["hand-over", "sign", "handback"].indexOf(e.kind) >= 0; });
  }

  // What the phone keeps for the customer's part, and what goes with the worker's login.
  if (outbox && outbox.ui) {
    // The server's view of the review (hk/records/shown.py) for drawing and signing it without signal,
    // its photos' thumbnails into the cache.
    outbox.keepShown = function (job, url) {
      return fetch(url || "/jobs/" + job + "/shown.json", { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok && /json/.test(r.headers.get("Content-Type") || "") ? r.json() : null; })
        .then(function (data) {
          if (!data) { return null; }
          localStorage.setItem("hk-shown:" + job, JSON.stringify(data));
          var thumbs = Object.keys(data.thumbs || {}).map(function (k) { return data.thumbs[k]; });
          if (thumbs.length && "serviceWorker" in navigator) {
            navigator.serviceWorker.ready.then(function (reg) { reg.active.postMessage({ type: "keep", urls: thumbs }); });
          }
          return data;
        })
        .catch(function () { return null; });
    };

    // The jobs' reviews, the customer's locks and the take-back key go with the login (drafts stay).
    var forgetJobs = function () {
      try {
        Object.keys(localStorage).forEach(function (key) {
          if (/^hk-(shown|customer|done|prefetched):|^hk-handback$/.test(key)) { localStorage.removeItem(key); }
        });
      } catch (e) { /* private mode: nothing kept */ }
    };

    // Logging out: what waits is not lost without the worker saying so; the cached screens go.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.action || new URL(form.action, location.href).pathname !== "/logout" || form.dataset.outboxChecked) { return; }
      event.preventDefault();
      outbox.pending().then(function (entries) {
        if (entries.length && !window.confirm(outbox.ui.t("outboxLogoutWarn", entries.length))) { return; }
        var clear = entries.length ? Promise.all(entries.map(outbox.remove)) : Promise.resolve();
        clear.then(function () {
          forgetJobs();
          if (navigator.serviceWorker && navigator.serviceWorker.controller) {
            navigator.serviceWorker.controller.postMessage({ type: "logout" });
          }
          form.dataset.outboxChecked = "1";
          form.submit();
        });
      });
    }, true);
  }

  var box = document.getElementById("hk-offline-sign");
  var keptJob = box && box.getAttribute("data-kept") ? Number(box.getAttribute("data-job")) : null;
  var holder = document.querySelector("[data-outbox-job]");
  var job = holder ? Number(holder.getAttribute("data-outbox-job")) : null;
  var screens = document.querySelector("[data-review-kept]");

  // A job screen while the phone is the customer's: back to the review. With signal and nothing of the
  // customer's part waiting, the server's customer mode holds the phone instead (it refuses these
  // screens itself), so a lock left over is lifted.
  if (job && !box && locked(job) && screens) {
    pending(job).then(function (entries) {
      if (navigator.onLine && !customersPart(entries).length) { unlock(job); return; }
      location.replace(screens.getAttribute("data-review-kept"));
    });
  }

  // With signal, a job screen keeps the server's view of the review (as the review page does), and again
  // after each write of the job is sent, so that the review can be drawn without signal.
  if (job && !box && navigator.onLine) {
    var keep = function () { if (outbox && outbox.keepShown) { outbox.keepShown(job); } };
    keep();
    var later = null;
    if (outbox) {
      outbox.on("sent", function (entry) {
        if (entry.job !== job) { return; }
        clearTimeout(later);
        later = setTimeout(keep, 300);
      });
    }
  }

  // The kept review: the worker's hand-over card until the phone is handed over, then the review.
  var card = document.querySelector("[data-handover-card]");
  var hid = [];
  function showCard() {
    Array.prototype.forEach.call(document.querySelectorAll("main > *"), function (node) {
      if (node !== card && !node.hidden) { node.hidden = true; hid.push(node); }
    });
    card.hidden = false;
    var head = card.querySelector("h1");
    if (head) { head.focus(); }
  }
  function showReview() {
    if (card) { card.hidden = true; }
    hid.forEach(function (node) { node.hidden = false; });
    var note = document.querySelector("[data-review-waiting][data-handover-hid]");  // drawn meanwhile
    if (note) { note.hidden = false; }
    hid = [];
    var head = document.querySelector("[data-testid='review'] h1");
    if (head) { head.setAttribute("tabindex", "-1"); head.focus(); }
  }
  if (keptJob && card && !locked(keptJob)) { showCard(); }

  // The hand-over tap: with signal and nothing waiting, the usual form; else through the outbox.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-hand-over]"), function (form) {
    form.addEventListener("submit", function (event) {
      var to = Number(form.getAttribute("data-job"));
      if (!outbox || event.defaultPrevented) { return; }
      event.preventDefault();
      pending(to).then(function (entries) {
        var waiting = entries.filter(function (e) { return e.state !== "refused"; });
        if (navigator.onLine && !waiting.length) { form.submit(); return null; }
        return outbox.add({ job: to, url: form.action, method: "POST", fields: {}, kind: "hand-over",
          label: form.getAttribute("data-label") }).then(function () {
          lock(to);
          if (keptJob === to) { showReview(); } else { location.href = form.getAttribute("data-review-kept"); }
        });
      });
    }, true);
  });

  window.hkHandover = { locked: locked, unlock: unlock };
})();
