"""Send a photo through the real static/js/photos.js and see what left the phone.

Shared by tests/e2e/test_photo_sent.py and bench/photo_size.py: the worker's page has a photo item
open; the file is chosen in its camera input; the photo that photos.js puts in the upload is kept
(type, name, bytes) and the server's answer read.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageStat


@dataclass
class Sent:
    content_type: str
    filename: str
    data: bytes
    status: int

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def image(self) -> Image.Image:
        return Image.open(io.BytesIO(self.data))


# Keeps each photo blob handed to a FormData, as photos.js builds the upload (Playwright does not
# give the body of a request made of blobs).
WATCH = """
window.__hkSent = [];
const append = FormData.prototype.append;
FormData.prototype.append = function (name, value, filename) {
  if (name === "photo" && value instanceof Blob) { window.__hkSent.push({ blob: value, filename }); }
  return append.apply(this, arguments);
};
"""
READ = """async () => {
  const sent = window.__hkSent[window.__hkSent.length - 1];
  const bytes = new Uint8Array(await sent.blob.arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return { type: sent.blob.type, filename: sent.filename, data: btoa(text) };
}"""


def watch_uploads(page) -> None:
    """Before the page loads: keep what photos.js puts in its uploads."""
    page.add_init_script(WATCH)


def send_photo(page, path: str) -> Sent:
    """Choose the file in the page's first camera input; the photo as sent, and the server's answer."""
    with page.expect_response(lambda r: r.url.endswith("/photos") and r.request.method == "POST") as caught:
        page.get_by_test_id("photo-input").first.set_input_files(path)
    sent = page.evaluate(READ)
    return Sent(
        content_type=sent["type"],
        filename=sent["filename"],
        data=base64.b64decode(sent["data"]),
        status=caught.value.status,
    )


def psnr(a: Image.Image, b: Image.Image) -> float:
    """Peak signal-to-noise ratio of two pictures of one size, in dB (over 40: no visible change)."""
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    mse = sum(ImageStat.Stat(diff).sum2) / (3 * a.width * a.height)
    if mse == 0:
        return float("inf")
    return 10 * math.log10(255**2 / mse)
