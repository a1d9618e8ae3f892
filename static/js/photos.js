// Photos for hk: downscaled in the browser, then handed to the job's outbox (static/js/outbox.js), which
// keeps them in IndexedDB and sends them in order with everything else: a reload or a closed tab loses nothing.
(function () {
  "use strict";

  // What a photo is sent as (bench/photo_size.py measures it): 1600 px on the long edge, twice the
  // record's print copy (800 px across 85 mm), scaled with the browser's best filter, which also
  // averages a small sensor's noise away; then WebP at 0.8 where the browser encodes WebP (Chrome,
  // Android, Firefox), else JPEG at 0.8 (Safari). A noisy 12 MP photo of 5 MB becomes ~300 KB.
  var LONG_EDGE = 1600;
  var QUALITY = 0.8;
  var TYPES = { "image/webp": ".webp", "image/jpeg": ".jpg" };
  var webp = null; // whether this browser's canvas encodes WebP, once known
  var FIELDS = ["stage", "item", "incident"];

  function t(name, value) {
    var box = document.getElementById("hk-i18n");
    var text = (box && box.dataset[name]) || name;
    return value === undefined ? text : text.replace("{n}", value);
  }

  // WebP if the canvas makes one (a browser that cannot answers with a PNG), else JPEG.
  function encode(canvas, file) {
    return new Promise(function (resolve) {
      function jpeg() { canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", QUALITY); }
      if (webp === false) { jpeg(); return; }
      canvas.toBlob(function (blob) {
        webp = !!blob && blob.type === "image/webp";
        if (webp) { resolve(blob); } else { jpeg(); }
      }, "image/webp", QUALITY);
    });
  }

  // A file name that says what the bytes are (the server reads the bytes, not the name).
  function fileName(blob, original) {
    if (!TYPES[blob.type] && blob.name) { return blob.name; } // sent as chosen (e.g. HEIC)
    var base = ((original && original.name) || "photo").replace(/\.[^.]*$/, "");
    return base + (TYPES[blob.type] || ".jpg");
  }

  // Decode with the photo's own orientation, draw at most LONG_EDGE px, re-encode (encode above).
  // Re-encoding through a canvas also drops every metadata field (GPS included).
  function downscale(file) {
    if (!window.createImageBitmap) { return Promise.resolve(file); }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, LONG_EDGE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.imageSmoothingQuality = "high";
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) { bitmap.close(); }
      return encode(canvas, file);
    }).catch(function () {
      return file; // e.g. HEIC the browser cannot decode: the server converts it
    });
  }

  function fieldsOf(form) {
    var fields = {};
    FIELDS.forEach(function (name) {
      var input = form.querySelector('input[name="' + name + '"]');
      if (input) { fields[name] = input.value; }
    });
    return fields;
  }

  // A photo goes into the job's outbox (static/js/outbox.js) like every other write: kept in IndexedDB
  // until the server has it, shown at once in its strip with a "waiting to send" mark.
  function queue(form, blob, takenAt) {
    var fields = fieldsOf(form);
    fields.client_key = window.hkOutbox.newKey();
    if (takenAt) { fields.taken_at = String(takenAt); }
    fields.photo = { blob: blob, name: fileName(blob) };
    var entry = { url: new URL(form.action, location.href).pathname, kind: "photo", fields: fields,
                  target: "#" + form.dataset.target, label: t("outboxPhoto"), at: Date.now(),
                  key: window.hkOutbox.newKey() };
    var draw = window.hkOutbox.render.photo;
    if (draw) { draw(entry, document); }
    return window.hkOutbox.add(entry);
  }

  // A photo is in the outbox only once it is scaled; a tap made meanwhile (the item's tick) waits for
  // it (outbox_screens.js asks hkPhotosReady), so the outbox keeps the order the worker saw.
  var preparing = Promise.resolve();
  window.hkPhotosReady = function () { return preparing; };

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("form[data-photo-upload] input[type=file]")) { return; }
    var form = input.closest("form");
    var row = document.createElement("li");
    row.className = "upload";
    row.setAttribute("data-testid", "upload");
    row.textContent = t("preparing");
    form.querySelector(".upload-queue").appendChild(row);
    var these = Promise.all(Array.prototype.map.call(input.files, function (file) {
      return downscale(file).then(function (blob) { return queue(form, blob, file.lastModified || null); });
    })).then(function () { row.remove(); }, function () { row.remove(); });
    preparing = Promise.all([preparing, these]);
    input.value = "";
  });

  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form[data-photo-upload]")) { event.preventDefault(); }
  });

  // A form that sends its photos with other fields (the customer's problem report) is sent as it is,
  // once the chosen photos are made smaller: a few hundred KB each instead of several MB on a weak
  // signal. Without JavaScript (or DataTransfer) it sends the originals, which the server also takes.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches || !form.matches("form[data-downscale-photos]")) { return; }
    var input = form.querySelector("input[type=file]");
    if (!window.DataTransfer || !window.File || !input || !input.files || !input.files.length) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.textContent = t("preparing"); }
    Promise.all(Array.prototype.map.call(input.files, function (file) {
      return downscale(file).then(function (blob) {
        if (blob === file) { return file; }
        return new File([blob], fileName(blob, file), { type: blob.type });
      });
    })).then(function (smaller) {
      var list = new DataTransfer();
      smaller.forEach(function (file) { list.items.add(file); });
      input.files = list.files;
    }).catch(function () {}).then(function () { form.submit(); });
  });

  // Photos left waiting by the photo queue of before the outbox ("hk-uploads"): moved into the outbox
  // once, then the old store is deleted.
  function drainOldQueue() {
    if (!window.indexedDB || !window.hkOutbox) { return; }
    var request = window.indexedDB.open("hk-uploads", 1);
    request.onupgradeneeded = function () { request.result.createObjectStore("pending", { keyPath: "key" }); };
    request.onsuccess = function () {
      var db = request.result;
      var all = db.transaction("pending", "readonly").objectStore("pending").getAll();
      all.onsuccess = function () {
        db.close();
        Promise.all((all.result || []).filter(function (r) { return r.blob; }).map(function (record) {
          var fields = { client_key: record.key, photo: { blob: record.blob, name: fileName(record.blob) } };
          FIELDS.forEach(function (name) { if (record.fields && record.fields[name]) { fields[name] = record.fields[name]; } });
          if (record.takenAt) { fields.taken_at = String(record.takenAt); }
          return window.hkOutbox.add({ url: new URL(record.action, location.href).pathname, kind: "photo",
                                       fields: fields, target: "#" + record.target, label: t("outboxPhoto") });
        })).then(function () { window.indexedDB.deleteDatabase("hk-uploads"); });
      };
    };
  }
  document.addEventListener("DOMContentLoaded", drainOldQueue);
})();
