"""The customer's drawn signature: decoded, checked for real ink, stored as a clean PNG."""

from __future__ import annotations

import base64
import binascii
import io

from PIL import Image, UnidentifiedImageError

MAX_BYTES = 600 * 1024
PREFIX = "data:image/png;base64,"
MIN_INK_PIXELS = 150  # a dot or a tap leaves far fewer
MIN_SPAN_PX = 40  # the drawing must reach across at least this much, in one direction


class SignatureRejected(ValueError):
    """The drawing is not a usable signature; code says why ("empty", "too_small", "unreadable")."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def clean_signature(data_url: str) -> bytes:
    """Check a signature_pad data URL and return it as a flattened PNG (black ink on white)."""
    if not data_url or not data_url.startswith(PREFIX):
        raise SignatureRejected("empty")
    if len(data_url) > MAX_BYTES * 4 // 3 + len(PREFIX):
        raise SignatureRejected("unreadable")
    try:
        raw = base64.b64decode(data_url[len(PREFIX) :], validate=True)
        image = Image.open(io.BytesIO(raw))
        if image.format != "PNG" or image.width * image.height > 4_000_000:
            raise SignatureRejected("unreadable")
        image.load()
    except (binascii.Error, UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        if isinstance(exc, SignatureRejected):
            raise
        raise SignatureRejected("unreadable") from None
    alpha = image.convert("RGBA").getchannel("A")
    ink = alpha.point(lambda v: 255 if v > 64 else 0)
    box = ink.getbbox()
    if box is None:
        raise SignatureRejected("empty")
    inked = ink.histogram()[255]
    width, height = box[2] - box[0], box[3] - box[1]
    if inked < MIN_INK_PIXELS or max(width, height) < MIN_SPAN_PX:
        raise SignatureRejected("too_small")
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
    out = io.BytesIO()
    flat.crop(box).convert("L").save(out, "PNG", optimize=True)
    return out.getvalue()
