"""Each person sets the address of their own work messages on /account; each change is logged."""

from sqlalchemy import select

from hk.extensions import db
from hk.models import Event, User
from tests.conftest import csrf_token


def _post(client, email):
    return client.post("/account/email", data={"csrf_token": csrf_token(client, "/account"), "email": email})


def _email(user_id):
    db.session.expire_all()
    return db.session.get(User, user_id).email


def test_a_supervisor_sets_changes_and_clears_their_own_email(client, login):
    me = login("supervisor")
    page = client.get("/account").get_data(as_text=True)
    assert "电子邮箱（选填）" in page and 'data-testid="own-email"' in page
    response = _post(client, "li.juan@Example.com")
    assert response.status_code == 303 and response.headers["Location"].endswith("/account#main")
    assert _email(me.id) == "li.juan@example.com"
    page = client.get("/account").get_data(as_text=True)
    assert "工作消息将发送到 li.juan@example.com。" in page and 'value="li.juan@example.com"' in page
    assert _post(client, "li.juan@example.com").status_code == 303  # a double tap: nothing more
    assert _post(client, "").status_code == 303
    assert _email(me.id) is None
    events = db.session.scalars(select(Event).where(Event.action == "account.email").order_by(Event.id)).all()
    assert [e.data["changes"]["email"] for e in events] == [
        [None, "li.juan@example.com"],
        ["li.juan@example.com", None],
    ]
    assert all(e.actor_id == me.id and e.subject_id == me.id for e in events)


def test_a_bad_address_is_refused_in_the_persons_language_and_kept_on_the_form(client, login):
    me = login("admin", locale="en")
    client.post("/language", data={"csrf_token": csrf_token(client, "/account"), "lang": "en"})
    response = _post(client, "wang min@example.com")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Enter an email address like name@example.com." in body
    assert 'value="wang min@example.com"' in body and _email(me.id) is None
