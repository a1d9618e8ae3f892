"""Logging out ends the session on the server: a copied cookie is worth nothing afterwards
(hardening finding 3), and a person can end every login of theirs at once."""

from sqlalchemy import select

from hk.extensions import db
from hk.models import LoginSession
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token, post_form


def _log_in(app, user, remember=False):
    client = app.test_client()
    data = {"username": user.username, "password": PASSWORD, **({"remember": "y"} if remember else {})}
    response = post_form(client, "/login", data)
    assert response.status_code == 303
    return client, response


def _cookie(response, name):
    header = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}="))
    return header.split(";", 1)[0].split("=", 1)[1]


def _with_cookie(app, name, value):
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief


def test_a_copied_session_cookie_stops_working_at_logout(app):
    user = make_user("worker")
    client, response = _log_in(app, user)
    stolen = _cookie(response, "hk_session")
    assert _with_cookie(app, "hk_session", stolen).get("/today").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/today")})
    assert _with_cookie(app, "hk_session", stolen).get("/today").status_code == 302


def test_a_copied_remember_cookie_alone_stops_working_at_logout(app):
    user = make_user("worker")
    client, response = _log_in(app, user, remember=True)
    stolen = _cookie(response, "remember_token")
    assert _with_cookie(app, "remember_token", stolen).get("/today").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/today")})
    assert _with_cookie(app, "remember_token", stolen).get("/today").status_code == 302


def test_logging_out_on_one_device_keeps_the_others(app):
    user = make_user("worker")
    phone, _ = _log_in(app, user)
    office, _ = _log_in(app, user)
    phone.post("/logout", data={"csrf_token": csrf_token(phone, "/today")})
    assert phone.get("/today").status_code == 302
    assert office.get("/today").status_code == 200


def test_log_out_on_all_devices_ends_every_login_and_remember_cookie(app):
    user = make_user("worker", locale="en")
    phone, _ = _log_in(app, user)
    tablet, remembered = _log_in(app, user, remember=True)
    stolen = _cookie(remembered, "remember_token")
    page = phone.get("/account").get_data(as_text=True)
    assert page.count('class="row"') == 2 and "This device" in page
    response = phone.post("/logout/everywhere", data={"csrf_token": csrf_token(phone, "/account")})
    assert response.status_code == 303
    assert "logged out on 2 devices" in phone.get(response.headers["Location"]).get_data(as_text=True)
    assert tablet.get("/today").status_code == 302
    assert _with_cookie(app, "remember_token", stolen).get("/today").status_code == 302
    assert db.session.scalars(select(LoginSession).where(LoginSession.ended_at.is_(None))).all() == []
    again, _ = _log_in(app, user)  # the password still works
    assert again.get("/today").status_code == 200


def test_a_made_up_session_token_is_refused(app):
    user = make_user("worker")
    client, _ = _log_in(app, user)
    with client.session_transaction() as s:
        s["_user_id"] = f"{user.id}:{user.session_version}:made-up"
    assert client.get("/today").status_code == 302
