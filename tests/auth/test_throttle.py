"""Failed logins are throttled so that nobody can lock another person out (hardening finding 6)."""

from tests.builders import PASSWORD, make_user
from tests.conftest import post_form


def _login(client, username, password, ip):
    data = {"username": username, "password": password}
    return post_form(client, "/login", data, environ_base={"REMOTE_ADDR": ip})


def test_a_stranger_failing_five_times_does_not_lock_the_owner_out(app):
    owner = make_user("worker")
    attacker = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _login(attacker, owner.username, "guess", "203.0.113.9").status_code == 401
    # the stranger's address is locked for that name, even with the right password
    assert _login(attacker, owner.username, PASSWORD, "203.0.113.9").status_code == 429
    # the owner, from their own address, gets in at once
    assert _login(app.test_client(), owner.username, PASSWORD, "198.51.100.7").status_code == 303


def test_a_crowd_guessing_one_name_is_stopped_but_the_owners_usual_browser_gets_in(app):
    app.config["LOGIN_MAX_FAILURES_PER_NAME"] = 12
    owner = make_user("worker")
    phone = app.test_client()  # the owner's phone: logged in here before
    assert _login(phone, owner.username, PASSWORD, "198.51.100.7").status_code == 303
    phone.post("/logout", data={"csrf_token": _token(phone)})
    crowd = app.test_client()
    for n in range(12):
        assert _login(crowd, owner.username, "guess", f"203.0.113.{n}").status_code == 401
    # a new address with the right password is refused now: the name is under attack
    assert _login(app.test_client(), owner.username, PASSWORD, "192.0.2.1").status_code == 429
    # the owner's own phone still gets in, even from a new address
    assert _login(phone, owner.username, PASSWORD, "192.0.2.55").status_code == 303


def test_a_forged_usual_browser_cookie_is_worth_nothing(app):
    app.config["LOGIN_MAX_FAILURES_PER_NAME"] = 3
    owner = make_user("worker")
    crowd = app.test_client()
    for n in range(3):
        _login(crowd, owner.username, "guess", f"203.0.113.{n}")
    crowd.set_cookie("hk_usual", f'["{owner.username}"]')
    assert _login(crowd, owner.username, PASSWORD, "192.0.2.9").status_code == 429


def test_many_failures_from_one_address_still_lock_every_name_there(app):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 4
    user = make_user("worker")
    client = app.test_client()
    for n in range(4):
        _login(client, f"guess{n}", "wrong", "203.0.113.77")
    assert _login(client, user.username, PASSWORD, "203.0.113.77").status_code == 429
    assert _login(app.test_client(), user.username, PASSWORD, "198.51.100.1").status_code == 303


def _token(client):
    from tests.conftest import csrf_token

    return csrf_token(client, "/")
