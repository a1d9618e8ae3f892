"""The record the customer keeps: whole photos (a portrait one is not cut to a landscape frame), and the
company's phone and address on page 1 for a customer with a question or a dispute."""

import io
import subprocess

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

import hk.records.render as render
from hk.extensions import db
from hk.models import ServiceRecord
from hk.storage import get_storage
from tests.records.test_sign_flow import _ready, _sign

RED, GREEN = (220, 0, 0), (0, 170, 0)


def _portrait_with_bands() -> bytes:
    """A portrait photo (3:4) with a red band along its top and a green one along its bottom: a
    landscape 4:3 crop of its middle would lose both."""
    image = Image.new("RGB", (600, 800), (120, 150, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 599, 79), fill=RED)
    draw.rectangle((0, 720, 599, 799), fill=GREEN)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _count(image: Image.Image, colour) -> int:
    r0, g0, b0 = colour
    pixels = image.get_flattened_data()
    return sum(1 for r, g, b in pixels if abs(r - r0) < 50 and abs(g - g0) < 50 and abs(b - b0) < 50)


@pytest.fixture
def record_pdf(client, login, monkeypatch, tmp_path):
    portrait = _portrait_with_bands()
    monkeypatch.setattr(render, "_print_bytes", lambda key: portrait)
    assert _sign(_ready(client, login)).status_code == 303
    record = db.session.scalar(select(ServiceRecord))
    assert record.render_status == "done", record.render_error
    path = tmp_path / "record.pdf"
    path.write_bytes(get_storage().get(record.pdf_key))
    return path


def test_portrait_photos_are_shown_whole(record_pdf, tmp_path):
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(record_pdf), str(tmp_path / "p")], check=True)
    pages = [Image.open(p).convert("RGB") for p in sorted(tmp_path.glob("p-*.png"))]
    red = sum(_count(page, RED) for page in pages)
    green = sum(_count(page, GREEN) for page in pages)
    blue = sum(_count(page, (120, 150, 190)) for page in pages)
    # both ends of every photo are printed: each band is a tenth of the photo's height
    assert blue > 0 and red > blue / 16 and green > blue / 16, (red, green, blue)


def test_page_one_gives_the_companys_phone_and_address(record_pdf, app):
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(record_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())
    assert f"电话：{app.config['COMPANY_PHONE']}" in flat
    assert f"地址：{app.config['COMPANY_ADDRESS']}" in flat
