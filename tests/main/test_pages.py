"""A worker's day and the supervisors' overview."""

from datetime import date, timedelta

from hk.domain.clock import local_datetime
from hk.extensions import db
from hk.models import Certificate, CertificateKind
from tests.builders import make_customer, make_job, make_user

TZ = "Asia/Shanghai"


def _today_at(hour, minute=0, days=0):
    from hk.domain.clock import local_today

    return local_datetime(local_today(TZ) + timedelta(days=days), hour, minute, TZ)


def test_a_worker_sees_only_their_own_jobs_today_in_time_order(client, login):
    me = login("worker")
    other = make_user("worker")
    late = make_job(me, make_customer(name="晚客户", preferences="不要用香味清洁剂"), _today_at(15))
    early = make_job(me, make_customer(name="早客户", access_notes="门禁 1234#"), _today_at(8, 30))
    make_job(other, make_customer(name="别人的客户"), _today_at(10))
    make_job(me, make_customer(name="明天的客户"), _today_at(10, days=1))
    body = client.get("/today").get_data(as_text=True)
    assert "早客户" in body and "晚客户" in body
    assert body.index(early.number) < body.index(late.number)
    today_part, _, upcoming_part = body.partition('data-testid="upcoming"')
    assert "别人的客户" not in body and "明天的客户" not in today_part
    assert "明天的客户" in upcoming_part  # the coming days are listed below today
    assert "08:30" in body and "开工前必读" in body and "门禁 1234#" in body and "不要用香味清洁剂" in body
    assert "日常保洁" in body


def test_a_worker_with_an_expired_health_certificate_is_told_why_and_whom_to_call(client, login, app):
    worker = make_user("worker", certified=False)
    worker.certificates.append(
        Certificate(
            kind=CertificateKind.JOB,
            number="J1",
            issuer="协会",
            valid_from=date(2020, 1, 1),
            valid_until=date.today() + timedelta(days=300),
        )
    )
    worker.certificates.append(
        Certificate(
            kind=CertificateKind.HEALTH,
            number="H1",
            issuer="疾控",
            valid_from=date(2020, 1, 1),
            valid_until=date.today() - timedelta(days=3),
        )
    )
    db.session.commit()
    login(worker)
    body = client.get("/today").get_data(as_text=True)
    assert "您暂时不能开始工作" in body
    assert "健康证已于" in body and "过期" in body
    assert app.config["COMPANY_PHONE"] in body


def test_a_worker_without_jobs_sees_a_clear_empty_state(client, login):
    login("worker")
    assert "今天没有分配给您的工单" in client.get("/today").get_data(as_text=True)


def test_the_overview_lists_all_of_todays_jobs_and_certificate_alerts(client, login):
    w1 = make_user("worker")
    w2 = make_user("worker", certified=False)
    make_job(w1, make_customer(name="客户甲"), _today_at(9))
    make_job(w2, make_customer(name="客户乙"), _today_at(11))
    next(c for c in w1.certificates if c.kind == CertificateKind.HEALTH).valid_until = (
        date.today() + timedelta(days=10)
    )
    db.session.commit()
    login("supervisor")
    body = client.get("/overview").get_data(as_text=True)
    assert "客户甲" in body and "客户乙" in body
    assert "即将过期" in body  # w1's health certificate
    assert "证书异常" in body  # w2 has no certificates at all


def test_a_worker_is_warned_of_a_certificate_expiring_within_30_days(client, login):
    worker = make_user("worker")
    health = next(c for c in worker.certificates if c.kind == CertificateKind.HEALTH)
    health.valid_until = date.today() + timedelta(days=20)
    db.session.commit()
    login(worker)
    body = client.get("/today").get_data(as_text=True)
    assert "您暂时不能开始工作" not in body
    assert "您的健康证将于" in body
