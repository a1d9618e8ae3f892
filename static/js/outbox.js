// The phone's outbox: every write of a job, online or not, kept in IndexedDB and sent in the order it
// was made, one at a time, each with its client key (a replay is a no-op on the server) and the phone's
// time. See ARCHITECTURE.md, "Working without signal". Runs in pages and in the service worker (sw.js
// imports it for Background Sync): the sending part touches no DOM.
(function (root) {
  "use strict";
  var kv = root.idbKeyval;
  var store = kv && kv.createStore("hk-outbox", "entries");
  var DELAYS = [2000, 5000, 10000, 30000, 60000];  // back-off after a failed try, then every minute
  var listeners = {};
  var state = { paused: false, failures: 0, timer: null, sending: false };

  function emit(name, a, b) {
    (listeners[name] || []).forEach(function (fn) { try { fn(a, b); } catch (e) { /* a screen's bug */ } });
    // Sent by the service worker (Background Sync): the open pages hear of it as if they had sent it,
    // also a page the worker does not control yet (opened before it was installed, or hard-reloaded).
    if (!root.document && root.clients && (name === "sent" || name === "refused")) {
      root.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (pages) {
        pages.forEach(function (page) { page.postMessage({ type: "hk-outbox", event: name, entry: a, answer: b }); });
      });
    }
  }

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) { return root.crypto.randomUUID(); }
    var a = new Uint32Array(4);
    root.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (n) { return n.toString(16); }).join("-");
  }

  function jobOf(url) {
    var m = /\/jobs\/(\d+)\//.exec(url);
    return m ? Number(m[1]) : null;
  }

  // Every entry, oldest first. The counter lives in the same store under "seq".
  function all() {
    if (!store) { return Promise.resolve([]); }
    return kv.entries(store).then(function (rows) {
      return rows.filter(function (r) { return typeof r[0] === "number"; })
        .map(function (r) { return r[1]; })
        .sort(function (a, b) { return a.seq - b.seq; });
    });
  }

  var chain = Promise.resolve();  // this page's store changes, one after another
  function serial(fn) { chain = chain.then(fn, fn); return chain; }

  var WHOLE = { form: true, note: true };

  // A change the phone could not keep (storage full) is said at once, never shown as waiting.
  function add(entry) {
    return addNow(entry).catch(function (error) { emit("notkept", entry, error); throw error; });
  }

  function addNow(entry) {
    return serial(function () {
      entry.key = entry.key || newKey();
      entry.at = entry.at || Date.now();
      entry.method = entry.method || "POST";
      entry.job = entry.job || jobOf(entry.url);
      entry.state = "waiting";
      return all().then(function (entries) {
        // A new attempt of a refused write replaces it; a newer form or note its older one waiting
        // (each is sent whole: typing offline, or a draft coming back, would pile them up).
        return Promise.all(entries.filter(function (e) {
          return e.url === entry.url && (e.state === "refused" || (WHOLE[entry.kind] && e.kind === entry.kind));
        }).map(function (e) { return kv.del(e.seq, store); }));
      }).then(function () {
        return kv.update("seq", function (n) { return (n || 0) + 1; }, store).then(function () {
        return kv.get("seq", store);
      });
      }).then(function (seq) {
        entry.seq = seq;
        return kv.set(seq, entry, store);
      }).then(function () {
        emitChange();
        soon(0);
        return entry;
      });
    });
  }

  function pending(job) {
    return all().then(function (entries) {
      return job === undefined ? entries : entries.filter(function (e) { return e.job === Number(job); });
    });
  }

  function remove(entry) {
    return serial(function () { return kv.del(entry.seq, store); }).then(emitChange);
  }

  function save(entry) {
    return serial(function () { return kv.set(entry.seq, entry, store); }).then(emitChange);
  }

  function emitChange() {
    return all().then(function (entries) { emit("change", entries, state.paused); });
  }

  // A stage completion or a signature waits while an earlier entry of its job is refused: it depends
  // on what came before. Ticks, notes, forms and photos do not, so they keep going.
  var DEPENDS = { stage: true, sign: true };

  function nextToSend(entries) {
    var refusedJobs = {};
    for (var i = 0; i < entries.length; i += 1) {
      var e = entries[i];
      if (e.state === "refused") { refusedJobs[e.job] = true; continue; }
      if (DEPENDS[e.kind] && refusedJobs[e.job]) { continue; }
      return e;
    }
    return null;
  }

  // --- sending
  var csrf = null;
  function pageToken() {
    if (csrf) { return csrf; }
    var body = root.document && root.document.body;
    try { return JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function freshToken() {
    return fetch("/csrf-token", { credentials: "same-origin", headers: { "X-Requested-With": "hk-outbox" } })
      .then(function (r) { return r.ok && !loginPage(r) ? r.json() : null; })
      .catch(function () { return null; })
      .then(function (data) { csrf = data && data.token; return csrf; });
  }

  function body(entry) {
    var data = new FormData();
    Object.keys(entry.fields || {}).forEach(function (name) {
      var value = entry.fields[name];
      if (value && typeof value === "object" && value.blob) { data.append(name, value.blob, value.name || "photo"); }
      else if (Array.isArray(value)) { value.forEach(function (v) { data.append(name, v); }); }
      else if (value !== null && value !== undefined) { data.append(name, value); }
    });
    return data;
  }

  function post(entry, token) {
    return fetch(entry.url, {
      method: entry.method,
      body: body(entry),
      credentials: "same-origin",
      headers: {
        "X-HK-Client-Key": entry.key,
        "X-HK-Happened-At": String(entry.at),
        "X-Requested-With": "hk-outbox",
        "X-CSRFToken": token || "",
        "HX-Request": "true"
      }
    });
  }

  function loginPage(response) {
    if (response.status === 401) { return true; }
    try { return response.redirected && new URL(response.url).pathname === "/login"; } catch (e) { return false; }
  }

  // The text a person reads in a refusal (the server's fragment or page): its messages, else its text.
  function messageOf(html) {
    if (!root.DOMParser) { return ""; }
    var doc = new root.DOMParser().parseFromString(html, "text/html");
    var parts = doc.querySelectorAll(".field-error, [data-message], .flash, [data-testid=refusals] li");
    if (!parts.length) { parts = doc.querySelectorAll("h1"); }  // a page: its title says why
    if (!parts.length) { parts = doc.querySelectorAll("p"); }
    var text = parts.length ? Array.prototype.map.call(parts, function (p) { return p.textContent.trim(); })
      .filter(Boolean).filter(function (t, i, a) { return a.indexOf(t) === i; }).join(" ")
      : doc.body.textContent;
    return text.replace(/\s+/g, " ").trim().slice(0, 400);
  }

  // The server's answer as the screens need it (htmx's own headers included: where to swap it).
  function answerOf(response, html) {
    var h = response.headers;
    return { status: response.status, html: html, replayed: h.get("X-HK-Replayed") === "1",
             redirect: h.get("HX-Redirect"), retarget: h.get("HX-Retarget"), reswap: h.get("HX-Reswap"),
             url: response.redirected ? response.url : null };
  }

  // The write on the wire now, if any (see settled).
  var onTheWire = null;

  function sendOne(entry, retriedToken) {
    var sent = post(entry, pageToken());
    onTheWire = sent;
    sent.then(clear, clear);
    function clear() { if (onTheWire === sent) { onTheWire = null; } }
    return sent.then(function (response) {
      if (loginPage(response)) { state.paused = true; return "paused"; }
      if (response.status === 400 && !retriedToken) {  // the form's token expired: a fresh one, once
        return freshToken().then(function (token) {
          if (!token) { state.paused = true; return "paused"; }
          return sendOne(entry, true);
        });
      }
      if (response.ok) {
        return response.text().then(function (html) {
          return remove(entry).then(function () {
            emit("sent", entry, answerOf(response, html));
            return "sent";
          });
        });
      }
      if (response.status >= 500 || response.status === 429) { return "retry"; }
      return response.text().then(function (html) {
        entry.state = "refused";
        entry.status = response.status;
        entry.message = messageOf(html);
        entry.html = html.length < 100000 ? html : "";
        return save(entry).then(function () { emit("refused", entry, answerOf(response, html)); return "refused"; });
      });
    }, function () { return "retry"; });
  }

  function withLock(fn) {
    var locks = root.navigator && root.navigator.locks;
    return locks ? locks.request("hk-outbox-send", fn) : fn();
  }

  // Send what waits, oldest first, until nothing is left, the signal is gone or the login expired.
  function flush() {
    if (state.sending || !store) { return Promise.resolve(); }
    state.sending = true;
    return withLock(function loop() {
      return all().then(function (entries) {
        var entry = nextToSend(entries);
        if (!entry || state.paused) { return "idle"; }
        return sendOne(entry).then(function (outcome) {
          if (outcome === "sent" || outcome === "refused") { state.failures = 0; return loop(); }
          return outcome;
        });
      });
    }).then(function (outcome) {
      state.sending = false;
      if (outcome === "retry") {
        soon(DELAYS[Math.min(state.failures, DELAYS.length - 1)]);
        state.failures += 1;
      }
      emitChange();
    }, function () { state.sending = false; soon(DELAYS[DELAYS.length - 1]); });
  }

  function soon(delay) {
    clearTimeout(state.timer);
    state.timer = setTimeout(flush, delay);
  }

  // Once the write on the wire has its answer, or after `ms` (sw.js: a page fetched meanwhile).
  function settled(ms) {
    if (!onTheWire) { return Promise.resolve(); }
    return Promise.race([onTheWire.catch(function () {}), new Promise(function (done) { setTimeout(done, ms); })]);
  }

  function resume() { state.paused = false; state.failures = 0; soon(0); }

  function retry(entry) {
    entry.state = "waiting";
    delete entry.message;
    return save(entry).then(function () { resume(); });
  }

  root.hkOutbox = {
    add: add,
    pending: pending,
    remove: remove,
    retry: retry,
    save: save,
    messageOf: messageOf,
    emit: function (name, a, b) { emit(name, a, b); emitChange(); },
    flush: flush,
    settled: settled,
    resume: resume,
    newKey: newKey,
    jobOf: jobOf,
    isPaused: function () { return state.paused; },
    on: function (name, fn) { (listeners[name] = listeners[name] || []).push(fn); },
    render: {}
  };

  if (root.addEventListener) {
    root.addEventListener("online", resume);
    if (root.document) {
      root.document.addEventListener("visibilitychange", function () {
        if (root.document.visibilityState === "visible") { resume(); }
      });
    }
  }
  soon(500);  // what waited from an earlier visit goes when the page is opened again
})(self);
