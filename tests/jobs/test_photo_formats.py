"""The formats a phone sends photos in (static/js/photos.js: WebP where the browser encodes it, else
JPEG) are taken and kept as JPEG; what was refused before is still refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import Photo
from hk.storage import get_storage
from tests.builders import make_job
from tests.jobs.helpers import Phone


def _encoded(fmt: str, size=(1600, 1200), **options) -> bytes:
    img = Image.effect_noise(size, 40).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def _checked_in(client, login) -> Phone:
    phone = Phone(client, make_job(login("worker")))
    phone.check_in()
    return phone


@pytest.mark.parametrize(("fmt", "name"), [("WEBP", "photo.webp"), ("JPEG", "photo.jpg")])
def test_the_phones_webp_or_jpeg_is_kept_as_a_jpeg(client, login, fmt, name):
    phone = _checked_in(client, login)
    response = phone.photo("pre_service", "before_photos", data=_encoded(fmt, quality=80), filename=name)
    assert response.status_code == 201
    photo = db.session.scalar(select(Photo))
    kept = Image.open(io.BytesIO(get_storage().get(photo.storage_key)))
    assert (kept.format, kept.size) == ("JPEG", (1600, 1200))


@pytest.mark.parametrize(
    ("fmt", "name", "options"),
    [("GIF", "photo.gif", {}), ("BMP", "photo.bmp", {}), ("TIFF", "photo.tiff", {})],
)
def test_other_picture_types_are_still_refused(client, login, fmt, name, options):
    phone = _checked_in(client, login)
    response = phone.photo(
        "pre_service", "before_photos", data=_encoded(fmt, (400, 300), **options), filename=name
    )
    assert response.status_code == 422
    assert "JPEG, PNG, WebP" in response.get_data(as_text=True) or "JPEG、PNG" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(Photo.id))) == 0
