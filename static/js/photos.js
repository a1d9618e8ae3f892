// Photo uploads for hk: downscale in the browser, upload with progress, retry, never drop silently.
// A photo waiting to upload is also kept in IndexedDB, so a reload or a closed tab loses nothing.
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
  var RETRY_DELAYS = [2000, 5000, 10000];
  var FIELDS = ["stage", "item", "incident"];

  function t(name, value) {
    var box = document.getElementById("hk-i18n");
    var text = (box && box.dataset[name]) || name;
    return value === undefined ? text : text.replace("{n}", value);
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var a = new Uint32Array(4);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (n) { return n.toString(16); }).join("-");
  }

  // --- the waiting room: IndexedDB, when the browser has it -----------------------------------
  var store = (function () {
    var opening = null;
    function open() {
      if (!window.indexedDB) { return Promise.reject(new Error("no indexedDB")); }
      if (!opening) {
        opening = new Promise(function (resolve, reject) {
          var request = window.indexedDB.open("hk-uploads", 1);
          request.onupgradeneeded = function () { request.result.createObjectStore("pending", { keyPath: "key" }); };
          request.onsuccess = function () { resolve(request.result); };
          request.onerror = function () { reject(request.error); };
        });
      }
      return opening;
    }
    function run(mode, fn) {
      return open().then(function (db) {
        return new Promise(function (resolve, reject) {
          var tx = db.transaction("pending", mode);
          var result = fn(tx.objectStore("pending"));
          tx.oncomplete = function () { resolve(result && result.result); };
          tx.onerror = function () { reject(tx.error); };
        });
      });
    }
    return {
      put: function (record) { return run("readwrite", function (s) { return s.put(record); }).catch(function () {}); },
      remove: function (key) { return run("readwrite", function (s) { return s.delete(key); }).catch(function () {}); },
      all: function () { return run("readonly", function (s) { return s.getAll(); }).catch(function () { return []; }); }
    };
  })();

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

  function Upload(form, record) {
    this.form = form;
    this.record = record; // {key, action, target, fields, blob, takenAt}
    this.attempt = 0;
    this.row = document.createElement("li");
    this.row.className = "upload";
    this.row.setAttribute("data-testid", "upload");
    this.label = document.createElement("span");
    this.label.className = "upload-label";
    this.bar = document.createElement("progress");
    this.bar.max = 100;
    this.bar.value = 0;
    this.actions = document.createElement("span");
    this.actions.className = "upload-actions";
    this.row.appendChild(this.label);
    this.row.appendChild(this.bar);
    this.row.appendChild(this.actions);
    form.querySelector(".upload-queue").appendChild(this.row);
  }

  Upload.prototype.state = function (name, text) {
    this.row.dataset.state = name;
    this.label.textContent = text;
    this.actions.textContent = "";
  };

  Upload.prototype.button = function (text, handler, testid) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-small";
    button.textContent = text;
    button.setAttribute("data-testid", testid);
    button.addEventListener("click", handler);
    this.actions.appendChild(button);
  };

  Upload.prototype.send = function () {
    var self = this;
    var record = self.record;
    var data = new FormData();
    var csrf = self.form.querySelector('input[name="csrf_token"]'); // the page's fresh token
    if (csrf) { data.append("csrf_token", csrf.value); }
    FIELDS.forEach(function (name) { if (record.fields[name]) { data.append(name, record.fields[name]); } });
    data.append("client_key", record.key);
    if (record.takenAt) { data.append("taken_at", String(record.takenAt)); }
    data.append("photo", record.blob, fileName(record.blob));
    var xhr = new XMLHttpRequest();
    xhr.open("POST", record.action);
    xhr.setRequestHeader("X-Requested-With", "fetch");
    xhr.timeout = 120000;
    self.state("uploading", t("uploading"));
    self.bar.value = 0;
    self.row.dataset.bytes = String(record.blob.size);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { self.bar.value = Math.round((event.loaded / event.total) * 100); }
    });
    xhr.addEventListener("load", function () {
      if (xhr.status === 201 || xhr.status === 200) { self.done(xhr.responseText); }
      else if (xhr.status >= 500) { self.failed(); }
      else if (xhr.status === 409) { self.conflict(xhr.responseText); }
      else { self.refused(xhr.responseText); }
    });
    xhr.addEventListener("error", function () { self.failed(); });
    xhr.addEventListener("timeout", function () { self.failed(); });
    xhr.send(data);
  };

  Upload.prototype.done = function (html) {
    var target = document.getElementById(this.record.target);
    if (target) { target.insertAdjacentHTML("beforeend", html); }
    store.remove(this.record.key);
    document.dispatchEvent(new CustomEvent("hk:photo-uploaded", { detail: { bytes: this.record.blob.size } }));
    this.row.remove();
  };

  // No signal or a server hiccup: retry by itself a few times, then keep a Retry button.
  Upload.prototype.failed = function () {
    var self = this;
    if (self.attempt < RETRY_DELAYS.length) {
      var delay = RETRY_DELAYS[self.attempt];
      self.attempt += 1;
      self.state("waiting", t("retrying", Math.round(delay / 1000)));
      window.setTimeout(function () { self.send(); }, delay);
      return;
    }
    self.stuck();
  };

  Upload.prototype.stuck = function () {
    var self = this;
    self.state("failed", t("failed"));
    self.button(t("retry"), function () { self.attempt = 0; self.send(); }, "retry-upload");
  };

  // The server said no (not a photo, step closed…): show why; retrying would not help.
  Upload.prototype.refused = function (html) {
    var self = this;
    // DOMParser reads the message without loading or running anything from it.
    var text = new DOMParser().parseFromString(html, "text/html").body.textContent;
    store.remove(self.record.key);
    self.state("refused", (text || t("failed")).trim());
    self.button(t("dismiss"), function () { self.row.remove(); }, "dismiss-upload");
  };

  // The job is open on another phone (or changed meanwhile): say so in one sentence, keep the photo here,
  // and offer the server's own button (take over, or reload). After taking over, the page comes back
  // and the photo waits with its Retry button.
  Upload.prototype.conflict = function (html) {
    var self = this;
    var doc = new DOMParser().parseFromString(html, "text/html");
    var box = doc.querySelector("[data-photo-conflict]");
    if (!box) { self.refused(html); return; }
    var message = box.querySelector("[data-message]");
    self.state("refused", message ? message.textContent.trim() : t("failed"));
    Array.prototype.forEach.call(box.querySelectorAll("form, a"), function (node) {
      if (node.parentNode !== box) { return; }
      self.actions.appendChild(document.importNode(node, true)); // markup only: nothing in it runs
    });
    self.button(t("dismiss"), function () { store.remove(self.record.key); self.row.remove(); }, "dismiss-upload");
  };

  function fieldsOf(form) {
    var fields = {};
    FIELDS.forEach(function (name) {
      var input = form.querySelector('input[name="' + name + '"]');
      if (input) { fields[name] = input.value; }
    });
    return fields;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("form[data-photo-upload] input[type=file]")) { return; }
    var form = input.closest("form");
    Array.prototype.forEach.call(input.files, function (file) {
      var record = { key: newKey(), action: form.action, target: form.dataset.target, fields: fieldsOf(form),
                     takenAt: file.lastModified || null, blob: null };
      var upload = new Upload(form, record);
      upload.state("preparing", t("preparing"));
      downscale(file).then(function (blob) {
        record.blob = blob;
        store.put(record).then(function () { upload.send(); });
      });
    });
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

  // Photos still waiting from an earlier visit of this page come back, ready to send again.
  document.addEventListener("DOMContentLoaded", function () {
    var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-photo-upload]"));
    if (!forms.length) { return; }
    store.all().then(function (records) {
      (records || []).forEach(function (record) {
        var form = forms.filter(function (f) {
          return f.action === record.action && f.dataset.target === record.target;
        })[0];
        if (form && record.blob) { new Upload(form, record).stuck(); }
      });
    });
  });
})();
