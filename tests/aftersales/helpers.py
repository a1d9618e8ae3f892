"""A supervisor's browser on the complaint screens: open a case, read a form's key, post a form."""

from __future__ import annotations

import re
from datetime import timedelta

from hk.aftersales import cases
from hk.domain.complaints import Category, Channel
from hk.extensions import db
from hk.models import Complaint, utcnow
from tests.builders import make_customer
from tests.conftest import csrf_token


def key_of(page: str, prefix: str = "") -> str:
    """The client key a form was shown with (its field is `<prefix>-client_key`, or `client_key`)."""
    name = f"{prefix}-client_key" if prefix else "client_key"
    match = re.search(rf'id="{re.escape(name)}" name="{re.escape(name)}" type="hidden" value="([^"]+)"', page)
    assert match, f"no {name} on the page"
    return match.group(1)


def make_case(
    actor, customer=None, job=None, hours_ago: float = 1, key: str | None = None, **kwargs
) -> Complaint:
    """A case entered by staff, received some hours ago (made through the service)."""
    now = utcnow()
    return cases.open_case(
        customer=customer or (job.customer if job is not None else make_customer()),
        job=job,
        channel=kwargs.pop("channel", Channel.PHONE),
        category=kwargs.pop("category", Category.CLEANING_QUALITY),
        description=kwargs.pop("description", "厨房台面没有擦干净"),
        client_key=key or f"case-{utcnow().timestamp()}-{id(actor)}-{hours_ago}",
        actor=actor,
        received_at=now - timedelta(hours=hours_ago),
        now=now,
        **kwargs,
    )


class Desk:
    """A logged-in supervisor's (or admin's) browser: posts carry the session's CSRF token."""

    def __init__(self, client):
        self.client = client
        self.token = csrf_token(client, "/complaints")

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def page(self, case_id: int) -> str:
        response = self.client.get(f"/complaints/{case_id}")
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response.get_data(as_text=True)

    def post(self, path: str, data: dict | None = None, **kwargs):
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kwargs)

    def case(self, case_id: int) -> Complaint:
        db.session.expire_all()
        return db.session.get(Complaint, case_id)
