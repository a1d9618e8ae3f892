// hk's service worker, served as /sw.js for the whole app's scope. Workbox (npm, in static/vendor):
// the shell stale-while-revalidate, job screens network-first, the outbox by Background Sync.
/* global importScripts, workbox, hkOutbox */
importScripts("/static/vendor/workbox/workbox-sw.js");
workbox.setConfig({ modulePathPrefix: "/static/vendor/workbox/", debug: false });
importScripts("/static/vendor/idb-keyval.js", "/static/js/outbox.js");

var PAGES = "hk-pages";
var STATIC = "hk-static";
// The app shell, fetched at install: a job screen from the cache has its styles and scripts.
var SHELL = ["css/app.css", "js/app.js", "js/photos.js", "js/outbox.js", "js/outbox_render.js", "js/outbox_screens.js", "js/signature.js", "js/offline_sign.js", "js/offline_stage.js", "js/handback_key.js", "js/offline_handover.js",
  "vendor/htmx.min.js", "vendor/idb-keyval.js", "vendor/signature_pad.min.js", "favicon.svg"];
// What a screen not kept yet says without signal, instead of the browser's error (in both languages).
var NOT_KEPT = "/offline";
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) {
    return cache.addAll(SHELL.map(function (path) { return "/static/" + path; }))
      .then(function () { return cache.add(NOT_KEPT).catch(function () {}); });
  }).then(function () { return self.skipWaiting(); }));
});
workbox.core.clientsClaim();

workbox.routing.registerRoute(
  function (o) { return o.url.origin === self.location.origin && o.url.pathname.indexOf("/static/") === 0; },
  new workbox.strategies.StaleWhileRevalidate({ cacheName: STATIC })
);

// A job's screens (stages, incident form, review…), its photos' thumbnails, and today's list.
function isWorkerPage(url) {
  return url.origin === self.location.origin &&
    (url.pathname === "/today" || /^\/jobs\/\d+(\/|$)/.test(url.pathname));
}
// No network timeout: with signal never a stale page; the cached copy is for when the request fails.
// A write this worker has on the wire goes in first (up to 3 s), so that the page shows it.
var workerPages = new workbox.strategies.NetworkFirst({ cacheName: PAGES });
workbox.routing.registerRoute(
  function (o) { return o.request.method === "GET" && isWorkerPage(o.url); },
  function (options) {
    return hkOutbox.settled(3000).then(function () { return workerPages.handle(options); }).catch(function (error) {
      if (options.request.mode !== "navigate") { throw error; }
      return caches.match(NOT_KEPT, { cacheName: STATIC }).then(function (page) { if (!page) { throw error; } return page; });
    });
  }
);

// A worker's page into the cache; `deeper`: also its job's screens it links to; `fill`: not a screen
// kept already (a job's own page always). Two at a time, low priority: the worker's tap goes first.
var free = 2, queued = [];
function take() { while (free && queued.length) { free--; queued.shift()(); } }
function keepPage(cache, url, deeper, fill) {
  return (fill && !/^\/jobs\/\d+$/.test(url) ? cache.match(url) : Promise.resolve()).then(function (hit) {
    return hit || new Promise(function (go) { queued.push(go); take(); });
  }).then(function (hit) {
    if (hit) { return null; }
    var got = fetch(url, { credentials: "same-origin", priority: "low" });
    got.catch(function () {}).then(function () { free++; take(); });
    return got;
  }).then(function (r) {
    if (!r || !r.ok || new URL(r.url).pathname === "/login") { return null; }
    // A job's address leads to its open stage: both addresses keep the stage's page (a page kept
    // as a redirect could not be shown to a navigation).
    return r.text().then(function (html) {
      var keep = function (key) {
        return cache.put(key, new Response(html, { status: 200, headers: r.headers }));
      };
      // Any other address redirected is not that page (a stage fetched during the check-in came back
      // as the open stage): not kept under it.
      var leads = /^\/jobs\/\d+$/.test(url) || url === "/today";
      var kept = [!r.redirected || leads ? keep(url) : null, r.redirected ? keep(new URL(r.url).pathname) : null];
      var job = /^\/jobs\/(\d+)/.exec(new URL(r.url).pathname);
      if (deeper && job) {
        var links = (html.match(new RegExp('href="/jobs/' + job[1] + '/[^"#?]*"', "g")) || [])
          .map(function (a) { return a.slice(6, -1); });
        var screens = /data-offline-screens="([^"]*)"/.exec(html);  // every stage, even those not yet linked
        links = links.concat(screens ? screens[1].split(" ") : []);
        links.filter(function (path, i, all) {
          return path && all.indexOf(path) === i && path.indexOf("/photos/") < 0;
        }).slice(0, 30).forEach(function (path) { kept.push(keepPage(cache, path, false, true)); });
      }
      return Promise.all(kept);
    });
  }).catch(function () { return null; });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "prefetch" && Array.isArray(data.urls)) {
    // /today, opened with signal, names each of today's jobs: each, and its screens, into the cache.
    event.waitUntil(caches.open(PAGES).then(function (cache) {
      return Promise.all(data.urls.map(function (url) { return keepPage(cache, url, data.deeper, data.fill); }));
    }));
  } else if (data.type === "keep" && Array.isArray(data.urls)) {
    // The review's photos (its before/after pairs), for a customer reading it without signal.
    var photos = data.urls.filter(function (url) {
      var u = new URL(url, self.location.href);
      return u.origin === self.location.origin && /^\/jobs\/\d+\/photos\/\d+$/.test(u.pathname) && u.search === "?size=thumb";
    }).slice(0, 60);
    event.waitUntil(caches.open(PAGES).then(function (cache) {
      return Promise.all(photos.map(function (url) {
        return cache.match(url).then(function (hit) { return hit || cache.add(url).catch(function () {}); });
      }));
    }));
  } else if (data.type === "logout") {
    // Another worker may use this phone next: their pages are not kept for them.
    event.waitUntil(caches.delete(PAGES));
  }
});

self.addEventListener("sync", function (event) {
  // Still waiting afterwards (no signal yet): a failed sync, which the browser tries again later.
  if (event.tag === "hk-outbox") {
    event.waitUntil(hkOutbox.flush().then(function () { return hkOutbox.pending(); }).then(function (entries) {
      if (entries.some(function (e) { return e.state !== "refused"; })) { throw new Error("still waiting"); }
    }));
  }
});
