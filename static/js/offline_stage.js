// A stage completed, a handover item added or an incident reported without signal (issue #15).
// A completion is checked on the phone first, from what the page holds, as the server would
// (hk/domain/workflow.py, missing_for_stage): what is missing is said where the eye is, linked to it,
// and nothing is queued. A completion that passes goes into the outbox and the stage is shown complete
// with its "waiting to send" mark and the way on. Once sent, the server's answer leads on
// (outbox_screens.js follows its HX-Redirect from the page the entry was made on); refused,
// it becomes a task on every job screen (static/js/outbox_screens.js) and the later stages wait.
(function () {
  "use strict";
  var outbox = window.hkOutbox;
  if (!outbox) { return; }
  var render = outbox.render;

  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function path(url) { try { return new URL(url, location.href).pathname; } catch (e) { return url; } }
  function say(form, name, value, key) {
    return (form.getAttribute("data-msg-" + name) || "").replace(key || "{item}", value === undefined ? "" : value);
  }
  function waitingMark() {
    var box = document.getElementById("hk-i18n");
    var mark = el("span", "pending-mark", (box && box.dataset.outboxWaitingOne) || "");
    mark.setAttribute("data-testid", "pending-mark");
    return mark;
  }

  // What still stops the stage, read from the page: items, photos, the customer's agreement, the tools.
  function missing(form) {
    var section = form.closest(".stage");
    var found = [];
    all(".item[data-item]", section).forEach(function (li) {
      var label = li.getAttribute("data-label");
      var href = "#" + li.id;
      var safety = li.getAttribute("data-safety") === "1";
      if (safety && li.classList.contains("item-unsafe")) { found.push({ text: say(form, "unsafe", label), href: href }); }
      else if (li.getAttribute("data-required") === "1" && !li.classList.contains("item-done")) {
        found.push({ text: say(form, "item", label), href: href });
      }
      if (!li.classList.contains("item-na") && li.getAttribute("data-photo-required") === "1" &&
          !li.querySelector(".photo-strip > *")) {
        found.push({ text: say(form, "photo", label), href: href });
      }
    });
    var kind = form.getAttribute("data-stage-kind");
    var quote = document.getElementById("confirm_quote");
    if (kind === "pre_service" && quote && !quote.checked) { found.push({ text: say(form, "quote"), href: "#confirm-quote-field" }); }
    var tools = document.getElementById("tools_removed");
    if (kind === "post_service" && tools && !tools.checked) { found.push({ text: say(form, "tools"), href: "#tools-removed-field" }); }
    return found;
  }

  function warn(form, found) {
    var holder = form.closest(".stage").querySelector("#stage-messages");
    holder.textContent = "";
    var box = el("div", "alert alert-danger messages");
    box.setAttribute("role", "alert");
    box.setAttribute("data-testid", "refusals");
    box.tabIndex = -1;
    if (found.length > 1) { box.appendChild(el("p", "messages-head", say(form, "head"))); }
    var list = el("ul");
    found.forEach(function (m) {
      var li = el("li");
      var a = el("a", "", m.text);
      a.href = m.href;
      a.setAttribute("data-testid", "missing-link");
      li.appendChild(a);
      list.appendChild(li);
    });
    box.appendChild(list);
    holder.appendChild(box);
    box.focus({ preventScroll: true });
    box.scrollIntoView({ block: "center" });
  }

  // Before the outbox takes a completion made without signal (capture: ahead of outbox_screens.js).
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail && event.detail.elt;
    if (!form || !form.matches || !form.matches("form.complete-form") || navigator.onLine) { return; }
    var found = missing(form);
    if (!found.length) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    warn(form, found);
  }, true);

  render.stage = function (entry, doc) {
    var form = all("form.complete-form", doc).filter(function (f) { return path(f.action) === path(entry.url); })[0];
    if (!form) { return; }
    var section = form.closest(".stage");
    var title = section.querySelector(".stage-title");
    all(".badge", title).forEach(function (b) { b.remove(); });
    title.appendChild(el("span", "badge badge-completed", say(form, "complete")));
    title.appendChild(waitingMark());
    var messages = section.querySelector("#stage-messages");
    if (messages) { messages.textContent = ""; }
    var name = form.getAttribute("data-next-name");
    var next = el("a", "btn btn-primary btn-block btn-big", name ? say(form, "next", name, "{step}") : say(form, "job"));
    next.href = form.getAttribute("data-next-url");
    next.setAttribute("data-testid", "next-step");
    form.replaceWith(next);
    next.focus({ preventScroll: true });
  };

  render["handover-item"] = function (entry, doc) {
    var list = doc.querySelector("[data-testid='handover-items']");
    var f = entry.fields || {};
    if (!list || list.querySelector('[data-outbox-key="' + entry.key + '"]')) { return; }
    all(".empty", list).forEach(function (li) { li.remove(); });
    var row = el("li", "row");
    row.setAttribute("data-outbox-key", entry.key);
    row.appendChild(el("span", "", (f.description || "").trim() + " × " + (parseInt(f.quantity, 10) || 1)));
    row.appendChild(waitingMark());
    list.appendChild(row);
    var form = list.parentNode.querySelector("form.inline-add");
    if (form && doc === document && form.contains(document.activeElement)) { form.reset(); }
  };

  render.incident = function (entry, doc) {
    // The report is kept on the phone: the form says so and is not filled in twice.
    var form = all("form", doc).filter(function (f) { return path(f.action) === path(entry.url); })[0];
    if (!form || form.querySelector("[data-outbox-mark]")) { return; }
    var mark = waitingMark();
    mark.setAttribute("data-outbox-mark", entry.target || "");
    form.insertBefore(mark, form.firstChild);
    all("button[type=submit]", form).forEach(function (b) { b.disabled = true; });
  };

  // A locked step's page opened after the steps before it were completed on this phone: the step as
  // it opens (kept in its <template>) replaces the locked one, and what waits for it is drawn again.
  function completing(entries) {
    var codes = {};
    entries.forEach(function (e) {
      var m = e.kind === "stage" && e.state !== "refused" && /\/stages\/([^/]+)\/complete$/.exec(path(e.url));
      if (m) { codes[decodeURIComponent(m[1])] = true; }
    });
    return codes;
  }

  // With signal, a step page notes which steps the server has complete (a kept page may be older),
  // and has the locked steps' pages kept by the service worker, once each time that set changes.
  var nav = document.querySelector("nav.job-progress[data-job]");
  var navJob = nav && nav.getAttribute("data-job");
  function stored(name) { try { return JSON.parse(localStorage.getItem(name) || "[]"); } catch (e) { return []; } }
  if (nav && navigator.onLine) {
    var doneNow = all("li.step-done[data-code]", nav).map(function (li) { return li.getAttribute("data-code"); });
    try {
      localStorage.setItem("hk-done:" + navJob, JSON.stringify(doneNow));
      if (localStorage.getItem("hk-prefetched:" + navJob) !== doneNow.join(" ") && "serviceWorker" in navigator) {
        var urls = all("li[data-url]", nav).map(function (li) { return li.getAttribute("data-url"); });
        navigator.serviceWorker.ready.then(function (reg) {
          if (reg.active && urls.length) {
            reg.active.postMessage({ type: "prefetch", urls: urls });
            localStorage.setItem("hk-prefetched:" + navJob, doneNow.join(" "));
          }
        });
      }
    } catch (e) { /* storage full or private mode: the pages are kept as they are visited */ }
  }

  function unlock() {
    var kept = document.querySelector("template[data-opens-after]");
    var holder = document.querySelector("[data-outbox-job]");
    if (!kept || !holder) { return; }
    outbox.pending(Number(holder.getAttribute("data-outbox-job"))).then(function (entries) {
      var done = completing(entries);
      stored("hk-done:" + holder.getAttribute("data-outbox-job")).forEach(function (code) { done[code] = true; });
      var ready = kept.getAttribute("data-opens-after").split(" ").every(function (code) { return done[code]; });
      var locked = document.getElementById("stage-" + kept.getAttribute("data-stage"));
      if (!ready || !locked) { return; }
      var open = kept.content.firstElementChild.cloneNode(true);
      locked.replaceWith(open);
      kept.remove();
      if (window.htmx) { window.htmx.process(open); }
      entries.forEach(function (e) {
        if (render[e.kind] && e.state !== "refused") { try { render[e.kind](e, document); } catch (err) { /* drawn by the server later */ } }
      });
    });
  }
  unlock();

  // Without signal, choosing an incident's type opens its page kept by the service worker (the job
  // screens' prefetch keeps one per type) instead of htmx's fragment, which only the server makes.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#incident-body a[hx-get]");
    if (!link || navigator.onLine) { return; }
    event.preventDefault();
    event.stopPropagation();
    location.href = link.href;
  }, true);
})();
