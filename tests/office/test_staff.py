"""Staff accounts: an administrator creates accounts, changes roles, disables and enables them; the
company is never left without an administrator, and a change ends the person's logins at once."""

import re

import pytest
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import Event, JobStatus, Role, User
from tests.builders import PASSWORD, make_job, make_user
from tests.conftest import csrf_token, post_form

NEW = {"display_name": "孙丽", "username": "sunli", "phone": "13600001111", "role": "supervisor"}


def _phone(app, user):
    """Another browser, logged in as the user."""
    other = app.test_client()
    assert post_form(other, "/login", {"username": user.username, "password": PASSWORD}).status_code == 303
    return other


@pytest.fixture
def admin(client, login):
    """Posts from a logged-in administrator; .user is the administrator."""
    user = login("admin")
    token = csrf_token(client, "/office/staff")

    def post(path, data=None, **kwargs):
        return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)

    post.user = user
    return post


def _user(user_id) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def _events(user_id, action) -> int:
    query = select(func.count(Event.id)).where(Event.subject_id == user_id, Event.action == action)
    return db.session.scalar(query.where(Event.subject_type == "user"))


# --- the list and new accounts -----------------------------------------------------------------


def test_the_staff_list_is_paged_with_administrators_first_and_narrowed_by_role(client, admin):
    for n in range(60):
        make_user("worker", username=f"w{n:02d}")
    supervisor = make_user("supervisor")
    page = client.get("/office/staff").get_data(as_text=True)
    names = re.findall(r'/office/staff/(\d+)">', page)
    assert names[:2] == [str(admin.user.id), str(supervisor.id)]  # administrators, then supervisors
    assert "第 1 / 2 页 · 共 62 条" in page and 'href="/office/staff?page=2"' in page
    workers = client.get("/office/staff?role=worker").get_data(as_text=True)
    assert "共 60 条" in workers and 'href="/office/staff?role=worker&amp;page=2"' in workers
    assert "共 62 条" in client.get("/office/staff?role=nonsense").get_data(as_text=True)


def test_an_administrator_creates_a_supervisor_who_can_log_in(app, client, admin):
    response = admin("/office/staff/new", {**NEW, "password": "first-pass-9"}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "已为孙丽创建账号" in body
    person = db.session.scalar(select(User).where(User.username == "sunli"))
    assert person.role == Role.SUPERVISOR and person.profile is None and person.phone == "13600001111"
    event = db.session.scalar(select(Event).where(Event.subject_id == person.id))
    assert event.action == "account.create" and event.actor_id == admin.user.id
    assert event.data["changes"]["role"] == "supervisor" and "first-pass-9" not in str(event.data)
    other = app.test_client()
    login = post_form(other, "/login", {"username": "sunli", "password": "first-pass-9"})
    assert login.status_code == 303 and other.get("/overview").status_code == 200
    assert other.get("/office/staff").status_code == 403


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "1234567"}, "密码至少需要8个字符"),
        ({"password": "x" * 129}, "密码最多128个字符"),
        ({"password": "long-enough", "username": "Bad Name"}, "3到64个"),
        ({"password": "long-enough", "role": "owner"}, "不是有效的选择"),
    ],
)
def test_a_bad_new_account_is_refused_and_what_was_typed_stays(client, admin, fields, message):
    response = admin("/office/staff/new", {**NEW, **fields})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body and "孙丽" in body
    assert db.session.scalar(select(func.count(User.id))) == 1  # the administrator alone


def test_a_taken_username_is_refused(client, admin):
    make_user("worker", username="sunli")
    response = admin("/office/staff/new", {**NEW, "password": "long-enough"})
    assert response.status_code == 422 and "该用户名已被使用" in response.get_data(as_text=True)


def test_an_administrator_creates_a_cleaner_with_a_worker_profile(client, admin):
    admin("/office/staff/new", {**NEW, "role": "worker", "password": "long-enough"})
    person = db.session.scalar(select(User).where(User.username == "sunli"))
    assert person.role == Role.WORKER and person.profile is not None
    assert "孙丽" in client.get("/office/workers").get_data(as_text=True)


# --- roles, access and sessions ----------------------------------------------------------------


def test_a_new_role_ends_every_login_of_the_person_at_once(app, client, admin):
    supervisor = make_user("supervisor")
    phones = [_phone(app, supervisor), _phone(app, supervisor)]
    assert all(p.get("/office/catalogue").status_code == 200 for p in phones)
    response = admin(f"/office/staff/{supervisor.id}/role", {"role": "admin"}, follow_redirects=True)
    assert "的角色已改为：管理员" in response.get_data(as_text=True)
    assert _user(supervisor.id).role == Role.ADMIN
    assert all(p.get("/office/catalogue").status_code == 302 for p in phones)  # back to the login page
    again = _phone(app, supervisor)
    assert again.get("/office/staff").status_code == 200  # with the new rights
    event = db.session.scalar(select(Event).where(Event.action == "account.role"))
    assert event.subject_id == supervisor.id and event.data["changes"]["role"] == ["supervisor", "admin"]


def test_a_demoted_administrator_loses_the_administrators_pages_at_once(app, client, admin):
    other = make_user("admin")
    phone = _phone(app, other)
    token = csrf_token(phone, "/office/staff")
    assert phone.get("/office/staff").status_code == 200
    assert admin(f"/office/staff/{other.id}/role", {"role": "supervisor"}).status_code == 303
    assert phone.get("/office/staff").status_code == 302
    stale = phone.post("/office/staff/new", data={"csrf_token": token, **NEW, "password": "long-enough"})
    assert stale.status_code == 302  # logged out: no account is made with the old rights
    assert db.session.scalar(select(func.count(User.id)).where(User.username == "sunli")) == 0
    again = _phone(app, other)
    refused = again.get("/office/staff")
    assert refused.status_code == 403 and "只有管理员才能进行此操作" in refused.get_data(as_text=True)
    assert again.get("/overview").status_code == 200  # a supervisor now


def test_disabling_ends_every_login_and_enabling_lets_the_person_back(app, client, admin):
    supervisor = make_user("supervisor")
    phone = _phone(app, supervisor)
    response = admin(f"/office/staff/{supervisor.id}/enabled", {}, follow_redirects=True)
    assert "账号已停用，并已在所有设备上退出" in response.get_data(as_text=True)
    assert phone.get("/overview").status_code == 302
    assert (
        post_form(
            app.test_client(), "/login", {"username": supervisor.username, "password": PASSWORD}
        ).status_code
        != 303
    )
    assert (
        admin(f"/office/staff/{supervisor.id}/enabled", {}).status_code == 303
    )  # a second tap: nothing more
    assert _events(supervisor.id, "account.disable") == 1
    admin(f"/office/staff/{supervisor.id}/enabled", {"enable": "1"})
    assert _user(supervisor.id).is_enabled and _phone(app, supervisor).get("/overview").status_code == 200
    assert _events(supervisor.id, "account.enable") == 1


def test_the_same_role_twice_changes_nothing_and_keeps_the_logins(app, client, admin):
    supervisor = make_user("supervisor")
    phone = _phone(app, supervisor)
    assert admin(f"/office/staff/{supervisor.id}/role", {"role": "supervisor"}).status_code == 303
    assert phone.get("/overview").status_code == 200
    assert _events(supervisor.id, "account.role") == 0


# --- never without an administrator ------------------------------------------------------------


@pytest.mark.parametrize(("path", "data"), [("role", {"role": "supervisor"}), ("enabled", {})])
def test_the_last_administrator_cannot_demote_or_disable_themself(client, admin, path, data):
    make_user("admin", enabled=False)  # a disabled administrator does not count
    response = admin(f"/office/staff/{admin.user.id}/{path}", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "公司至少要有一名启用中的管理员" in body
    me = _user(admin.user.id)
    assert me.role == Role.ADMIN and me.is_enabled
    assert client.get("/office/staff").status_code == 200  # still logged in, nothing lost
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_an_administrator_may_step_down_when_another_remains(client, admin):
    other = make_user("admin")
    assert admin(f"/office/staff/{admin.user.id}/role", {"role": "supervisor"}).status_code == 303
    assert _user(admin.user.id).role == Role.SUPERVISOR and _user(other.id).role == Role.ADMIN
    assert client.get("/overview").status_code == 302  # their own logins ended too


# --- cleaners ----------------------------------------------------------------------------------


def test_a_cleaner_with_unfinished_jobs_keeps_the_role_until_they_are_reassigned(client, admin):
    worker = make_user("worker")
    jobs = [make_job(worker), make_job(worker, state="awaiting_signature", photos=False)]
    response = admin(f"/office/staff/{worker.id}/role", {"role": "supervisor"})
    assert response.status_code == 409 and "还有2个未完成的工单" in response.get_data(as_text=True)
    assert _user(worker.id).role == Role.WORKER
    jobs[0].status, jobs[1].status = JobStatus.CANCELLED, JobStatus.COMPLETED
    db.session.commit()
    assert admin(f"/office/staff/{worker.id}/role", {"role": "supervisor"}).status_code == 303
    assert _user(worker.id).role == Role.SUPERVISOR


def test_a_supervisor_made_a_cleaner_gets_a_worker_profile(client, admin):
    supervisor = make_user("supervisor")
    assert admin(f"/office/staff/{supervisor.id}/role", {"role": "worker"}).status_code == 303
    person = _user(supervisor.id)
    assert person.role == Role.WORKER and person.profile is not None
    assert client.get(f"/office/workers/{supervisor.id}").status_code == 200


def test_the_account_page_shows_its_change_log(client, admin):
    supervisor = make_user("supervisor")
    admin(f"/office/staff/{supervisor.id}/enabled", {})
    admin(f"/office/staff/{supervisor.id}/enabled", {"enable": "1"})
    page = client.get(f"/office/staff/{supervisor.id}").get_data(as_text=True)
    assert "账号已停用" in page and "账号已启用" in page and 'data-testid="audit"' in page


# --- what a supervisor sees and is refused -----------------------------------------------------


def test_only_an_administrator_sees_the_staff_link(client, login):
    login("supervisor")
    assert 'data-testid="nav-staff"' not in client.get("/overview").get_data(as_text=True)
    login("admin")
    assert 'data-testid="nav-staff"' in client.get("/overview").get_data(as_text=True)


def test_a_supervisor_refused_an_account_change_is_told_why_in_english_too(client, login):
    target = make_user("supervisor")
    login(make_user("supervisor", locale="en"))
    token = csrf_token(client, "/overview")
    response = client.post(f"/office/staff/{target.id}/role", data={"csrf_token": token, "role": "admin"})
    body = response.get_data(as_text=True)
    assert response.status_code == 403 and "Only an administrator can do this" in body
    assert "Nothing was changed" in body and "ask your supervisor" not in body
    assert _user(target.id).role == Role.SUPERVISOR


# --- the address of work messages ------------------------------------------------------------


def test_an_administrator_sets_and_clears_a_persons_email_and_it_is_logged(client, admin):
    supervisor = make_user("supervisor")
    page = client.get(f"/office/staff/{supervisor.id}").get_data(as_text=True)
    assert "电子邮箱（选填）" in page and 'data-testid="save-email"' in page
    response = admin(f"/office/staff/{supervisor.id}/email", {"email": " Li.Juan@Example.COM "})
    assert response.status_code == 303
    assert _user(supervisor.id).email == "Li.Juan@example.com"  # the domain in small letters
    assert admin(f"/office/staff/{supervisor.id}/email", {"email": "Li.Juan@example.com"}).status_code == 303
    assert _events(supervisor.id, "account.email") == 1  # the same address again changes nothing
    page = client.get(f"/office/staff/{supervisor.id}").get_data(as_text=True)
    assert 'value="Li.Juan@example.com"' in page and "工作消息邮箱" in page
    assert admin(f"/office/staff/{supervisor.id}/email", {"email": ""}).status_code == 303
    assert _user(supervisor.id).email is None and _events(supervisor.id, "account.email") == 2
    event = db.session.scalars(
        select(Event).where(Event.action == "account.email").order_by(Event.id)
    ).first()
    assert event.actor_id == admin.user.id and event.data["changes"]["email"] == [None, "Li.Juan@example.com"]


def test_a_bad_address_is_refused_with_the_page_and_nothing_changes(client, admin):
    supervisor = make_user("supervisor")
    for bad in ("li juan@example.com", "a@b.com, c@d.com", "li@example.com\r\nBcc: x@y.com", "没有邮箱"):
        response = admin(f"/office/staff/{supervisor.id}/email", {"email": bad})
        assert response.status_code == 422, bad
        assert "请填写电子邮箱地址，例如 name@example.com。" in response.get_data(as_text=True)
    assert _user(supervisor.id).email is None and _events(supervisor.id, "account.email") == 0


def test_a_supervisor_cannot_set_anothers_email(client, login):
    login("supervisor")
    other = make_user("supervisor")
    response = client.post(
        f"/office/staff/{other.id}/email",
        data={"csrf_token": csrf_token(client, "/overview"), "email": "me@example.com"},
    )
    assert response.status_code == 403 and _user(other.id).email is None
