"""`flask hk …` commands: create-user, load-catalogue, seed-demo; each safe to run twice."""

from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from hk.demo import CUSTOMERS, PEOPLE
from hk.domain.qualification import ProblemReason, qualification_problems
from hk.extensions import db
from hk.models import ChecklistTemplate, Customer, Job, PriceItem, ServiceType, TemplateItem, User
from tests.builders import PASSWORD, make_user
from tests.conftest import post_form


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_user_then_update_it(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["hk", "create-user", "Mei", "--role", "supervisor", "--name", "美"],
        input="long-enough-pw\nlong-enough-pw\n",
    )
    assert result.exit_code == 0, result.output
    assert "created supervisor mei" in result.output
    result = runner.invoke(
        args=["hk", "create-user", "mei", "--role", "admin"], env={"HK_NEW_USER_PASSWORD": "another-long-pw"}
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "mei"))
    db.session.refresh(user)
    assert user.role == "admin" and user.display_name == "美"


def test_create_user_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["hk", "create-user", "x", "--role", "worker"], env={"HK_NEW_USER_PASSWORD": "short"}
    )
    assert result.exit_code != 0 and "at least 8" in result.output
    assert _count(User) == 0


@pytest.mark.parametrize(
    ("password", "reason"),
    [("Password1", "most common"), ("88888888", "too easy to guess"), ("mei-is-my-name", "username")],
)
def test_create_user_refuses_a_weak_password_with_the_reason(app, password, reason):
    result = app.test_cli_runner().invoke(
        args=["hk", "create-user", "mei", "--role", "worker"], env={"HK_NEW_USER_PASSWORD": password}
    )
    assert result.exit_code != 0 and reason in result.output, result.output
    assert _count(User) == 0


def test_create_user_refuses_the_persons_name_and_phone_when_resetting(app):
    make_user("worker", username="mei")
    user = db.session.scalar(select(User).where(User.username == "mei"))
    user.phone = "13900001234"
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["hk", "create-user", "mei", "--role", "worker"], env={"HK_NEW_USER_PASSWORD": "x13900001234y"}
    )
    assert result.exit_code != 0 and "phone number" in result.output


def test_resetting_a_password_ends_every_login_with_the_old_one(app):
    user = make_user("worker", username="mei")
    phone = app.test_client()
    assert post_form(phone, "/login", {"username": "mei", "password": PASSWORD}).status_code == 303
    assert phone.get("/today").status_code == 200
    result = app.test_cli_runner().invoke(
        args=["hk", "create-user", "mei", "--role", "worker"], env={"HK_NEW_USER_PASSWORD": "a-new-start-7"}
    )
    assert result.exit_code == 0, result.output
    assert phone.get("/today").status_code == 302
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, "a-new-start-7")


def test_load_catalogue_twice_creates_nothing_twice(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["hk", "load-catalogue"])
    assert first.exit_code == 0 and "4 created" in first.output
    counts = [_count(m) for m in (ServiceType, ChecklistTemplate, TemplateItem, PriceItem)]
    second = runner.invoke(args=["hk", "load-catalogue"])
    assert second.exit_code == 0 and "4 unchanged" in second.output
    assert [_count(m) for m in (ServiceType, ChecklistTemplate, TemplateItem, PriceItem)] == counts


def test_load_catalogue_names_the_line_of_a_broken_file(app, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "format: hk-catalogue/1\nservice_types:\n  - code: x\n    name: {zh_CN: 甲}\n", encoding="utf-8"
    )
    result = app.test_cli_runner().invoke(args=["hk", "load-catalogue", "--file", str(bad)])
    assert result.exit_code != 0
    assert "line 4" in result.output and "name.en: is missing" in result.output
    assert _count(ServiceType) == 0


def test_a_changed_checklist_becomes_a_new_version_and_jobs_keep_theirs(app, tmp_path):
    from hk.catalogue import DEFAULT_CATALOGUE, load_catalogue_file
    from tests.builders import make_job, make_user

    load_catalogue_file()
    job = make_job(make_user("worker"))
    snapshot = job.template_snapshot
    changed = DEFAULT_CATALOGUE.read_text(encoding="utf-8").replace(
        "Confirm service scope and priority areas with the customer", "Confirm the scope, area by area", 1
    )
    path = tmp_path / "changed.yaml"
    path.write_text(changed, encoding="utf-8")
    summary = load_catalogue_file(path)
    assert summary.new_versions == ["daily_cleaning"]
    st = db.session.scalar(select(ServiceType).where(ServiceType.code == "daily_cleaning"))
    assert [t.version for t in st.templates] == [1, 2]
    db.session.refresh(job)
    assert job.template.version == 1 and job.template_snapshot == snapshot
    labels = [i["label"]["en"] for i in st.current_template.snapshot()["stages"][0]["items"]]
    assert "Confirm the scope, area by area" in labels


def test_seed_demo_creates_the_demo_company_and_is_safe_twice(app, queued):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["hk", "seed-demo"], env={"HK_DEMO_PASSWORD": "demo-password-1"})
    assert first.exit_code == 0, first.output
    assert "5 users created, 5 jobs for today created" in first.output
    second = runner.invoke(args=["hk", "seed-demo"], env={"HK_DEMO_PASSWORD": "demo-password-1"})
    assert "0 users created, 0 jobs for today created" in second.output
    assert _count(User) == len(PEOPLE) and len(CUSTOMERS) == 5 and _count(Customer) > 30  # and the past's
    emails = db.session.scalars(select(Customer.email).where(Customer.email.is_not(None))).all()
    assert len(emails) >= 5 and all(e.endswith("@example.com") for e in emails)  # mail to instance/outbox
    usernames = set(db.session.scalars(select(User.username)))
    assert usernames == {"admin", "supervisor", "worker1", "worker2", "worker3"}
    by_name = {u.username: u for u in db.session.scalars(select(User))}
    for name in ("worker1", "worker2", "worker3"):
        assert db.session.scalar(select(func.count(Job.id)).where(Job.worker_id == by_name[name].id)) >= 1
    today = date.today()
    problems = qualification_problems(by_name["worker3"].certificates, today)
    assert [(p.kind, p.reason) for p in problems] == [("health", ProblemReason.EXPIRED)]
    assert qualification_problems(by_name["worker1"].certificates, today) == []


def test_seed_demo_prints_a_generated_password_when_none_is_given(app, queued):
    result = app.test_cli_runner().invoke(args=["hk", "seed-demo"], env={"HK_DEMO_PASSWORD": ""})
    assert result.exit_code == 0
    assert "demo password: " in result.output


def test_seed_demo_refuses_a_weak_demo_password_and_creates_nothing(app):
    result = app.test_cli_runner().invoke(args=["hk", "seed-demo"], env={"HK_DEMO_PASSWORD": "password1"})
    assert result.exit_code != 0 and "most common" in result.output
    result = app.test_cli_runner().invoke(args=["hk", "seed-demo"], env={"HK_DEMO_PASSWORD": "worker1-demo"})
    assert result.exit_code != 0 and "username" in result.output
    assert _count(User) == 0


def test_seed_demo_leaves_a_real_company_alone(app):
    from tests.builders import make_user

    make_user("admin", username="boss")
    result = app.test_cli_runner().invoke(args=["hk", "seed-demo"], env={"HK_DEMO_PASSWORD": "demo-pass-7x"})
    assert "real data" in result.output
    assert _count(User) == 1
