"""Every route declares who may open it; the role × route table proves it is enforced."""

import io

import pytest
from PIL import Image

from hk.jobs import photo_service, service
from hk.models import IncidentSeverity, IncidentType, Role
from hk.photos import process_photo
from tests.builders import make_job, make_user
from tests.conftest import csrf_token

PUBLIC = {
    "auth.login",
    "auth.set_language",
    "main.healthz",
    "static",
    "public.verify",
    "public.customer_record",
    "public.customer_pdf",
}
W, S, A = Role.WORKER, Role.SUPERVISOR, Role.ADMIN

# endpoint → (path, roles allowed, status for an allowed role); {job}, {photo}, {incident} filled in.
ACCESS = {
    "main.home": ("/", {W, S, A}, 302),
    "auth.account": ("/account", {W, S, A}, 200),
    "main.today": ("/today", {W}, 200),
    "main.overview": ("/overview", {S, A}, 200),
    "jobs.show_job": ("/jobs/{job}", {W, S, A}, 302),  # to the open stage, or to the record
    "jobs.show_stage": ("/jobs/{job}/stages/pre_service", {W}, 200),
    "jobs.show_photo": ("/jobs/{job}/photos/{photo}", {W, S, A}, 200),
    "jobs.new_incident": ("/jobs/{job}/incidents/new", {W}, 200),
    "jobs.show_incident": ("/jobs/{job}/incidents/{incident}", {W, S, A}, 200),
    "supervise.list_incidents": ("/incidents", {S, A}, 200),
    "supervise.show_job_record": ("/jobs/{job}/record", {S, A}, 200),
    "sign.review_job": ("/jobs/{job}/review", {W}, 303),  # not ready for signing yet
    "sign.show_signed": ("/jobs/{job}/signed", {W}, 404),  # nothing signed yet
    "review.list_records": ("/records", {S, A}, 200),
    "review.show_record": ("/records/999999", {S, A}, 404),  # roles are checked before the lookup
    "review.record_pdf": ("/records/999999/pdf", {S, A}, 404),
    "review.show_chain": ("/records/chain", {S, A}, 200),
    "office.list_customers": ("/office/customers", {S, A}, 200),
    "office.edit_customer": ("/office/customers/new", {S, A}, 200),
    "office.list_workers": ("/office/workers", {S, A}, 200),
    "office.edit_worker": ("/office/workers/999999", {S, A}, 404),
    "office.certificate_scan": ("/office/workers/999999/certificates/1/scan", {S, A}, 404),
    "office.new_job": ("/office/jobs/new", {S, A}, 200),
    "office.show_job": ("/office/jobs/{job}", {S, A}, 200),
    "office.schedule": ("/office/schedule", {S, A}, 200),
    "office.list_catalogue": ("/office/catalogue", {S, A}, 200),
    "office.edit_service_type": ("/office/catalogue/999999", {S, A}, 404),
    "office.edit_checklist": ("/office/catalogue/999999/checklist", {S, A}, 404),
    "office.export_catalogue": ("/office/catalogue/export.yaml", {S, A}, 200),
}
POST_ONLY = {
    "auth.logout": ("/logout", {W, S, A}),
    "auth.logout_everywhere": ("/logout/everywhere", {W, S, A}),
    "jobs.check_in_job": ("/jobs/{job}/check-in", {W}),
    "jobs.answer_item": ("/jobs/{job}/stages/pre_service/items/confirm_scope", {W}),
    "jobs.complete_stage": ("/jobs/{job}/stages/pre_service/complete", {W}),
    "jobs.save_pre_service": ("/jobs/{job}/pre-service", {W}),
    "jobs.save_handover": ("/jobs/{job}/handover", {W}),
    "jobs.add_handover_item": ("/jobs/{job}/handover/items", {W}),
    "jobs.remove_handover_item": ("/jobs/{job}/handover/items/1/delete", {W}),
    "jobs.take_over_job": ("/jobs/{job}/take-over", {W}),
    "jobs.upload_photo": ("/jobs/{job}/photos", {W}),
    "jobs.report_incident": ("/jobs/{job}/incidents", {W}),
    "supervise.close_incident": ("/incidents/{incident}/close", {S, A}),
    "supervise.resume_job": ("/jobs/{job}/resume", {S, A}),
    "supervise.unblock_job": ("/jobs/{job}/unblock", {S, A}),
    "sign.sign_job": ("/jobs/{job}/sign", {W}),
    "sign.refuse_job": ("/jobs/{job}/refuse", {W}),
    "review.approve_record": ("/records/999999/approve", {S, A}),
    "review.send_back_record": ("/records/999999/send-back", {S, A}),
    "review.correct_record": ("/records/999999/correct", {S, A}),
    "review.retry_record": ("/records/999999/retry", {S, A}),
    "review.revoke_link": ("/records/links/999999/revoke", {S, A}),
    "office.archive_customer": ("/office/customers/999999/archive", {S, A}),
    "office.new_worker": ("/office/workers/new", {S, A}),
    "office.set_worker_enabled": ("/office/workers/999999/enabled", {S, A}),
    "office.add_certificate": ("/office/workers/999999/certificates", {S, A}),
    "office.remove_certificate": ("/office/workers/999999/certificates/1/delete", {S, A}),
    "office.add_training": ("/office/workers/999999/trainings", {S, A}),
    "office.assign_job": ("/office/jobs/{job}/assign", {S, A}),
    "office.cancel_job": ("/office/jobs/{job}/cancel", {S, A}),
    "office.adjust_quote": ("/office/jobs/{job}/quote", {S, A}),
    "office.import_catalogue": ("/office/catalogue/import", {S, A}),
    "office.update_price": ("/office/catalogue/prices/999999", {S, A}),
}


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
        assert response.status_code == 403
        assert "您无权访问此页面" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("endpoint", sorted(set(POST_ONLY) - {"auth.logout", "auth.logout_everywhere"}))
def test_role_by_post_route(client, login, role, endpoint):
    path, roles = POST_ONLY[endpoint]
    user = login(role)
    ids = _subjects(user if role == W else make_user(W))
    response = client.post(path.format(**ids), data={"csrf_token": csrf_token(client, "/")})
    if role in roles:
        assert response.status_code != 403
    else:
        assert response.status_code == 403


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
