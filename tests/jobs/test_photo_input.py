"""Photos a worker sends on a job: bad files refused with a message, stored without location, served
only to the right people, and kept with the time the phone took them."""

import io

from PIL import Image
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import Photo
from hk.storage import get_storage
from tests.builders import make_job, make_user
from tests.jobs.helpers import Phone, jpeg


def _pre(phone):
    phone.check_in()
    return phone.job().stages[0]["code"]


def test_a_non_image_file_is_refused_with_a_message(client, login):
    phone = Phone(client, make_job(login("worker")))
    stage = _pre(phone)
    response = phone.photo(stage, "before_photos", data=b"%PDF-1.4 not a photo", filename="doc.pdf")
    assert response.status_code == 422
    assert "这不是照片" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Photo.id))) == 0


def test_a_60_megapixel_image_is_refused(client, login):
    phone = Phone(client, make_job(login("worker")))
    stage = _pre(phone)
    buf = io.BytesIO()
    Image.new("L", (10000, 6000), 255).save(buf, "PNG")
    response = phone.photo(stage, "before_photos", data=buf.getvalue(), filename="big.png")
    assert response.status_code == 422
    assert "图片太大" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Photo.id))) == 0


def test_a_truncated_jpeg_is_refused(client, login):
    phone = Phone(client, make_job(login("worker")))
    stage = _pre(phone)
    data = jpeg(1200, 900, quality=95)
    response = phone.photo(stage, "before_photos", data=data[: len(data) * 6 // 10])
    assert response.status_code == 422
    # Picking the same file again would fail the same way: it is the file that is damaged.
    assert "照片文件已损坏" in response.get_data(as_text=True)


def test_a_photo_for_another_workers_job_is_refused(app, client, login):
    login("worker")
    other_job = make_job(make_user("worker"))
    phone = Phone(client, other_job)
    response = phone.photo("pre_service", "before_photos")
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Photo.id))) == 0


def test_a_photo_for_a_locked_stage_is_refused(client, login):
    phone = Phone(client, make_job(login("worker")))
    phone.check_in()
    cleaning = next(s for s in phone.job().stages if s["kind"] == "cleaning")
    response = phone.photo(cleaning["code"])
    assert response.status_code == 409
    assert db.session.scalar(select(func.count(Photo.id))) == 0


def test_stored_photos_carry_no_gps_and_are_served_only_to_the_right_people(app, client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    stage = _pre(phone)
    img = Image.new("RGB", (4000, 3000), (10, 200, 30))
    exif = Image.Exif()
    exif[0x0112] = 6
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)})
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, quality=90)
    assert phone.photo(stage, "before_photos", data=buf.getvalue()).status_code == 201
    photo = db.session.scalar(select(Photo))
    stored = get_storage().get(photo.storage_key)
    out = Image.open(io.BytesIO(stored))
    assert not out.getexif() and "exif" not in out.info
    assert out.size == (1200, 1600)  # turned upright, long edge 1600
    response = client.get(f"/jobs/{phone.job_id}/photos/{photo.id}")
    assert response.status_code == 200 and response.data == stored
    assert response.headers["Content-Type"] == "image/jpeg"
    assert client.get(f"/jobs/{phone.job_id}/photos/{photo.id}?size=thumb").status_code == 200
    # not from static/, and not to another worker
    assert photo.storage_key not in client.get(f"/jobs/{phone.job_id}/stages/{stage}").get_data(as_text=True)
    from tests.conftest import post_form

    other = app.test_client()
    intruder = make_user("worker")
    post_form(other, "/login", {"username": intruder.username, "password": "correct-horse-9"})
    assert other.get(f"/jobs/{phone.job_id}/photos/{photo.id}").status_code == 403


def test_a_photo_keeps_the_time_the_browser_says_it_was_taken(client, login):
    import time

    phone = Phone(client, make_job(login("worker")))
    stage = _pre(phone)
    taken_ms = int(time.time() * 1000) - 600_000  # ten minutes ago
    form = {
        "client_key": "t1",
        "stage": stage,
        "item": "before_photos",
        "taken_at": str(taken_ms),
        "photo": (io.BytesIO(jpeg()), "p.jpg"),
    }
    assert phone.post("/photos", form, content_type="multipart/form-data").status_code == 303
    photo = db.session.scalar(select(Photo))
    assert abs(photo.taken_at.timestamp() * 1000 - taken_ms) < 1000
    form.update(client_key="t2", taken_at="99999999999999", photo=(io.BytesIO(jpeg()), "p.jpg"))
    phone.post("/photos", form, content_type="multipart/form-data")
    assert db.session.scalar(select(Photo).where(Photo.client_key == "t2")).taken_at is None
