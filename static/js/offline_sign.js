// The customer's part without signal (issue #15; ARCHITECTURE.md, "Signing without signal").
// While there is signal the review page keeps the server's view of the job (/jobs/<id>/shown.json).
// Without signal, or while writes of the job still wait in the outbox (static/js/outbox.js), the review
// is drawn from that view with the waiting writes applied, the signature goes into the outbox with
// exactly that view (canonical JSON) and its SHA-256, the thanks page says the record will be made
// when the phone has signal, and the worker takes the phone back with the password checked on the
// phone (static/js/handback_key.js). The server signs only if its own view is then the same.
(function () {
  "use strict";
  var box = document.getElementById("hk-offline-sign");
  var form = document.querySelector("form[data-signature-form]");
  if (!box || !form) { return; }
  var outbox = window.hkOutbox;
  var job = Number(box.getAttribute("data-job"));
  var STORE = "hk-shown:" + job;
  var state = { waiting: 0, blobs: [] };

  function say(name, n) { return (box.getAttribute("data-" + name) || "").replace("{n}", n); }
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  // --- the view, as the server builds it (hk/records/shown.py) -------------------------------------
  // Sorted keys, no spaces, characters as they are: Python's json.dumps(sort_keys=True,
  // ensure_ascii=False, separators=(",", ":")) of the same data.
  function canonical(value) {
    if (Array.isArray(value)) { return "[" + value.map(canonical).join(",") + "]"; }
    if (value && typeof value === "object") {
      return "{" + Object.keys(value).sort().map(function (k) {
        return JSON.stringify(k) + ":" + canonical(value[k]);
      }).join(",") + "}";
    }
    return JSON.stringify(value === undefined ? null : value);
  }

  function digest(text) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buffer) {
      return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    });
  }

  function kept() {
    try { return JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { return null; }
  }

  function keep() {
    return outbox && outbox.keepShown ? outbox.keepShown(job, box.getAttribute("data-shown-url")) : Promise.resolve(null);
  }

  function text(value) { value = (value || "").trim(); return value || null; }
  function path(url) { try { return new URL(url, location.href).pathname; } catch (e) { return url; } }
  function stageOf(view, code) { return view.stages.filter(function (s) { return s.code === code; })[0]; }

  // What one waiting write changes in the view, as the server will apply it.
  function apply(view, entry) {
    var f = entry.fields || {};
    var p = path(entry.url);
    var m = /\/stages\/([^/]+)\/items\/([^/]+)$/.exec(p);
    if (m) {
      var stage = stageOf(view, decodeURIComponent(m[1]));
      var item = stage && stage.items.filter(function (i) { return i.code === decodeURIComponent(m[2]); })[0];
      if (!item) { return; }
      if (f.action === "note") { item.note = text(f.note); } else { item.answer = f.answer || null; }
    } else if (/\/photos$/.test(p) && !f.incident) {
      var where = stageOf(view, f.stage);
      if (where) { where.photos.push({ key: f.client_key || entry.key, item: f.item || null }); }
    } else if (/\/handover\/items$/.test(p)) {
      view.handover.items.push({ key: f.client_key || entry.key, description: (f.description || "").trim(),
        quantity: parseInt(f.quantity, 10) || 1 });
    } else if (/\/handover$/.test(p) && f.remarks !== undefined) {
      view.handover.remarks = text(f.remarks);
    } else if (/\/incidents$/.test(p)) {
      view.incidents.push({ key: f.client_key || entry.key, type: f.type, what_happened: text(f.what_happened) });
    }
  }

  function entries() {
    return outbox ? outbox.pending(job) : Promise.resolve([]);
  }

  // The view the customer reads now: the server's, with every write still waiting applied in order.
  function build() {
    var served = kept();
    if (!served) { return Promise.resolve(null); }
    return entries().then(function (list) {
      var view = JSON.parse(JSON.stringify(served.view));
      var waiting = list.filter(function (e) { return e.state !== "refused" && e.kind !== "sign"; });
      waiting.forEach(function (e) { apply(view, e); });
      return { view: view, thumbs: served.thumbs || {}, entries: waiting };
    });
  }

  // --- drawing the review from the view -------------------------------------------------------------
  var lang = box.getAttribute("data-lang");
  function named(value) { return value && typeof value === "object" ? value[lang] || value.zh_CN : value; }

  function photoSources(built) {
    state.blobs.forEach(URL.revokeObjectURL);
    state.blobs = [];
    var sources = {};
    Object.keys(built.thumbs).forEach(function (k) { sources[k] = built.thumbs[k]; });
    built.entries.forEach(function (e) {
      var f = e.fields || {};
      var blob = f.photo && (f.photo.blob || (f.photo instanceof Blob ? f.photo : null));
      if (blob) { var url = URL.createObjectURL(blob); state.blobs.push(url); sources[f.client_key || e.key] = url; }
    });
    return sources;
  }

  function drawPairs(built) {
    var holder = document.querySelector("[data-review-pairs]");
    var kinds = function (kind) {
      return built.view.stages.filter(function (s) { return s.kind === kind; })
        .reduce(function (all, s) { return all.concat(s.photos); }, []);
    };
    var before = kinds("pre_service");
    var after = kinds("post_service");
    if (!after.length) { after = kinds("cleaning"); }
    holder.textContent = "";
    if (!before.length && !after.length) { return; }
    var sources = photoSources(built);
    var card = el("section", "card");
    card.appendChild(el("h2", null, say("pairs")));
    var grid = el("div", "pairs-grid");
    grid.appendChild(el("strong", null, say("before")));
    grid.appendChild(el("strong", null, say("after")));
    for (var n = 0; n < Math.max(before.length, after.length); n += 1) {
      [[before[n], say("before")], [after[n], say("after")]].forEach(function (pair) {
        var cell = el("div");
        if (pair[0] && sources[pair[0].key]) {
          var img = el("img");
          img.src = sources[pair[0].key];
          img.alt = pair[1];
          // not kept on this phone (never seen with signal): a quiet box, never a broken image
          img.addEventListener("error", function () { cell.textContent = ""; cell.appendChild(el("span", "photo-absent", say("no-photo"))); });
          cell.appendChild(img);
        }
        grid.appendChild(cell);
      });
    }
    card.appendChild(grid);
    holder.appendChild(card);
  }

  function drawStages(view) {
    var section = document.querySelector("[data-review-stages]");
    all("details.review-stage", section).forEach(function (d) { d.remove(); });
    view.stages.forEach(function (stage) {
      var details = el("details", "review-stage");
      var summary = el("summary");
      summary.appendChild(el("span", null, named(stage.name)));
      var done = stage.items.filter(function (i) { return i.answer; }).length;
      summary.appendChild(el("span", "badge badge-completed", "✓ " + done + "/" + stage.items.length));
      details.appendChild(summary);
      var list = el("ul", "plain-list");
      stage.items.forEach(function (item) {
        var row = el("li", "row");
        var label = el("span", null, named(item.label));
        if (item.note) { label.appendChild(document.createTextNode(" — ")); label.appendChild(el("em", null, item.note)); }
        row.appendChild(label);
        row.appendChild(el("span", null, item.answer === "not_applicable" ? say("na") : item.answer ? "✓" : "–"));
        list.appendChild(row);
      });
      details.appendChild(list);
      section.appendChild(details);
    });
  }

  function drawHandover(view) {
    var section = document.querySelector("[data-review-handover]");
    var title = section.querySelector("h2");
    section.textContent = "";
    section.appendChild(title);
    var list = el("ul", "plain-list");
    view.handover.items.forEach(function (item) {
      var row = el("li", "row");
      row.appendChild(el("span", null, item.description));
      row.appendChild(el("span", null, "× " + item.quantity));
      list.appendChild(row);
    });
    if (!view.handover.items.length) { list.appendChild(el("li", "empty", say("nothing"))); }
    section.appendChild(list);
    if (view.handover.remarks) {
      var p = el("p");
      p.appendChild(el("strong", null, say("remarks") + ":"));
      p.appendChild(document.createTextNode(" " + view.handover.remarks));
      section.appendChild(p);
    }
    if (view.incidents.length) {
      var types = JSON.parse(box.getAttribute("data-incident-types") || "{}");
      section.appendChild(el("h3", null, say("incidents")));
      view.incidents.forEach(function (i) { section.appendChild(el("p", null, (types[i.type] || i.type) + ": " + (i.what_happened || ""))); });
    }
  }

  function draw() {
    return build().then(function (built) {
      if (!built) { return; }
      drawPairs(built);
      drawStages(built.view);
      drawHandover(built.view);
      var card = document.querySelector("[data-handover-card]");  // the worker's, before the hand-over
      var note = document.querySelector("[data-review-waiting]");
      if (card && !card.hidden) { note.setAttribute("data-handover-hid", ""); } else { note.hidden = false; }
    });
  }

  // --- signing, the thanks page, the hand-back ------------------------------------------------------
  function offline() { return !navigator.onLine || state.waiting > 0; }

  function only(selector) {
    all("main > *").forEach(function (node) { node.hidden = !node.matches(selector); });
    if (switcher && selector.indexOf("handback") >= 0) { switcher.hidden = true; }  // the worker's page
    var shown = document.querySelector(selector);
    var head = shown && shown.querySelector("h1");
    if (head) { head.focus(); }
  }

  function thanks(name) {
    if (name) { document.querySelector("[data-thanks-head]").textContent = say("thanks").replace("{name}", name); }
    only("[data-offline-thanks], .take-back");
  }

  function formFields() {
    var fields = {};
    new FormData(form).forEach(function (value, name) { fields[name] = value; });
    delete fields.csrf_token;  // the outbox sends a fresh one in its header
    return fields;
  }

  // The server's answer to a signature it could not use (sign/_shown_changed.html): each language in
  // its own block, above the signature box; else the reason as one line.
  function showRefusal(message, html) {
    var errors = form.parentNode.querySelector(".sign-errors") || el("div", "sign-errors");
    errors.textContent = "";
    var told = html && new DOMParser().parseFromString(html, "text/html").querySelector("[data-testid='shown-changed']");
    var alert = told ? document.importNode(told, true) : el("div", "alert alert-danger messages");
    alert.setAttribute("role", "alert");
    alert.setAttribute("data-testid", "refusals");
    all("[data-testid='sign-again']", alert).forEach(function (a) { a.parentNode.remove(); });  // here already
    if (!told) { alert.appendChild(el("p", null, message)); }
    errors.appendChild(alert);
    form.parentNode.insertBefore(errors, form);
  }

  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented || !outbox || !offline()) { return; }  // with signal: the usual way
    event.preventDefault();
    var fields = formFields();
    build().then(function (built) {
      if (!built) { showRefusal(say("no-view")); return null; }
      var shown = canonical(built.view);
      return digest(shown).then(function (hash) {
        fields.shown = shown;
        fields.shown_hash = hash;
        fields.signed_at = String(Date.now());
        return entries();
      }).then(function (list) {
        // a signature refused before (the job changed) is replaced by this one, made after a new review
        return Promise.all(list.filter(function (e) { return e.kind === "sign"; }).map(outbox.remove));
      }).then(function () {
        return outbox.add({ job: job, url: form.action, method: "POST", fields: fields, kind: "sign",
          label: say("label-sign") + ": " + (fields.signer_name || "") });
      }).then(function () { thanks(fields.signer_name); });
    });
  });

  var handback = document.querySelector("[data-offline-handback]");
  var takeBack = document.querySelector("[data-testid='take-back']");
  if (takeBack) {
    takeBack.addEventListener("click", function (event) {
      if (!outbox || !offline()) { return; }
      event.preventDefault();
      only("[data-offline-handback]");
      if (!window.hkHandback || !window.hkHandback.available()) {
        var error = handback.querySelector("[data-handback-error]");
        error.textContent = say("no-key");
        error.hidden = false;
      }
    });
  }
  handback.querySelector("[data-handback-cancel]").addEventListener("click", function () {
    location.reload();
  });
  handback.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    var error = handback.querySelector("[data-handback-error]");
    var password = handback.querySelector("input[type=password]");
    if (!window.hkHandback || !window.hkHandback.available()) {
      error.textContent = say("no-key");
      error.hidden = false;
      return;
    }
    window.hkHandback.unwrap(password.value).then(function (secret) {
      password.value = "";
      if (!secret) {
        var left = window.hkHandback.triesLeft();
        error.textContent = left > 0 ? say("wrong", left) : say("locked");
        error.hidden = false;
        password.focus();
        return;
      }
      return outbox.add({ job: job, url: box.getAttribute("data-handback-url"), method: "POST", kind: "handback",
        fields: { secret: secret }, label: say("label-handback") })
        .then(function () {
          if (window.hkHandover) { window.hkHandover.unlock(job); }  // the phone is the worker's again
          location.href = box.getAttribute("data-job-url");
        });
    });
  });

  function refresh() {
    return entries().then(function (list) {
      var ours = list.filter(function (e) { return e.kind !== "handback"; });
      var sign = ours.filter(function (e) { return e.kind === "sign"; })[0];
      state.waiting = ours.filter(function (e) { return e.kind !== "sign" && e.state !== "refused"; }).length;
      if (sign && sign.state === "refused") { showRefusal(sign.message || "", sign.html); }
      else if (sign) { thanks(sign.fields && sign.fields.signer_name); return; }
      if (offline()) { return draw(); }
    });
  }

  if (navigator.onLine) { keep(); }
  if (outbox) {
    outbox.on("change", function (list) {
      state.waiting = (list || []).filter(function (e) {
        return e.job === job && e.state !== "refused" && e.kind !== "sign" && e.kind !== "handback";
      }).length;
    });
    outbox.on("sent", function (entry) {
      if (entry.job === job && entry.kind === "sign") { location.href = box.getAttribute("data-signed-url"); }
    });
    outbox.on("refused", function (entry) {
      if (entry.job === job && entry.kind === "sign") { location.reload(); }
    });
  }
  window.addEventListener("offline", refresh);
  // The customer's language switch asks the server; without signal it says so instead of failing.
  var switcher = document.querySelector("form[data-testid='customer-lang']");
  if (switcher) {
    switcher.addEventListener("submit", function (event) {
      if (navigator.onLine) { return; }
      event.preventDefault();
      var note = document.querySelector("[data-review-waiting]");
      note.textContent = say("no-switch");
      note.hidden = false;
      note.setAttribute("role", "status");
      note.scrollIntoView({ block: "center" });
    });
  }
  window.hkShown = { canonical: canonical, digest: digest, build: build, keep: keep };
  refresh();
})();
