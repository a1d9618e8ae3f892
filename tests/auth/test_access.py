"""Every route declares who may open it; the role × route table proves it is enforced."""

import io
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from PIL import Image

from hk.extensions import db
from hk.jobs import photo_service, service
from hk.models import IncidentSeverity, IncidentType, Role
from hk.photos import process_photo
from tests.auth.access_table import ACCESS, POST_ONLY, POST_STATUS, PUBLIC, A, S, W
from tests.builders import make_job, make_user, service_type
from tests.conftest import csrf_token

ADMIN_ONLY = {e for e, (_p, roles, *_s) in {**ACCESS, **POST_ONLY}.items() if roles == {A}}
ADMIN_ONLY_TEXT = "只有管理员才能进行此操作"


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buf, "JPEG")
    return buf.getvalue()


def _subjects(worker):
    """A job of the given worker with one photo and one incident."""
    job = make_job(worker)
    service.check_in(job, worker, "device-a" * 3, today=job.scheduled_start.date())
    photo = photo_service.add_photo(
        job, worker, "device-a" * 3, process_photo(_jpeg()), "k1", "pre_service", "before_photos"
    )
    incident = service.report_incident(job, worker, "k2", IncidentType.OTHER, IncidentSeverity.MINOR, "x", "")
    return {"job": job.id, "photo": photo.id, "incident": incident.id}


def test_every_endpoint_is_public_or_declares_its_roles(app):
    for endpoint, view in app.view_functions.items():
        if endpoint in PUBLIC:
            assert getattr(view, "hk_public", False) or endpoint == "static", endpoint
        else:
            assert getattr(view, "hk_roles", None), f"{endpoint} has no role declaration"


def test_the_access_table_covers_every_endpoint(app):
    assert set(app.view_functions) == PUBLIC | set(ACCESS) | set(POST_ONLY)


def test_declared_roles_match_the_table(app):
    for endpoint, (_path, roles, _status) in ACCESS.items():
        assert app.view_functions[endpoint].hk_roles == roles, endpoint
    for endpoint, (_path, roles) in POST_ONLY.items():
        assert app.view_functions[endpoint].hk_roles == roles, endpoint


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_role_by_route(client, login, role, endpoint):
    path, roles, ok_status = ACCESS[endpoint]
    user = login(role)
    ids = _subjects(user if role == W else make_user(W))
    response = client.get(path.format(**ids))
    if role in roles:
        assert response.status_code == ok_status, response.get_data(as_text=True)[:500]
    else:
        _assert_refused(response, endpoint)


def _assert_refused(response, endpoint):
    """A 403 page that says why: another role's page, or an administrator's page or action."""
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    if endpoint in ADMIN_ONLY:
        assert ADMIN_ONLY_TEXT in body and "请联系督导" not in body
        assert ("此页面仅供管理员使用" if endpoint in ACCESS else "未做任何更改") in body
    else:
        assert "您无权访问此页面" in body


# Routes that answer 500 today; strict, so the test says so when one is fixed.
KNOWN_500: dict[str, str] = {}
POST_TESTED = sorted(set(POST_ONLY) - {"auth.logout", "auth.logout_everywhere"})


def test_every_post_route_has_an_expected_answer():
    assert set(POST_STATUS) == set(POST_TESTED)
    assert all(status < 500 for status in POST_STATUS.values())


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("endpoint", POST_TESTED)
def test_role_by_post_route(request, client, login, role, endpoint):
    if role in POST_ONLY[endpoint][1] and endpoint in KNOWN_500:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=KNOWN_500[endpoint]))
    path, roles = POST_ONLY[endpoint]
    user = login(role)
    ids = _subjects(user if role == W else make_user(W))
    response = client.post(path.format(**ids), data={"csrf_token": csrf_token(client, "/")})
    if role in roles:
        assert response.status_code == POST_STATUS[endpoint], response.get_data(as_text=True)[:500]
    else:
        _assert_refused(response, endpoint)


def test_a_worker_cannot_open_another_workers_job(client, login):
    login(W)
    ids = _subjects(make_user(W))
    for path in ("/jobs/{job}", "/jobs/{job}/photos/{photo}", "/jobs/{job}/incidents/{incident}"):
        response = client.get(path.format(**ids))
        assert response.status_code == 403
    response = client.post(
        "/jobs/{job}/stages/pre_service/items/confirm_scope".format(**ids),
        data={"csrf_token": csrf_token(client, "/today"), "answer": "done"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_anonymous_visitors_are_sent_to_login(client, endpoint):
    path = ACCESS[endpoint][0].format(job=1, photo=1, incident=1)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_403_page_speaks_english_to_an_english_user(client, login):
    login(make_user(Role.WORKER, locale="en"))
    response = client.get("/overview")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


class _Targets(HTMLParser):
    """Where a page's links, forms and htmx requests lead: (method, path)."""

    def __init__(self):
        super().__init__()
        self.targets = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        found = [("GET", a.get("href")) if tag == "a" else None]
        if tag == "form":
            found.append(((a.get("method") or "get").upper(), a.get("action")))
        found += [("GET", a.get("hx-get")), ("POST", a.get("hx-post"))]
        self.targets += [(m, urlsplit(t).path) for m, t in filter(None, found) if t and t.startswith("/")]


def _failed_message() -> int:
    """An email that could not be sent: its page offers "send again" to an administrator."""
    from hk.mail.service import queue_message
    from hk.models import MessageStatus, RecipientKind

    message = queue_message(
        "record_ready", "zhou@example.com", "zh_CN", "服务记录", "正文", "access-1", RecipientKind.CUSTOMER
    )
    message.status = MessageStatus.FAILED
    message.last_error = "550 no such mailbox"
    db.session.commit()
    return message.id


def _case_awaiting_an_admin():
    """A complaint with a refund above the threshold that a supervisor proposed: it waits for an admin."""
    from decimal import Decimal

    from hk.aftersales import cases, remedies
    from hk.domain.complaints import Category, Channel, RemedyKind

    supervisor = make_user(S)
    job = make_job(make_user(W), state="awaiting_signature", photos=False)
    case = cases.open_case(
        customer=job.customer,
        job=job,
        channel=Channel.PHONE,
        category=Category.DAMAGE_OR_LOSS,
        description="花瓶碎了",
        client_key="access-table",
        actor=supervisor,
    )
    cases.reply(case, supervisor, "抱歉", "r1")
    remedies.propose(
        case,
        supervisor,
        RemedyKind.COMPENSATION,
        "m1",
        amount=Decimal("500"),
        description="花瓶",
        threshold=Decimal("200"),
        by_admin=False,
    )
    return case


@pytest.mark.parametrize("role", [S, A])
def test_pages_offer_only_what_the_person_may_do(app, client, login, role):
    """No link or button leads a supervisor to an administrator's 403; the administrator sees them all."""
    login(role)
    worker = make_user(W)
    ids = _subjects(worker)
    st = service_type()
    pages = [
        "/overview",
        "/incidents",
        "/records",
        "/account",
        "/office/customers",
        "/office/workers",
        f"/office/workers/{worker.id}",
        "/office/schedule",
        "/office/jobs/new",
        "/office/jobs/{job}".format(**ids),
        "/office/catalogue",
        f"/office/catalogue/{st.id}",
        f"/office/catalogue/{st.id}/checklist",
        "/office/emergency-plans/fire",
        "/office/follow-ups",
        "/complaints",
        f"/complaints/{_case_awaiting_an_admin().id}",
    ]
    if role == A:
        pages += [
            "/office/staff",
            f"/office/staff/{worker.id}",
            "/office/outbox",
            f"/office/outbox/{_failed_message()}",
        ]
    adapter = app.url_map.bind("localhost")
    reached = set()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        parser = _Targets()
        parser.feed(response.get_data(as_text=True))
        for method, path in parser.targets:
            endpoint, _args = adapter.match(path, method=method)
            view = app.view_functions[endpoint]
            allowed = endpoint == "static" or getattr(view, "hk_public", False) or role in view.hk_roles
            assert allowed, f"{page} offers {method} {path} ({endpoint}) to a {role}"
            reached.add(endpoint)
    if role == A:
        assert reached >= ADMIN_ONLY
    else:
        assert not reached & ADMIN_ONLY
