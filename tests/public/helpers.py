"""A signed job with its customer link, and the customer's own phone opening it (no login)."""

from __future__ import annotations

from hk.domain.workflow import Status
from hk.extensions import db
from hk.models import SignOff, SignOffKind
from hk.records.links import customer_url, new_customer_link
from tests.builders import make_job, make_user
from tests.conftest import CSRF_RE


def linked_job(worker=None, customer=None, lang: str = "zh_CN"):
    """A job the customer signed, and the path of its link (/r/<token>) with a real signed token.

    Built directly (no PDF is rendered): the record is "being prepared", which the feedback does not
    need. tests/records/test_sign_flow.py and the e2e test walk the real signing.
    """
    job = make_job(worker or make_user("worker"), customer=customer, state="awaiting_signature", photos=False)
    job.status = Status.COMPLETED
    db.session.add(
        SignOff(
            job=job,
            kind=SignOffKind.SIGNED,
            signer_name="周丽",
            consent_text="我确认",
            language=lang,
            shown_hash="0" * 64,
        )
    )
    link = new_customer_link(job)
    db.session.commit()
    url = customer_url(link)
    return job, url[url.index("/r/") :]


class CustomerPhone:
    """The customer's own phone: a fresh browser that never logged in, on their link."""

    def __init__(self, app, path: str):
        self.client = app.test_client()
        self.path = path
        self.page = self.client.get(path)
        self.token = CSRF_RE.search(self.page.get_data(as_text=True)).group(1)

    def open(self, suffix: str = "", **kwargs):
        return self.client.get(self.path + suffix, **kwargs)

    def post(self, suffix: str, data: dict | None = None, **kwargs):
        return self.client.post(self.path + suffix, data={"csrf_token": self.token, **(data or {})}, **kwargs)

    def rate(self, **scores):
        return self.post("/rating", {k: str(v) for k, v in scores.items()})

    def report(
        self, category="cleaning_quality", description="厨房台面没有擦干净", client_key="p1", photos=()
    ):
        data = {"category": category, "description": description, "client_key": client_key}
        if photos:
            data["photos"] = list(photos)
        return self.post("/problems", data, content_type="multipart/form-data")
