"""Complaints are for supervisors and admins: a worker gets 403 on every complaint page and form, with
real ids, and changes nothing; only an admin decides a sum above the threshold."""

from sqlalchemy import func, select

from hk.aftersales import remedies
from hk.domain.complaints import RemedyKind
from hk.extensions import db
from hk.models import CaseReply, Event, Remedy
from tests.aftersales.helpers import make_case
from tests.builders import make_job, make_user
from tests.conftest import csrf_token


def _every_complaint_url(app, ids: dict) -> list[tuple[str, str]]:
    """(method, path) of every complaints endpoint, with the ids filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("complaints."):
            path = rule.rule
            for name, value in ids.items():
                path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                urls.append((method, path))
    return urls


def test_a_worker_gets_403_everywhere_here(app, client, login):
    supervisor = make_user("supervisor")
    job = make_job(make_user("worker"), state="awaiting_signature", photos=False)
    case = make_case(supervisor, job=job, owner=supervisor)
    remedy = remedies.propose(
        case, supervisor, RemedyKind.APOLOGY, "a1", description="已致歉", threshold=200, by_admin=False
    )
    ids = {
        "case_id": case.id,
        "remedy_id": remedy.id,
        "photo_id": 1,
        "kind": "refund",
        "action": "investigate",
    }
    urls = _every_complaint_url(app, ids)
    assert len(urls) >= 12
    login("worker")
    token = csrf_token(client, "/today")
    events = db.session.scalar(select(func.count(Event.id)))
    for method, path in urls:
        response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 403, (method, path, response.status_code)
    assert db.session.scalar(select(func.count(Event.id))) == events
    assert db.session.scalar(select(func.count(CaseReply.id))) == 0
    assert db.session.scalar(select(func.count(Remedy.id))) == 1
