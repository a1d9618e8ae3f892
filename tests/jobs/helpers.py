"""Walk a job through its steps with the test client, as the phone would."""

from __future__ import annotations

import io
import re

from PIL import Image

from hk.extensions import db
from hk.models import Job
from tests.conftest import csrf_token

_counter = iter(range(1, 10**9))


def jpeg(width: int = 800, height: int = 600, **save) -> bytes:
    """A small real JPEG."""
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 200)).save(buf, "JPEG", **save)
    return buf.getvalue()


SHOWN_HASH_RE = re.compile(r'name="shown_hash" type="hidden" value="([0-9a-f]{64})"')


def hand_to_customer(client, job_id: int, token: str | None = None):
    """Tap "Customer review and signature": the phone goes into customer mode for this job."""
    token = token or csrf_token(client, f"/jobs/{job_id}")
    return client.post(f"/jobs/{job_id}/customer-mode", data={"csrf_token": token})


def review_hash(client, job_id: int, lang: str = "zh_CN", token: str | None = None) -> str:
    """Hand the phone to the customer and read the hash of the review they are shown."""
    assert hand_to_customer(client, job_id, token).status_code == 303
    body = client.get(f"/jobs/{job_id}/review?lang={lang}").get_data(as_text=True)
    return SHOWN_HASH_RE.search(body).group(1)


class Phone:
    """One worker's phone: a test client with its own device cookie and CSRF token."""

    def __init__(self, client, job: Job):
        self.client = client
        self.job_id = job.id
        self.token = csrf_token(client, "/today")

    def job(self) -> Job:
        db.session.expire_all()
        return db.session.get(Job, self.job_id)

    def post(self, path: str, data: dict | None = None, htmx: bool = False, **kwargs):
        headers = {"HX-Request": "true"} if htmx else {}
        headers.update(kwargs.pop("headers", {}))
        return self.client.post(
            f"/jobs/{self.job_id}{path}",
            data={"csrf_token": self.token, **(data or {})},
            headers=headers,
            **kwargs,
        )

    def check_in(self, **data):
        return self.post("/check-in", data)

    def answer(self, stage: str, item: str, answer: str = "done", htmx: bool = True):
        return self.post(f"/stages/{stage}/items/{item}", {"answer": answer}, htmx=htmx)

    def photo(
        self,
        stage: str | None,
        item: str | None = None,
        data: bytes | None = None,
        key: str | None = None,
        incident: int | None = None,
        filename: str = "photo.jpg",
    ):
        form = {"client_key": key or f"key-{next(_counter)}", "photo": (io.BytesIO(data or jpeg()), filename)}
        if stage:
            form["stage"] = stage
        if item:
            form["item"] = item
        if incident:
            form["incident"] = str(incident)
        return self.post(
            "/photos", form, headers={"X-Requested-With": "fetch"}, content_type="multipart/form-data"
        )

    def complete(self, stage: str, htmx: bool = False):
        return self.post(f"/stages/{stage}/complete", htmx=htmx)

    def do_stage(self, stage: dict, safe: bool = True):
        """Give every required photo and answer every item of a stage (the photo first: an item that
        needs one is ticked only with it), then complete it."""
        for item in stage["items"]:
            answer = ("safe" if safe else "not_safe") if stage["kind"] == "safety" else "done"
            if item["photo_required"]:
                assert self.photo(stage["code"], item["code"]).status_code == 201
            assert self.answer(stage["code"], item["code"], answer).status_code == 200
        if stage["kind"] == "pre_service":
            self.post("/pre-service", {"valuables": "玉镯在卧室梳妆台", "requests": "", "confirm_quote": "y"})
        if stage["kind"] == "post_service":
            self.post("/handover", {"tools_removed": "y", "remarks": "客户满意"})
        return self.complete(stage["code"])

    def hand_to_customer(self):
        return hand_to_customer(self.client, self.job_id, self.token)

    def walk(self, until_kind: str | None = None):
        """Check in and complete stages in order, stopping before the first stage of until_kind."""
        assert self.check_in().status_code == 303
        for stage in self.job().stages:
            if stage["kind"] == until_kind:
                return stage
            response = self.do_stage(stage)
            assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        return None
