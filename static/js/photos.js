// Photo uploads for hk: downscale in the browser, upload with progress, retry, never drop silently.
(function () {
  "use strict";

  var LONG_EDGE = 1600;
  var QUALITY = 0.85;
  var RETRY_DELAYS = [2000, 5000, 10000];

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

  // Decode with the photo's own orientation, draw at most LONG_EDGE px, re-encode as JPEG.
  // Re-encoding through a canvas also drops every metadata field (GPS included).
  function downscale(file) {
    if (!window.createImageBitmap) { return Promise.resolve(file); }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, LONG_EDGE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) { bitmap.close(); }
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", QUALITY);
      });
    }).catch(function () {
      return file; // e.g. HEIC the browser cannot decode: the server converts it
    });
  }

  function Upload(form, file) {
    this.form = form;
    this.file = file;
    this.key = newKey();
    this.attempt = 0;
    this.blob = null;
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

  Upload.prototype.start = function () {
    var self = this;
    self.state("preparing", t("preparing"));
    downscale(self.file).then(function (blob) {
      self.blob = blob;
      self.send();
    });
  };

  Upload.prototype.send = function () {
    var self = this;
    var form = self.form;
    var data = new FormData();
    ["csrf_token", "stage", "item", "incident"].forEach(function (name) {
      var input = form.querySelector('input[name="' + name + '"]');
      if (input) { data.append(name, input.value); }
    });
    data.append("client_key", self.key);
    // The canvas drops EXIF, so say when the photo was taken (a fresh camera file: its lastModified).
    if (self.file.lastModified) { data.append("taken_at", String(self.file.lastModified)); }
    data.append("photo", self.blob, "photo.jpg");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "fetch");
    xhr.timeout = 120000;
    self.state("uploading", t("uploading"));
    self.bar.value = 0;
    self.row.dataset.bytes = String(self.blob.size);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { self.bar.value = Math.round((event.loaded / event.total) * 100); }
    });
    xhr.addEventListener("load", function () {
      if (xhr.status === 201 || xhr.status === 200) { self.done(xhr.responseText); }
      else if (xhr.status >= 500) { self.failed(); }
      else { self.refused(xhr.responseText); }
    });
    xhr.addEventListener("error", function () { self.failed(); });
    xhr.addEventListener("timeout", function () { self.failed(); });
    xhr.send(data);
  };

  Upload.prototype.done = function (html) {
    var target = document.getElementById(this.form.dataset.target);
    if (target) { target.insertAdjacentHTML("beforeend", html); }
    document.dispatchEvent(new CustomEvent("hk:photo-uploaded", { detail: { bytes: this.blob.size } }));
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
    self.state("failed", t("failed"));
    self.button(t("retry"), function () { self.attempt = 0; self.send(); }, "retry-upload");
  };

  // The server said no (not a photo, step closed…): show why; retrying would not help.
  Upload.prototype.refused = function (html) {
    var self = this;
    var box = document.createElement("div");
    box.innerHTML = html;
    self.state("refused", (box.textContent || t("failed")).trim());
    self.button(t("dismiss"), function () { self.row.remove(); }, "dismiss-upload");
  };

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("form[data-photo-upload] input[type=file]")) { return; }
    var form = input.closest("form");
    Array.prototype.forEach.call(input.files, function (file) { new Upload(form, file).start(); });
    input.value = "";
  });

  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form[data-photo-upload]")) { event.preventDefault(); }
  });
})();
