"""Changing one's own password on /account (security issue #10): the current password first (a wrong
one counts as a failed login), the rule for the new one, and on success every other login ends while
this device stays logged in with a fresh session."""

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from hk.extensions import db
from hk.models import Event, LoginAttempt, LoginSession, User
from tests.auth.test_sessions import _cookie, _log_in, _with_cookie
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token

NEW = "a long walk to the market 7"


def _change(client, current=PASSWORD, new=NEW, again=None):
    data = {
        "csrf_token": csrf_token(client, "/account"),
        "current_password": current,
        "new_password": new,
        "new_password_again": new if again is None else again,
    }
    return client.post("/account/password", data=data)


def _user(user) -> User:
    return db.session.scalar(select(User).where(User.id == user.id).execution_options(populate_existing=True))


def test_the_account_page_has_the_form_for_a_password_manager(app):
    phone, _ = _log_in(app, make_user("worker", username="mei"))
    page = phone.get("/account").get_data(as_text=True)
    assert 'action="/account/password#change-password"' in page
    assert page.count('autocomplete="current-password"') == 1
    assert page.count('autocomplete="new-password"') == 2
    assert 'autocomplete="username"' in page and 'value="mei"' in page
    for label in ("当前密码", "新密码", "再次输入新密码", "修改密码"):
        assert label in page


def test_a_wrong_current_password_is_refused_and_counts_as_a_failed_login(app):
    user = make_user("worker")
    phone, _ = _log_in(app, user)
    before = _user(user).password_hash
    response = _change(phone, current="not-my-password")
    assert response.status_code == 422
    assert "当前密码不正确" in response.get_data(as_text=True)
    assert _user(user).password_hash == before
    attempts = db.session.scalars(select(LoginAttempt).where(LoginAttempt.username == user.username)).all()
    assert [a.success for a in attempts] == [True, False]  # the login, then the wrong current password


def test_guessing_the_current_password_is_throttled_like_a_login(app):
    """A stolen session must not allow unlimited guesses: 5 wrong ones lock the change and the login."""
    user = make_user("worker")
    phone, _ = _log_in(app, user)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _change(phone, current="guess-guess-guess").status_code == 422
    response = _change(phone)  # even the right current password
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)
    assert check_password_hash(_user(user).password_hash, PASSWORD)
    other = app.test_client()  # and logging in again from this address waits too
    login = other.post(
        "/login",
        data={"csrf_token": csrf_token(other), "username": user.username, "password": PASSWORD},
    )
    assert login.status_code == 429


def test_the_new_passwords_must_be_the_same(app):
    user = make_user("worker")
    phone, _ = _log_in(app, user)
    response = _change(phone, again=NEW + "!")
    assert response.status_code == 422
    assert "两次输入的新密码不一致" in response.get_data(as_text=True)
    assert check_password_hash(_user(user).password_hash, PASSWORD)


def test_an_empty_form_says_what_is_missing(app):
    phone, _ = _log_in(app, make_user("worker"))
    response = phone.post("/account/password", data={"csrf_token": csrf_token(phone, "/account")})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请输入当前密码" in body and "请输入新密码" in body and "请再输入一次新密码" in body


@pytest.mark.parametrize(
    ("new", "zh", "en"),
    [
        ("kurz 7!", "密码至少需要8个字符", "Use at least 8 characters"),
        ("x" * 129, "密码最多128个字符", "Use at most 128 characters"),
        ("Password1", "这个密码太常见", "one of the most common ones"),
        ("88888888", "这个密码太容易被猜到", "too easy to guess"),
        ("mei-and-her-garden", "密码不能包含用户名", "must not contain the username"),
        ("call me on 13700001111", "密码不能包含用户名", "must not contain the username"),
    ],
)
def test_the_rule_refuses_with_the_reason_in_the_persons_language(app, new, zh, en):
    user = make_user("worker", username="mei")
    user.phone = "13700001111"
    db.session.commit()
    phone, _ = _log_in(app, user)
    response = _change(phone, new=new)
    assert response.status_code == 422 and zh in response.get_data(as_text=True)
    phone.post("/language", data={"csrf_token": csrf_token(phone, "/account"), "lang": "en"})
    response = _change(phone, new=new)
    assert response.status_code == 422 and en in response.get_data(as_text=True)
    assert check_password_hash(_user(user).password_hash, PASSWORD)


def test_success_ends_every_other_login_and_keeps_this_device(app):
    user = make_user("worker")
    phone, at_login = _log_in(app, user)
    old_phone_cookie = _cookie(at_login, "hk_session")
    tablet, _ = _log_in(app, user)
    _, remembered = _log_in(app, user, remember=True)
    old_remember = _cookie(remembered, "remember_token")

    response = _change(phone)
    assert response.status_code == 303 and response.headers["Location"] == "/account#main"
    assert "密码已修改。本设备仍保持登录" in phone.get("/account").get_data(as_text=True)
    assert phone.get("/today").status_code == 200  # this device stays logged in
    assert tablet.get("/today").status_code == 302  # the other login is sent to the login page
    assert _with_cookie(app, "remember_token", old_remember).get("/today").status_code == 302
    # This device has a fresh session: a copy of its cookie from before the change is worthless too.
    assert _with_cookie(app, "hk_session", old_phone_cookie).get("/today").status_code == 302
    assert len(db.session.scalars(select(LoginSession).where(LoginSession.ended_at.is_(None))).all()) == 1

    changed = _user(user)
    assert check_password_hash(changed.password_hash, NEW)
    event = db.session.scalar(select(Event).where(Event.action == "password.change"))
    assert event.actor_id == user.id and event.subject_type == "user" and event.subject_id == user.id
    assert event.data["changes"] == {"password_hash": "changed"} and event.data["other_logins_ended"] == 2


def test_after_the_change_only_the_new_password_logs_in(app):
    user = make_user("worker")
    phone, _ = _log_in(app, user)
    assert _change(phone).status_code == 303
    fresh = app.test_client()
    old = fresh.post(
        "/login", data={"csrf_token": csrf_token(fresh), "username": user.username, "password": PASSWORD}
    )
    assert old.status_code == 401
    new = fresh.post(
        "/login", data={"csrf_token": csrf_token(fresh), "username": user.username, "password": NEW}
    )
    assert new.status_code == 303


def test_a_remember_cookie_on_this_device_is_renewed(app):
    user = make_user("worker")
    phone, at_login = _log_in(app, user, remember=True)
    old_remember = _cookie(at_login, "remember_token")
    response = _change(phone)
    new_remember = _cookie(response, "remember_token")
    assert new_remember != old_remember
    assert _with_cookie(app, "remember_token", new_remember).get("/today").status_code == 200
    assert _with_cookie(app, "remember_token", old_remember).get("/today").status_code == 302


def test_the_office_sees_the_change_in_the_workers_log(app, client, login):
    worker = make_user("worker")
    phone, _ = _log_in(app, worker)
    assert _change(phone).status_code == 303
    login("supervisor")
    page = client.get(f"/office/workers/{worker.id}").get_data(as_text=True)
    assert "密码已修改" in page and "password_hash: changed" in page


def test_a_double_tap_whose_twin_changed_it_meanwhile_keeps_the_phone_logged_in(app, monkeypatch):
    """The second tap checked the current password before the first tap's change landed: it changes
    nothing again and takes over the first tap's fresh login, so whichever answer the phone keeps,
    it stays logged in. (Both taps at the same instant, from threads: tests/test_concurrency.py.)"""
    from hk.auth import service

    user = make_user("worker")
    first, _ = _log_in(app, user)
    data = {
        "csrf_token": csrf_token(first, "/account"),
        "current_password": PASSWORD,
        "new_password": NEW,
        "new_password_again": NEW,
    }
    second = _with_cookie(app, "hk_session", first.get_cookie("hk_session").value)  # the same phone
    begin_writing = service.begin_writing

    def first_tap_lands_meanwhile():
        monkeypatch.setattr(service, "begin_writing", begin_writing)
        assert first.post("/account/password", data=data).status_code == 303
        begin_writing()

    monkeypatch.setattr(service, "begin_writing", first_tap_lands_meanwhile)
    answer = second.post("/account/password", data=data)
    assert answer.status_code == 303 and answer.headers["Location"] == "/account#main"
    assert first.get("/today").status_code == 200 and second.get("/today").status_code == 200
    assert len(db.session.scalars(select(Event).where(Event.action == "password.change")).all()) == 1
    assert len(db.session.scalars(select(LoginSession).where(LoginSession.ended_at.is_(None))).all()) == 1


def test_logged_out_everywhere_while_changing_it_means_logging_in_again(app, monkeypatch):
    from hk.auth import service

    user = make_user("worker")
    phone, _ = _log_in(app, user)
    office, _ = _log_in(app, user)
    token = csrf_token(office, "/account")
    begin_writing = service.begin_writing

    def logged_out_everywhere_meanwhile():
        monkeypatch.setattr(service, "begin_writing", begin_writing)
        assert office.post("/logout/everywhere", data={"csrf_token": token}).status_code == 303
        begin_writing()

    monkeypatch.setattr(service, "begin_writing", logged_out_everywhere_meanwhile)
    answer = _change(phone)
    assert answer.status_code == 303 and answer.headers["Location"] == "/login"
    assert "修改密码时您已退出登录，请重新登录" in phone.get("/login").get_data(as_text=True)
    assert check_password_hash(_user(user).password_hash, PASSWORD)  # nothing changed
