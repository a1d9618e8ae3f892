// What each kind of outbox entry that offline-core owns looks like on the phone before the server has
// it (hkOutbox.render: tick, note, form, photo), drawn when it is queued and again when a page is
// opened with it still waiting, with a "waiting to send" mark. The other half registers its own kinds.
// Also the small helpers the job screens' outbox code shares (hkOutbox.ui).
(function () {
  "use strict";
  var outbox = window.hkOutbox;
  if (!outbox) { return; }
  var render = outbox.render;

  function t(name, value) {
    var box = document.getElementById("hk-i18n");
    var text = (box && box.dataset[name]) || name;
    return value === undefined ? text : text.replace("{n}", value);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function pathOf(url) { try { return new URL(url, location.href).pathname; } catch (e) { return url; } }

  function itemCodeOf(path) { var m = /\/items\/([^/]+)$/.exec(path); return m ? decodeURIComponent(m[1]) : null; }

  // --- the mark on what waits
  function mark(holder, target) {
    if (!holder || holder.querySelector("[data-outbox-mark]")) { return; }
    var span = el("span", "pending-mark", t("outboxWaitingOne"));
    span.setAttribute("data-outbox-mark", target);
    span.setAttribute("data-testid", "pending-mark");
    holder.appendChild(span);
  }

  // --- what each kind looks like on the phone before the server has it
  render.tick = function (entry, doc) {
    var code = itemCodeOf(entry.url);
    var li = doc.getElementById("item-" + code);
    if (!li) { return; }
    var answer = entry.fields.answer || "";
    li.classList.toggle("item-done", ["done", "safe", "not_applicable"].indexOf(answer) >= 0);
    li.classList.toggle("item-unsafe", answer === "not_safe");
    li.classList.toggle("item-na", answer === "not_applicable");
    var tick = li.querySelector("button.tick");
    if (tick) {
      tick.classList.toggle("is-on", !!answer);
      tick.setAttribute("aria-checked", answer ? "true" : "false");
      tick.textContent = answer ? "✓" : "";
      tick.form.querySelector('input[name="answer"]').value = answer ? "" : "done";
    }
    [["answer-safe", "safe"], ["answer-unsafe", "not_safe"], ["answer-na", "not_applicable"]].forEach(function (pair) {
      var button = li.querySelector("button." + pair[0]);
      if (!button) { return; }
      var on = answer === pair[1];
      button.classList.toggle("is-on", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      if (pair[1] !== "not_safe") { button.form.querySelector('input[name="answer"]').value = on ? "" : pair[1]; }
    });
    mark(li.querySelector(".item-label"), "#item-" + code);  // beside "photo required"
    // What a screen reader says of it (app.js reads it once the tap is drawn, as after a swap).
    var name = li.querySelector(".item-label > span");
    var safety = !!li.querySelector("button.answer-safe");
    var word = safety ? { safe: "announceSafe", not_safe: "announceNotSafe", not_applicable: "announceNotApplicable" }[answer] || "announceNone"
      : answer ? "announceDone" : "announceUndone";
    if (name) { li.setAttribute("data-announce", t(word, name.textContent.trim())); }
  };

  render.note = function (entry, doc) {
    var code = itemCodeOf(entry.url);
    var li = doc.getElementById("item-" + code);
    if (!li) { return; }
    var box = li.querySelector("textarea[name=note]");
    if (box && document.activeElement !== box && !hasDraft(box.form, box)) { box.value = entry.fields.note || ""; }
    var summary = li.querySelector(".item-note summary");
    var note = (entry.fields.note || "").trim();
    if (summary) { summary.textContent = t("note") + (note ? ": " + (note.length > 40 ? note.slice(0, 39) + "…" : note) : ""); }
    mark(li.querySelector(".item-label"), "#item-" + code);  // beside "photo required"
  };

  // Where app.js keeps a typed draft (its draftKey: the form's action and the box's name).
  function draftKey(action, name) { return "hk-draft:" + action + ":" + name; }

  function hasDraft(form, field) {
    try { return localStorage.getItem(draftKey(form.getAttribute("action"), field.name)) !== null; }
    catch (e) { return false; }
  }

  // The boxes of an autosave form as this entry has them (drawn while it waits, and once it is sent:
  // a page read before it reached the server shows the boxes as they were).
  render.formFields = function (entry, doc) {
    var form = Array.prototype.filter.call(doc.querySelectorAll("form[data-autosave]"), function (f) {
      return pathOf(f.getAttribute("action")) === pathOf(entry.url);
    })[0];
    if (!form) { return null; }
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "hidden" || field === document.activeElement) { return; }
      if (hasDraft(form, field)) { return; }  // typed after this entry was made (app.js keeps it): newer
      if (field.type === "checkbox") { field.checked = Object.prototype.hasOwnProperty.call(entry.fields, field.name); }
      else if (entry.fields[field.name] !== undefined) { field.value = entry.fields[field.name]; }
    });
    return form;
  };

  render.form = function (entry, doc) {
    var form = render.formFields(entry, doc);
    if (!form) { return; }
    var status = form.querySelector("[data-autosave-status]");
    if (status) {
      status.textContent = "";
      var span = el("span", "pending-mark", t("outboxWaitingOne"));
      span.setAttribute("data-outbox-mark", entry.target);
      span.setAttribute("data-testid", "pending-mark");
      status.appendChild(span);
    }
  };

  render.photo = function (entry, doc) {
    var strip = doc.getElementById(entry.target && entry.target.replace(/^#/, ""));
    var file = entry.fields.photo;
    if (!strip || !file || !file.blob || strip.querySelector('[data-outbox-key="' + entry.key + '"]')) { return; }
    var figure = el("figure", "photo photo-pending");
    figure.setAttribute("data-outbox-key", entry.key);
    figure.setAttribute("data-testid", "photo-pending");
    var img = el("img");
    img.src = URL.createObjectURL(file.blob);
    img.alt = t("outboxPhoto");
    img.width = img.height = 96;
    var caption = el("figcaption", "pending-mark", t("outboxWaitingOne"));
    caption.setAttribute("data-outbox-mark", entry.target);
    if (entry.state === "refused") { caption.textContent = t("outboxAttentionOne"); caption.classList.add("is-refused"); }
    figure.appendChild(img);
    figure.appendChild(caption);
    strip.appendChild(figure);
  };

  outbox.ui = { t: t, el: el, pathOf: pathOf, itemCodeOf: itemCodeOf, draftKey: draftKey };
})();
