from hk.extensions import db
from hk.models import LoginAttempt
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token, post_form


def _login(client, username, password, **extra):
    return post_form(client, "/login", {"username": username, "password": password, **extra})


def test_a_worker_logs_in_and_lands_on_today(client):
    user = make_user("worker")
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/", follow_redirects=True).request.path == "/today"


def test_the_password_is_stored_hashed(app):
    user = make_user("worker")
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("pbkdf2:", "scrypt:"))


def test_wrong_password_and_unknown_user_get_the_same_message(client):
    user = make_user("worker")
    wrong = _login(client, user.username, "not-the-password")
    unknown = _login(client, "nobody-here", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    # zh_CN is the default language
    assert "用户名或密码错误" in wrong.get_data(as_text=True)
    assert "用户名或密码错误" in unknown.get_data(as_text=True)


def test_messages_follow_the_browser_language(client):
    response = post_form(
        client, "/login", {"username": "nobody", "password": "x"}, headers={"Accept-Language": "en-GB"}
    )
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_a_disabled_user_is_told_to_contact_the_supervisor(client):
    user = make_user("worker", enabled=False)
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 403
    assert "该账号已被停用" in response.get_data(as_text=True)
    assert client.get("/today").status_code == 302  # not logged in


def test_disabling_a_user_ends_their_session_at_once(client, login):
    user = login("worker")
    assert client.get("/today").status_code == 200
    user.is_enabled = False
    user.session_version += 1
    db.session.commit()
    response = client.get("/today")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_repeated_failures_lock_the_account_even_for_the_right_password(app, client):
    app.config["LOGIN_MAX_FAILURES"] = 3
    user = make_user("worker")
    for _ in range(3):
        assert _login(client, user.username, "wrong-password").status_code == 401
    locked = _login(client, user.username, PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.get_data(as_text=True)
    assert client.get("/today").status_code == 302
    assert db.session.query(LoginAttempt).filter_by(success=False).count() == 3


def test_repeated_failures_from_one_address_lock_every_name(app, client):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 4
    user = make_user("worker")
    for n in range(4):
        _login(client, f"guess{n}", "wrong")
    assert _login(client, user.username, PASSWORD).status_code == 429


def test_a_missing_csrf_token_gets_a_friendly_page(client):
    make_user("worker", username="alice")
    response = client.post("/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "表单已失效" in body
    assert "Traceback" not in body


def test_an_over_long_username_is_refused_with_a_message(client):
    response = _login(client, "a" * 65, PASSWORD)
    assert response.status_code == 422
    assert "最多64个字符" in response.get_data(as_text=True)


def test_an_empty_form_names_the_missing_fields(client):
    response = _login(client, "", "")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "请输入用户名" in body and "请输入密码" in body


def test_next_may_only_point_inside_the_site(client):
    user = make_user("supervisor")
    response = _login(client, user.username, PASSWORD, next="//evil.example/x")
    assert response.headers["Location"] == "/"


def test_next_returns_to_the_page_that_asked(client):
    user = make_user("supervisor")
    response = _login(client, user.username, PASSWORD, next="/overview")
    assert response.headers["Location"] == "/overview"


def test_session_cookie_flags(client):
    user = make_user("worker")
    response = _login(client, user.username, PASSWORD, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("hk_session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_logout_needs_a_post_with_csrf(client, login):
    login("worker")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/today")})
    assert response.status_code == 303
    assert client.get("/today").status_code == 302
