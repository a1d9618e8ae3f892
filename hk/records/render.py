"""Render a service record to PDF with WeasyPrint: photos downscaled for print, a QR to verify it."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import qrcode
import qrcode.image.svg
from flask import current_app, render_template
from flask_babel import force_locale
from PIL import ImageFile
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from hk.models import ServiceRecord, SignOff
from hk.photos import print_version
from hk.records.review import photo_pairs
from hk.records.stamp import Place, places_of
from hk.storage import get_storage

# WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when imported. hk must
# refuse a truncated photo upload (hk.photos), and only feeds WeasyPrint images it re-encoded itself.
ImageFile.LOAD_TRUNCATED_IMAGES = False

STYLESHEET = Path(__file__).resolve().parent.parent.parent / "static" / "css" / "record.css"
_kept = threading.local()


def _fonts_and_style() -> tuple[FontConfiguration, CSS]:
    """This thread's font configuration and parsed stylesheet, made on its first record.

    A new FontConfiguration loads fontconfig's whole font list and opens the CJK font afresh, and
    WeasyPrint makes one per render unless given one; keeping it (and the parsed stylesheet, which
    has no @font-face) per thread saves that on every record after the first. Pango's font map is
    not shared between threads.
    """
    if getattr(_kept, "style", None) is None:
        _kept.fonts = FontConfiguration()
        _kept.style = CSS(filename=str(STYLESHEET), font_config=_kept.fonts)
    return _kept.fonts, _kept.style


def _print_bytes(key: str) -> bytes:
    """The print copy made at upload; older photos without one are scaled down now."""
    data = get_storage().get(key)
    return data if key.startswith("prints/") else print_version(data)


class _Fetcher(URLFetcher):
    """Give WeasyPrint only our own bytes: photos, the signature, and data: URIs. Nothing from the network."""

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("hk-photo:"):
            body = _print_bytes(unquote(url[len("hk-photo:") :]))
            return URLFetcherResponse(url, body, {"Content-Type": "image/jpeg"})
        if url.startswith("hk-sign:"):
            body = get_storage().get(unquote(url[len("hk-sign:") :]))
            return URLFetcherResponse(url, body, {"Content-Type": "image/png"})
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise ValueError(f"not fetched while rendering a record: {url[:40]}")


def qr_data_uri(text: str) -> str:
    """A QR code as an SVG data URI."""
    import base64

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=1)
    buf = io.BytesIO()
    image.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def verify_url(record: ServiceRecord) -> str:
    """The short public address where anyone can check this record."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/verify/{record.code}"


def record_number(record: ServiceRecord) -> str:
    """What people read as the record's number: the job number and version."""
    return f"{record.job.number}-v{record.version}"


PREV_HASH_SLOT = "hk-prev-hash"  # the id of the empty space each page's footer keeps for it


@dataclass(frozen=True)
class RenderedRecord:
    pdf: bytes
    pages: int
    hash_places: tuple[Place, ...]  # where the chain's previous hash is written at signing


def render_pdf(record: ServiceRecord, signoff: SignOff, data: dict) -> RenderedRecord:
    """The unsigned PDF of a record in the record's language.

    Each page's footer keeps a space for the hash of the record before it in the archive chain,
    written there at signing time (hk.records.stamp), so rendering does not wait for the chain.
    """
    url = verify_url(record)
    with force_locale(record.language):
        html = render_template(
            "records/record.html",
            record=record,
            record_number=record_number(record),
            prev_hash_slot=PREV_HASH_SLOT,
            signoff=signoff,
            data=data,
            pairs=photo_pairs(data),
            lang=record.language,
            company_name=current_app.config.get("COMPANY_NAME") or "hk",
            company_phone=current_app.config.get("COMPANY_PHONE"),
            company_address=current_app.config.get("COMPANY_ADDRESS"),
            verify_url=url,
            qr_data_uri=qr_data_uri(url),
        )
        fonts, style = _fonts_and_style()
        document = HTML(string=html, url_fetcher=_Fetcher(), base_url="hk-record:/").render(
            stylesheets=[style], font_config=fonts
        )
    places = places_of(document.pages, PREV_HASH_SLOT)
    if len(places) != len(document.pages):
        raise RuntimeError("the record's footer lost the space for the chain hash")
    return RenderedRecord(document.write_pdf(), len(document.pages), places)
