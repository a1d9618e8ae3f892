// The job screens' side of the outbox (static/js/outbox.js): every htmx write to a job goes into the
// outbox instead of straight to the server; its effect is shown at once (hkOutbox.render[kind], drawn
// by outbox_render.js) with a "waiting to send" mark, and the server's own fragment replaces it once
// sent. The bar at the top of every job screen counts what waits, says when the login must be renewed,
// and lists what the server refused as tasks to fix, retry or discard.
(function () {
  "use strict";
  var outbox = window.hkOutbox;
  if (!outbox || !outbox.ui) { return; }
  var render = outbox.render;
  var ui = outbox.ui, t = ui.t, el = ui.el, pathOf = ui.pathOf, itemCodeOf = ui.itemCodeOf;

  // What kind of write a URL is (a template may say it with data-outbox-kind).
  function kindOf(path, fields) {
    if (/\/items\/[^/]+$/.test(path)) { return fields.action === "note" ? "note" : "tick"; }
    if (/\/(pre-service|handover)$/.test(path)) { return "form"; }
    if (/\/photos$/.test(path)) { return "photo"; }
    if (/\/complete$/.test(path)) { return "stage"; }
    if (/\/handover\/items/.test(path)) { return "handover-item"; }
    if (/\/incidents/.test(path)) { return "incident"; }
    if (/\/sign$/.test(path)) { return "sign"; }
    return "write";
  }

  function labelOf(entry, elt) {
    var code = itemCodeOf(entry.url);
    var label = code && document.getElementById("label-" + code);
    var name = label ? label.firstElementChild.textContent.trim() : (document.title || "").split("·")[0].trim();
    var kind = "outbox-" + entry.kind;
    return t(kind.replace(/-(\w)/g, function (_, c) { return c.toUpperCase(); })) + ": " + name;
  }

  function apply(entry) {
    var fn = render[entry.kind];
    if (fn) { try { fn(entry, document); } catch (e) { /* the screen shows the server's state */ } }
  }

  // --- htmx writes go into the outbox
  function fieldsOf(form, submitter) {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrf_token" || value instanceof File) { return; }  // the outbox sends a fresh token
      if (fields[name] === undefined) { fields[name] = value; }
      else { fields[name] = [].concat(fields[name], value); }
    });
    if (submitter && submitter.name) { fields[submitter.name] = submitter.value; }
    return fields;
  }

  document.addEventListener("htmx:confirm", function (event) {
    var d = event.detail;
    var elt = d.elt;
    var path = pathOf(d.path || "");
    if ((d.verb || "").toLowerCase() !== "post" || !/^\/jobs\/\d+\//.test(path) || elt.tagName !== "FORM") { return; }
    event.preventDefault();
    if (d.question && !window.confirm(d.question)) { return; }
    queueForm(elt, path, d.triggeringEvent);
  });

  // A plain form marked data-outbox (a half's own screens) goes the same way; once sent, the page
  // follows the server's redirect as the form would have.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute || !form.hasAttribute("data-outbox") || form.hasAttribute("hx-post")) { return; }
    event.preventDefault();
    queueForm(form, pathOf(form.action), event, true);
  });

  function queueForm(elt, path, trigger, plain) {
    var fields = fieldsOf(elt, trigger && trigger.submitter);
    var target = elt.getAttribute("hx-target") || "";
    var entry = {
      url: path,
      fields: fields,
      kind: elt.getAttribute("data-outbox-kind") || kindOf(path, fields),
      target: target,
      swap: elt.getAttribute("hx-swap") || "innerHTML",
      at: Date.now(),
      key: outbox.newKey(),
      page: location.pathname,  // where it was made: the server's redirect is followed only from there
      plain: !!plain
    };
    entry.label = labelOf(entry, elt);
    latest[entry.target] = entry.key;
    var key = elt.querySelector('input[name="client_key"]');
    if (key) { key.value = outbox.newKey(); }  // the next item added on this form is another one
    if (render[entry.kind] && !(NAVIGATES[entry.kind] && navigator.onLine)) {
      apply(entry);
      var item = entry.kind === "tick" && document.getElementById("item-" + itemCodeOf(entry.url));
      if (item && window.hkAnnounce) { window.hkAnnounce(item.getAttribute("data-announce")); }
    } else {
      // With signal a step's completion waits for the server, busy, as htmx did: its answer leads on
      // (or says what is missing). Should no answer come soon, the phone draws it as done, waiting.
      busy(elt, entry, trigger);
      if (render[entry.kind]) {
        window.setTimeout(function () { if (busyForms[entry.key]) { idle(entry, false); apply(entry); } }, SLOW_ANSWER);
      }
    }
    elt.hkQueued = fields;  // app.js sends no beacon for what the outbox holds
    storing += 1;
    var stored = (window.hkPhotosReady ? window.hkPhotosReady() : Promise.resolve())
      .then(function () { return outbox.add(entry); });
    lastStored = stored.then(done, done);
    function done() { storing -= 1; }
    return entry;
  }

  // A link followed while an entry is still being stored (a step completed, then "go on" at once) waits
  // for it: the next page draws what waits from the outbox, and a page left mid-write could lose it.
  var storing = 0;
  var lastStored = Promise.resolve();
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!storing || !link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || link.target || link.origin !== location.origin || link.getAttribute("href").charAt(0) === "#") {
      return;
    }
    event.preventDefault();
    lastStored.then(function () { location.href = link.href; });
  });

  // A write no renderer draws, or a step's completion made with signal, keeps its form busy until the
  // server answers, as htmx did: app.js's busy handlers are given htmx's own events.
  var NAVIGATES = { stage: true };
  var SLOW_ANSWER = 6000;
  var busyForms = {};
  function busy(form, entry, trigger) {
    busyForms[entry.key] = form;
    form.dispatchEvent(new CustomEvent("htmx:beforeRequest", { bubbles: true,
      detail: { elt: form, requestConfig: { triggeringEvent: trigger } } }));
  }
  function idle(entry, successful) {
    var form = busyForms[entry.key];
    delete busyForms[entry.key];
    if (form && form.isConnected) {
      form.dispatchEvent(new CustomEvent("htmx:afterRequest", { bubbles: true, detail: { elt: form, successful: successful } }));
    }
  }

  // Left (a reload, a link): the next page is being fetched.
  var leaving = false;
  window.addEventListener("beforeunload", function () { leaving = true; });
  window.addEventListener("pageshow", function () { leaving = false; });

  // A typed draft (app.js) is forgotten once the server has that very text, never earlier: a page
  // reloaded at once may be read before the write is in, and then gets the draft back.
  function forgetSentDrafts(entry) {
    if (leaving) { return; }  // the next page may have been read before this write: it decides
    Object.keys(entry.fields || {}).forEach(function (name) {
      var key = ui.draftKey(entry.url, name);
      try { if (localStorage.getItem(key) === entry.fields[name]) { localStorage.removeItem(key); } } catch (e) { /* private mode */ }
    });
  }

  // --- once sent: the server's own answer replaces what the phone drew
  function stillWaiting(target) {
    return outbox.pending(jobOnScreen()).then(function (entries) {
      return entries.some(function (e) { return e.target === target && e.state !== "refused"; });
    });
  }

  // As htmx would have swapped it (its retarget headers honoured); app.js's swap handlers give the
  // focus back and read the item's announcement, as after any htmx swap.
  function swapIn(entry, answer) {
    var selector = answer.retarget || entry.target;
    var target = selector && document.querySelector(selector);
    if (!target || !answer.html || !window.htmx) { return; }
    if (target.contains(document.activeElement) && document.activeElement.tagName === "TEXTAREA") { return; }
    var detail = { target: target, elt: target };
    target.dispatchEvent(new CustomEvent("htmx:beforeSwap", { bubbles: true, detail: detail }));
    window.htmx.swap(target, answer.html, { swapStyle: answer.reswap || entry.swap || "innerHTML" });
    document.dispatchEvent(new CustomEvent("htmx:afterSwap", { detail: detail }));
  }

  var latest = {};  // target → this page's last tap there: an older tap's answer is not shown (nor read)
  outbox.on("sent", function (entry, answer) {
    idle(entry, true);
    forgetSentDrafts(entry);
    if (entry.job !== jobOnScreen()) { return; }
    if (entry.kind === "photo") {
      var pending = document.querySelector('[data-outbox-key="' + entry.key + '"]');
      var strip = document.querySelector(entry.target);
      if (pending && answer.html) { pending.insertAdjacentHTML("beforebegin", answer.html); }
      else if (strip && answer.html) { strip.insertAdjacentHTML("beforeend", answer.html); }
      if (pending && (answer.html || answer.replayed)) { pending.remove(); }
      var size = entry.fields.photo && entry.fields.photo.blob ? entry.fields.photo.blob.size : 0;
      document.dispatchEvent(new CustomEvent("hk:photo-uploaded", { detail: { bytes: size } }));
      return;
    }
    // The job moved on (a step completed, a "not safe" answer blocked it): the screen follows, unless
    // the worker has moved elsewhere meanwhile.
    var next = answer.redirect || (entry.plain && answer.url);
    if (next && entry.page === location.pathname) { location.href = next; return; }
    if (entry.kind === "form") { render.formFields(entry, document); }
    if (answer.replayed) { return; }
    stillWaiting(entry.target).then(function (waiting) {
      if (!waiting && (latest[entry.target] || entry.key) === entry.key) { swapIn(entry, answer); }
    });
  });

  outbox.on("refused", function (entry, answer) {
    idle(entry, false);
    // Where the person is looking, the server's refusal (the item with its reason, the stage's section).
    if (entry.job !== jobOnScreen()) { return; }
    if (entry.kind === "photo") {  // the task in the bar says why; the thumbnail shows it needs attention
      var pending = document.querySelector('[data-outbox-key="' + entry.key + '"] .pending-mark');
      if (pending) { pending.textContent = t("outboxAttentionOne"); pending.classList.add("is-refused"); }
      return;
    }
    swapIn(entry, answer);
  });

  // --- the bar: waiting, log in to send, needs your attention
  function jobOnScreen() {
    var holder = document.querySelector("[data-outbox-job]");
    return holder ? Number(holder.getAttribute("data-outbox-job")) : null;
  }

  function fixHref(entry) {
    var m = /^\/jobs\/(\d+)\/stages\/([^/]+)\/items\/([^/]+)$/.exec(entry.url);
    if (m) { return "/jobs/" + m[1] + "/stages/" + m[2] + "#item-" + m[3]; }
    return "/jobs/" + entry.job;
  }

  function bar() {
    var box = document.getElementById("hk-outbox");
    if (box || !jobOnScreen()) { return box; }
    box = el("section", "outbox-bar");
    box.id = "hk-outbox";
    box.setAttribute("aria-live", "polite");
    box.setAttribute("data-testid", "outbox");
    var main = document.getElementById("main");
    if (main) { main.insertBefore(box, main.firstChild); }
    return box;
  }

  function task(entry) {
    var li = el("li", "outbox-task");
    li.setAttribute("data-testid", "outbox-task");
    li.appendChild(el("strong", "", entry.label || entry.kind));
    // (a refusal the service worker met has its words read here: a worker has no HTML parser)
    li.appendChild(el("p", "outbox-why", entry.message || outbox.messageOf(entry.html || "")));
    var actions = el("div", "outbox-actions");
    var fix = el("a", "btn btn-small", t("outboxFix"));
    fix.href = fixHref(entry);
    var retry = el("button", "btn btn-small", t("retry"));
    retry.type = "button";
    retry.setAttribute("data-testid", "outbox-retry");
    retry.addEventListener("click", function () { outbox.retry(entry); });
    var discard = el("button", "btn btn-small btn-danger-outline", t("outboxDiscard"));
    discard.type = "button";
    discard.setAttribute("data-testid", "outbox-discard");
    discard.addEventListener("click", function () {
      if (window.confirm(t("outboxDiscardConfirm"))) { outbox.remove(entry); }
    });
    // The job is open on another phone: the server's own "continue on this phone"; once taken over,
    // what it refused is sent again.
    var takeOver = entry.html && new DOMParser().parseFromString(entry.html, "text/html").querySelector('form[action$="/take-over"]');
    if (takeOver) {
      var form = document.importNode(takeOver, true);  // markup only: nothing in it runs
      var token = form.querySelector('input[name="csrf_token"]');
      if (token) { token.value = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
      // What it refused goes again only from the page the take-over leads to: sent sooner (by the
      // service worker), it could reach the server before the take-over and be refused once more.
      form.addEventListener("submit", function () {
        try { localStorage.setItem(TAKEN + entry.job, "1"); } catch (e) { /* sent on Retry then */ }
      });
      actions.appendChild(form);
    } else {
      actions.appendChild(fix);
    }
    actions.appendChild(retry);
    actions.appendChild(discard);
    li.appendChild(actions);
    return li;
  }

  function show(entries, paused) {
    var job = jobOnScreen();
    var box = bar();
    if (!box) { return; }
    var mine = entries.filter(function (e) { return e.job === job; });
    var refused = mine.filter(function (e) { return e.state === "refused"; });
    var waiting = mine.length - refused.length;
    box.textContent = "";
    box.dataset.state = refused.length ? "refused" : paused && waiting ? "paused" : waiting ? "waiting" : "saved";
    if (paused && waiting) {
      var p = el("p", "outbox-line");
      var login = el("a", "", t("outboxLogin", waiting));
      login.href = "/login?next=" + encodeURIComponent(location.pathname);
      p.appendChild(login);
      box.appendChild(p);
    } else if (waiting) {
      box.appendChild(el("p", "outbox-line", t("outboxWaiting", waiting)));
    } else if (!refused.length) {
      box.appendChild(el("p", "outbox-line outbox-saved", t("outboxSaved")));
    }
    if (refused.length) {
      box.appendChild(el("h2", "outbox-attention", t("outboxAttention", refused.length)));
      var list = el("ul", "outbox-tasks");
      refused.forEach(function (entry) { list.appendChild(task(entry)); });
      box.appendChild(list);
    }
    // A mark stays only while something for its place still waits.
    var targets = {};
    mine.forEach(function (e) { if (e.state !== "refused") { targets[e.target] = true; } });
    Array.prototype.forEach.call(document.querySelectorAll("[data-outbox-mark]"), function (m) {
      if (!targets[m.getAttribute("data-outbox-mark")] && !m.closest(".photo-pending")) { m.remove(); }
    });
  }

  outbox.on("change", show);
  outbox.on("notkept", function (entry) {
    if (window.hkNotice) { window.hkNotice(t("outboxNotKept"), 20000); }
    Array.prototype.forEach.call(document.querySelectorAll("[data-outbox-mark]"), function (m) {
      if (m.getAttribute("data-outbox-mark") !== entry.target) { return; }
      m.textContent = t("outboxNotKeptOne");  // the item drawn as done says it is not
      m.classList.add("is-refused");
      m.removeAttribute("data-outbox-mark");
    });
  });

  // --- the service worker: the job's screens kept for when the signal goes
  var registration = null;
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").then(function (reg) {
      registration = reg;
      return navigator.serviceWorker.ready;  // the first time, once it is installed
    }).then(function (reg) { registration = reg; prefetch(); }, function () {});
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.type === "hk-outbox") { outbox.emit(data.event, data.entry, data.answer); }
    });
  }
  outbox.on("change", function (entries) {
    if (entries.length && registration && registration.sync) { registration.sync.register("hk-outbox").catch(function () {}); }
  });

  // With signal, the screens this page leads to are fetched into the cache: from /today every job of
  // the day, from a job screen its other screens (stages, incident form, review).
  function prefetch() {
    var worker = registration && registration.active;
    if (!worker || !navigator.onLine) { return; }
    var job = jobOnScreen();
    var pattern = job ? new RegExp("^/jobs/" + job + "(/|$)") : /^\/jobs\/\d+$/;
    var urls = [];
    Array.prototype.forEach.call(document.querySelectorAll("a[href]"), function (a) {
      var url = new URL(a.href, location.href);
      if (url.origin === location.origin && pattern.test(url.pathname) && !/\/photos\//.test(url.pathname)) {
        if (urls.indexOf(url.pathname) < 0 && url.pathname !== location.pathname) { urls.push(url.pathname); }
      }
    });
    var screens = document.querySelector("[data-offline-screens]");  // the job's every stage
    (screens ? screens.getAttribute("data-offline-screens").split(" ") : []).forEach(function (path) {
      if (path && urls.indexOf(path) < 0 && path !== location.pathname) { urls.push(path); }
    });
    if (urls.length) { worker.postMessage({ type: "prefetch", urls: urls.slice(0, 40), deeper: !job, fill: 1 }); }
  }

  // A page opened (from the cache, or again) while entries wait: they are drawn on it again; after a
  // take-over, what the other phone's hold refused is sent again.
  var TAKEN = "hk-taken:";
  document.addEventListener("DOMContentLoaded", function () {
    var job = jobOnScreen();
    if (!job) { return; }
    var taken = null;
    try { taken = localStorage.getItem(TAKEN + job); localStorage.removeItem(TAKEN + job); } catch (e) { /* none */ }
    outbox.pending(job).then(function (entries) {
      if (!taken) { return entries; }
      return Promise.all(entries.filter(function (e) { return e.state === "refused" && e.status === 409; })
        .map(function (e) { e.state = "waiting"; return outbox.save(e); })).then(function () { outbox.resume(); return entries; });
    }).then(function (entries) {
      entries.forEach(function (e) { if (e.state !== "refused" || e.kind === "photo") { apply(e); } });
      show(entries, outbox.isPaused());
    });
  });
})();
