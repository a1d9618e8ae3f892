"""The server-side image pipeline: check, orient, strip metadata, resize, thumbnail."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pillow_heif
from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError

pillow_heif.register_heif_opener()

MB = 1024 * 1024
PRINT_EDGE, PRINT_QUALITY = 800, 70  # the copy printed in records
# Pillow's format names we accept, and the name we report. Phones write JPEGs with an extra
# picture (depth map, panorama preview) that Pillow calls MPO; they are JPEGs to the person.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "HEIF"}
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
_EXIF_DATETIME_RE = re.compile(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET_RE = re.compile(r"([+-])(\d{2}):?(\d{2})")
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# PNG and WebP cannot be decoded at a reduced scale: every pixel costs 4 bytes at once, so their
# limit is lower (a phone photo is a JPEG or HEIC; a 4K screenshot is 8 MP).
LOSSLESS_FORMATS = {"PNG", "WEBP"}
LOSSLESS_MAX_PIXELS = 16_000_000
# The pixel memory one server process may spend on decodes at once. A decode reserves what its
# picture will take (known from the header) and waits until that fits: many phone-sized photos go
# side by side, a 48 MP HEIC (~290 MB) goes alone, so a burst of uploads cannot take the server.
DECODE_BUDGET = 320 * MB
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Modes that can be scaled down before anything else is done to them.
_RESIZABLE_MODES = {"RGB", "RGBA", "L", "LA", "CMYK"}
# Errors Pillow and pillow-heif raise on malformed input, beyond UnidentifiedImageError.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error)


class PhotoRejected(ValueError):
    """A file that cannot become a photo; `code` names the reason and `params` fill the message."""

    def __init__(self, code: str, **params: Any) -> None:
        """Record the reason code and its message parameters."""
        super().__init__(code if not params else f"{code} {params}")
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ProcessedPhoto:
    """A photo made safe to keep and show: oriented, resized, re-encoded without any metadata."""

    image: bytes
    thumb: bytes
    print_image: bytes  # the smaller copy printed in records
    width: int
    height: int
    sha256: str
    taken_at: datetime | None
    source_format: str


def process_photo(
    data: bytes,
    *,
    max_bytes: int = 20 * MB,
    max_pixels: int = 50_000_000,
    long_edge: int = 1600,
    thumb_edge: int = 320,
    quality: int = 82,
    tz: str = "Asia/Shanghai",
) -> ProcessedPhoto:
    """Check an uploaded file and turn it into a clean JPEG and thumbnail; raise PhotoRejected if unfit."""
    if not data:
        raise PhotoRejected("empty")
    if len(data) > max_bytes:
        raise PhotoRejected("too_large", max_mb=_round_mb(max_bytes))
    # Pillow warns above MAX_IMAGE_PIXELS; capping our limit there turns that warning into a
    # rejection without touching the process-wide warnings filters (not thread-safe).
    limit = max_pixels if Image.MAX_IMAGE_PIXELS is None else min(max_pixels, Image.MAX_IMAGE_PIXELS)
    with _open(data, limit) as img:
        source_format = ACCEPTED_FORMATS[img.format or ""]
        width, height = img.size
        if source_format == "JPEG" and max(width, height) >= 2 * long_edge:
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale, still at least as big as we need:
            # a 4000×3000 photo is decoded at 2000×1500, a quarter of the memory and time.
            scale = long_edge / max(width, height)
            img.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
        with decode_budget.reserve(decode_cost(img)):
            return _process(img, source_format, long_edge, thumb_edge, quality, tz)


class DecodeBudget:
    """Bytes of pixels that decodes in this process may hold at once; a decode waits for its share.

    A decode larger than the whole budget runs when nothing else is decoding.
    """

    def __init__(self, capacity: int):
        self.capacity, self.used = capacity, 0
        self._changed = threading.Condition()

    @contextmanager
    def reserve(self, size: int) -> Iterator[None]:
        size = min(size, self.capacity)
        with self._changed:
            self._changed.wait_for(lambda: self.used + size <= self.capacity)
            self.used += size
        try:
            yield
        finally:
            with self._changed:
                self.used -= size
                self._changed.notify_all()


decode_budget = DecodeBudget(DECODE_BUDGET)


def decode_cost(img: Image.Image) -> int:
    """What decoding and scaling this picture will hold in memory, from its header (and draft size)."""
    width, height = img.size  # after draft(), the reduced size libjpeg will decode at
    bands = 4 if img.mode in ("RGBA", "LA", "P", "PA", "CMYK") else 3
    return width * height * bands * 2  # the decoded pixels and a working copy


def _process(
    img: Image.Image, source_format: str, long_edge: int, thumb_edge: int, quality: int, tz: str
) -> ProcessedPhoto:
    try:
        img.load()
    except _DECODE_ERRORS:
        raise PhotoRejected("truncated") from None
    exif = _exif(img)
    taken_at = _taken_at(exif, tz) if exif is not None else None
    # Scaled down first, then turned and flattened: no full-size copy beyond the decode itself.
    # Steps may hand back `img` itself when they have nothing to do, and closing the file frees
    # its pixels: the caller closes it only after everything is encoded here.
    shrunk = _resize(img if img.mode in _RESIZABLE_MODES else _flatten(img), long_edge)
    picture = _to_rgb(_flatten(_orient(shrunk, exif)))
    # Optimised Huffman tables would make the full-size copy 13 % smaller for twice the encoding
    # CPU (17 ms instead of 8 on a 1600×1200 photo, in the upload request); the print copy and
    # the thumbnail, sent in PDFs and to phones, are small and keep them.
    image_bytes = _jpeg(picture, quality, optimize=False)
    smaller = _resize(picture, PRINT_EDGE)
    print_bytes = _jpeg(smaller, PRINT_QUALITY)
    thumb_bytes = _jpeg(_resize(smaller, thumb_edge), quality)
    return ProcessedPhoto(
        image=image_bytes,
        thumb=thumb_bytes,
        print_image=print_bytes,
        width=picture.width,
        height=picture.height,
        sha256=hashlib.sha256(image_bytes).hexdigest(),
        taken_at=taken_at,
        source_format=source_format,
    )


def _open(data: bytes, limit: int) -> Image.Image:
    """Identify the file by its content and check its size, without decoding any pixels."""
    try:
        img = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow refuses beyond 2 × MAX_IMAGE_PIXELS before we can read the size ourselves.
        raise PhotoRejected("too_many_pixels", **_megapixels(_bomb_pixels(exc), limit)) from None
    except UnidentifiedImageError:
        raise PhotoRejected("not_an_image") from None
    except _DECODE_ERRORS:
        # A plugin claimed the file and then failed on it: a damaged photo of a kind we take
        # (e.g. a cut-off WebP fails here, not in load) or a broken file of another kind.
        raise PhotoRejected("truncated" if _looks_accepted(data) else "not_an_image") from None
    if img.format not in ACCEPTED_FORMATS:
        img.close()
        raise PhotoRejected("unsupported_type", format=img.format or "unknown")
    pixels = img.width * img.height
    if img.format in LOSSLESS_FORMATS:
        limit = min(limit, LOSSLESS_MAX_PIXELS)
    if pixels > limit:
        img.close()
        raise PhotoRejected("too_many_pixels", **_megapixels(pixels, limit))
    return img


def _looks_accepted(data: bytes) -> bool:
    """Whether the file starts like one of the accepted formats, by Pillow's own signature checks."""
    Image.init()
    prefix = data[:16]
    for name in ACCEPTED_FORMATS:
        entry = Image.OPEN.get(name)
        if entry and entry[1] is not None and entry[1](prefix) is True:
            return True
    return False


def _bomb_pixels(exc: Exception) -> int | None:
    """The pixel count Pillow names in its decompression-bomb message, if it names one."""
    match = re.search(r"\((\d+) pixels\)", str(exc))
    return int(match[1]) if match else None


def _megapixels(pixels: int | None, limit: int) -> dict[str, float | None]:
    return {
        "megapixels": None if pixels is None else round(pixels / 1_000_000, 1),
        "max_megapixels": round(limit / 1_000_000, 1),
    }


def _round_mb(size: int) -> int | float:
    return size // MB if size % MB == 0 else round(size / MB, 1)


def _exif(img: Image.Image) -> Image.Exif | None:
    """The image's EXIF, or None when it is missing or too broken to read."""
    try:
        exif = img.getexif()
    except _DECODE_ERRORS:
        return None
    return exif if len(exif) else None


def _taken_at(exif: Image.Exif, tz: str) -> datetime | None:
    """When the picture was taken, from DateTimeOriginal, as aware UTC; None if absent or garbage."""
    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
    except _DECODE_ERRORS:
        sub = {}
    # Some cameras put the tag in IFD0 instead of the Exif sub-IFD.
    raw = sub.get(DATETIME_ORIGINAL) or exif.get(DATETIME_ORIGINAL)
    text = _exif_text(raw)
    match = _EXIF_DATETIME_RE.fullmatch(text) if text else None
    if not match:
        return None
    try:
        local = datetime(*(int(part) for part in match.groups()))
    except ValueError:  # "0000:00:00 00:00:00" and other impossible dates
        return None
    offset = _OFFSET_RE.fullmatch(_exif_text(sub.get(OFFSET_TIME_ORIGINAL)) or "")
    if offset:
        sign = -1 if offset[1] == "-" else 1
        delta = timedelta(hours=int(offset[2]), minutes=int(offset[3]))
        if delta >= timedelta(hours=24):
            return None
        zone: timezone | ZoneInfo = timezone(sign * delta)
    else:
        zone = ZoneInfo(tz)
    try:
        return local.replace(tzinfo=zone).astimezone(UTC)
    except OverflowError:  # year 1 with a positive offset
        return None


def _exif_text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    return value.strip("\x00 ").strip()


def _orient(img: Image.Image, exif: Image.Exif | None) -> Image.Image:
    """The picture turned the way the camera meant; pillow-heif has already applied HEIF's own rotation."""
    try:
        method = _TRANSPOSE.get(exif.get(ExifTags.Base.Orientation)) if exif is not None else None
    except _DECODE_ERRORS:  # a broken orientation tag is not worth refusing the photo for
        method = None
    return img.transpose(method) if method is not None else img


def _flatten(img: Image.Image) -> Image.Image:
    """Bring any mode to 8-bit RGB, L or CMYK, with transparency laid on white."""
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif img.mode.startswith("I"):
        # 16-bit greyscale: a plain convert would clip everything above 255 to white.
        img = img.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif img.mode == "1":
        img = img.convert("L")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat = Image.alpha_composite(white, rgba).convert("RGB")
        flat.info = dict(img.info)  # keep the ICC profile for the sRGB step
        return flat
    if img.mode not in ("RGB", "L", "CMYK"):
        img = img.convert("RGB")
    return img


def _resize(img: Image.Image, edge: int) -> Image.Image:
    """The image scaled down so its long edge is at most `edge`; never enlarged."""
    width, height = img.size
    if max(width, height) <= edge:
        return img
    scale = edge / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # reducing_gap=1: a fast integer box reduce by the largest whole factor, then Lanczos for the rest
    # (1600 → 800 costs 2 ms instead of 25 ms, and looks the same at print and thumbnail size).
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=1.0)


def _to_rgb(img: Image.Image) -> Image.Image:
    """Pixels in sRGB: converted through the embedded ICC profile if there is one, which is then dropped."""
    icc = img.info.get("icc_profile")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if "srgb" not in ImageCms.getProfileDescription(source).lower():
                converted = ImageCms.profileToProfile(img, source, _SRGB, outputMode="RGB")
                if converted is not None:
                    img = converted
        except (ImageCms.PyCMSError, *_DECODE_ERRORS):
            pass  # an unreadable or mismatched profile: the pixels as they are beat no photo
    return img.convert("RGB") if img.mode != "RGB" else img


def _jpeg(img: Image.Image, quality: int, optimize: bool = True) -> bytes:
    """Encode as JPEG with nothing but pixels: no EXIF, ICC, XMP, comment or DPI."""
    # Pillow's JPEG writer copies a comment from img.info on its own; an empty info keeps it out.
    img.info = {}
    out = io.BytesIO()
    # Baseline, not progressive: progressive encoding doubles the CPU for 3 % fewer bytes.
    img.save(out, format="JPEG", quality=quality, optimize=optimize)
    return out.getvalue()


def print_version(jpeg: bytes, edge: int = PRINT_EDGE, quality: int = PRINT_QUALITY) -> bytes:
    """A smaller copy of a stored photo for printed records (decoded at reduced scale: fast)."""
    image = Image.open(io.BytesIO(jpeg))
    image.draft("RGB", (edge, edge))
    image.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()
