"""Issue #11, "Done when", on 390 px phones in Chromium, with the email at a real SMTP server.

The customer signs a demo job on the worker's phone (customer mode) and gets the record link by
email; on their own phone they rate it 2, which opens a complaint (receipt by email). The supervisor
sees it on /complaints with its clocks, answers (the customer reads it on their link and by email),
books a free re-clean through the dispatch gates (a certified worker, a free time), the re-clean is
done — its checklist advanced in the database with hk.demo_jobs.advance_job (walking a checklist by
its labels is test_job_on_a_phone's), then handed over and signed on the worker's phone — and the
supervisor resolves the case with its root cause (the customer is asked by email whether it is
sorted). The customer confirms on their link; the follow-up after the complaint is due on
/office/follow-ups and the supervisor records it. Screenshots in test-artifacts/done-when-*.png.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hk.demo import seed_demo
from hk.demo_jobs import advance_job
from hk.domain.clock import local_today
from hk.extensions import db
from hk.models import Complaint, Customer, FollowUp, Job, Message, Remedy, User
from tests.e2e.conftest import PHONE, log_in, shot
from tests.e2e.test_sign_on_a_phone import PASSWORD, _draw, _walk_to_signature
from tests.mail.conftest import Inbox, start_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("alone")]  # a mail server in a thread


@pytest.fixture
def mail(app, live_server):
    """A real SMTP server on this machine; hk sends to it and writes links to the live server."""
    box = Inbox()
    controller, port = start_server(box)
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}?starttls=0"
    app.config["PUBLIC_URL"] = live_server
    yield box
    controller.stop()


@pytest.fixture
def phones(browser, request):
    """phones(name): a fresh 390 px phone (its own browser), kept as a screenshot if the test fails."""
    made = {}

    def new(name):
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN", has_touch=True)
        made[name] = context.new_page()
        made[name].set_default_timeout(10_000)
        return made[name]

    yield new
    failed = getattr(request.node, "rep_call", None)
    for name, page in made.items():
        if failed is not None and failed.failed:
            shot(page, f"failed-done-when-{name}")
        page.context.close()


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _sign_in_customer_mode(page, base, job_id, signer):
    """The worker hands the phone over; the customer reviews and signs by drawing."""
    page.goto(f"{base}/jobs/{job_id}")
    page.get_by_role("button", name="客户核对并签字").click()
    expect(page.get_by_role("heading", name="请核对并签字")).to_be_visible()
    page.get_by_test_id("signer-name").fill(signer)
    page.get_by_test_id("consent").check()
    _draw(page)
    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("signed")).to_be_visible(timeout=20_000)  # the signing, on a busy machine


def _emails(mail, to):
    return [(e["Subject"], e.get_content()) for e in mail.received if e["To"] == to]


def _link_in(body, base):
    [url] = re.findall(rf"{re.escape(base)}/r/\S+", body)
    return url


def _same_link(url, other):
    """Two addresses of one customer link (each token is signed at its own second)."""
    return url.split("/r/")[1].split(".")[0] == other.split("/r/")[1].split(".")[0]


def test_a_low_rating_becomes_a_complaint_that_is_put_right_and_followed_up(app, live_server, mail, phones):
    with app.app_context():
        seed_demo(PASSWORD, app.config["TIMEZONE"])
    job_id, worker = _walk_to_signature(app, "-01")
    with app.app_context():
        customer = db.session.get(Job, job_id).customer
        address, customer_id, customer_name = customer.email, customer.id, customer.name
        expired = db.session.scalar(select(User).where(User.username == "worker3"))  # health certificate
        cleaner = db.session.scalar(select(User).where(User.username == "worker2"))
        expired_id, cleaner_id, cleaner_name = expired.id, cleaner.id, cleaner.display_name
        tomorrow = local_today(app.config["TIMEZONE"]) + timedelta(days=1)

    # 1. The customer signs on the worker's phone; the record's link arrives by email.
    workers_phone = phones("worker")
    log_in(workers_phone, live_server, worker, PASSWORD)
    _sign_in_customer_mode(workers_phone, live_server, job_id, "周女士")
    shot(workers_phone, "done-when-01-signed-on-the-workers-phone")
    [(subject, body)] = _emails(mail, address)
    assert subject.startswith("您的服务记录：")
    link = _link_in(body, live_server)

    # 2. On their own phone, from the email, the customer rates the service 2: a case opens.
    customer = phones("customer")
    errors = []
    customer.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    customer.goto(link)
    expect(customer.get_by_role("heading", name="这次服务怎么样？")).to_be_visible()
    customer.get_by_test_id("overall-2").click()
    customer.get_by_test_id("quality-2").click()
    customer.get_by_test_id("rating-comment").fill("卫生间镜子上有水印，厨房台面也没擦干净")
    shot(customer, "done-when-02-customer-rates-2")
    customer.get_by_test_id("send-rating").click()
    expect(customer.get_by_test_id("rating-thanks")).to_contain_text("我们已为您登记投诉")
    expect(customer.get_by_test_id("case")).to_have_count(1)
    expect(customer.get_by_test_id("case-status")).to_have_text("已收到")
    _fits(customer)
    shot(customer, "done-when-03-the-case-on-the-customers-link")
    with app.app_context():
        case = db.session.scalar(select(Complaint).where(Complaint.job_id == job_id))
        case_id, number = case.id, case.number
    subject, body = _emails(mail, address)[1]
    assert subject == f"我们已收到您的投诉 {number}" and "24 小时内答复您" in body
    assert _same_link(_link_in(body, live_server), link)

    # 3. The supervisor sets the address of their work messages, then finds the case with its clocks.
    desk = phones("supervisor")
    log_in(desk, live_server, "supervisor", PASSWORD)
    desk.goto(f"{live_server}/account")
    desk.get_by_label("电子邮箱（选填）").fill("li.juan@example.com")
    desk.get_by_test_id("save-own-email").click()
    expect(desk.get_by_text("工作消息将发送到 li.juan@example.com。")).to_be_visible()
    _fits(desk)
    shot(desk, "done-when-04-supervisor-sets-work-email")
    desk.goto(f"{live_server}/complaints")
    card = desk.get_by_test_id(f"case-{case_id}")
    expect(card).to_contain_text(customer_name)
    expect(card).to_contain_text(re.compile(r"响应\s*还剩 2[34] 小时"))
    expect(card).to_contain_text(re.compile(r"办结\s*还剩 (3 天 0|2 天 23) 小时"))
    _fits(desk)
    shot(desk, "done-when-05-the-case-on-the-complaints-list")
    card.get_by_role("link", name=number).click()
    expect(desk.get_by_test_id("case-status")).to_have_text("待响应")

    # 4. The supervisor answers the customer; the customer reads it on their link and by email.
    desk.get_by_label("内容", exact=True).fill("周女士您好，非常抱歉。我们明天上午安排免费返工，请您放心。")
    desk.get_by_label("客户（在其链接中可见）").check()
    desk.get_by_test_id("send-reply").click()
    expect(desk.get_by_test_id("case-status")).to_have_text("已响应")
    expect(desk.get_by_test_id("clock-first")).to_contain_text("按时完成")
    shot(desk, "done-when-06-supervisor-answered")
    subject, body = _emails(mail, address)[2]
    assert subject == f"您的投诉 {number} 有新回复" and "明天上午安排免费返工" in body
    customer.reload()
    expect(customer.get_by_test_id("thread")).to_contain_text("明天上午安排免费返工")
    expect(customer.get_by_test_id("case-status")).to_have_text("已答复")
    shot(customer, "done-when-07-the-customer-reads-the-answer")

    # 5. A free re-clean, booked through dispatch's gates: a certified worker at a free time.
    desk.get_by_test_id("open-reclean").click()
    desk.get_by_label("日期", exact=True).fill(tomorrow.isoformat())
    desk.get_by_label("从", exact=True).fill("09:00")
    desk.get_by_label("至", exact=True).fill("11:00")
    desk.get_by_label("服务人员", exact=True).select_option(str(expired_id))
    desk.get_by_label("给服务人员的备注").fill("重点处理卫生间镜面和厨房台面")
    desk.get_by_test_id("add-reclean").click()
    expect(desk.get_by_text(re.compile("健康证已于.*过期"))).to_be_visible()  # the dispatch gate
    expect(desk.get_by_label("给服务人员的备注")).to_have_value("重点处理卫生间镜面和厨房台面")
    shot(desk, "done-when-08a-reclean-refused-expired-certificate")
    desk.get_by_label("服务人员", exact=True).select_option(str(cleaner_id))
    desk.get_by_test_id("add-reclean").click()
    expect(desk.locator(".flash-success")).to_contain_text("已安排免费返工")
    expect(desk.get_by_test_id("remedies")).to_contain_text(cleaner_name)
    expect(desk.get_by_test_id("case-status")).to_have_text("补救中")
    desk.get_by_test_id("remedies").scroll_into_view_if_needed()
    _fits(desk)
    shot(desk, "done-when-08-reclean-booked")
    with app.app_context():
        remedy = db.session.scalar(select(Remedy).where(Remedy.complaint_id == case_id))
        remedy_id, reclean = remedy.id, remedy.reclean_job
        assert reclean.worker_id == cleaner_id and reclean.quote_total == 0
        # The checklist done as the phone does it (see the module's docstring), then signed on the phone.
        advance_job(reclean, "awaiting_signature")
        reclean_id = reclean.id

    # 6. The re-clean's customer signs on the cleaner's phone.
    cleaners_phone = phones("cleaner")
    log_in(cleaners_phone, live_server, "worker2", PASSWORD)
    cleaners_phone.goto(f"{live_server}/jobs/{reclean_id}")
    shot(cleaners_phone, "done-when-09-reclean-ready-to-sign")
    _sign_in_customer_mode(cleaners_phone, live_server, reclean_id, "周女士")
    shot(cleaners_phone, "done-when-10-reclean-signed")
    subject, _body = _emails(mail, address)[3]
    assert subject.startswith("您的服务记录：")  # the re-clean's own record

    # 7. The supervisor marks the re-clean done and resolves the case with its root cause.
    desk.reload()
    desk.get_by_test_id(f"done-{remedy_id}").click()
    desk.get_by_test_id("open-resolve").click()
    desk.get_by_label("根本原因", exact=True).fill("镜面清洁剂用错，离场前未按标准复查")
    with app.app_context():
        worker_id = db.session.get(Job, job_id).worker_id
    desk.get_by_label("责任服务人员", exact=True).select_option(str(worker_id))
    desk.get_by_test_id("act-resolve").click()
    expect(desk.get_by_test_id("case-status")).to_have_text("已办结")
    expect(desk.get_by_test_id("timeline")).to_contain_text("镜面清洁剂用错")
    _fits(desk)
    shot(desk, "done-when-11-resolved")
    subject, body = _emails(mail, address)[4]
    assert subject == f"您的投诉 {number} 已办结，问题解决了吗？" and _same_link(
        _link_in(body, live_server), link
    )

    # 8. The customer confirms on their link.
    customer.goto(link)
    mine = customer.locator(f"#case-{case_id}")
    expect(mine.get_by_test_id("case-status")).to_have_text("我们认为已解决")
    mine.scroll_into_view_if_needed()
    shot(customer, "done-when-12-is-it-sorted")
    mine.get_by_role("button", name="是的，已经解决").click()
    expect(customer.locator(f"#case-{case_id}").get_by_test_id("case-status")).to_have_text("已关闭")
    shot(customer, "done-when-13-customer-confirmed")
    assert errors == [], errors

    # 9. The follow-up after the complaint is due; the supervisor records it.
    desk.goto(f"{live_server}/office/follow-ups")
    due = desk.get_by_test_id("case-follow-ups")
    expect(desk.get_by_role("heading", name="投诉办结后的回访")).to_be_visible()
    expect(due).to_contain_text(number)
    _fits(desk)
    shot(desk, "done-when-14-follow-up-due")
    due.get_by_role("link", name="记录").click()
    expect(desk.locator(".alert-warn")).to_contain_text(number)
    desk.get_by_text("电话", exact=True).click()
    desk.get_by_text("是", exact=True).click()
    desk.get_by_text("5", exact=True).click()
    desk.get_by_label("客户的反馈").fill("返工后很满意，镜子和台面都干净了")
    shot(desk, "done-when-15-follow-up-form")
    desk.get_by_test_id("save-follow-up").click()
    expect(desk.get_by_text("回访已记录。")).to_be_visible()
    shot(desk, "done-when-16-follow-up-recorded")
    desk.goto(f"{live_server}/office/follow-ups")
    expect(desk.get_by_test_id("case-follow-ups")).not_to_contain_text(number)

    # Every email once, to the customer only, in Chinese: the records, the receipt, the answer,
    # "is it sorted?", and the thanks for confirming. Nothing went to staff: nobody was assigned.
    with app.app_context():
        sent = db.session.scalars(select(Message).order_by(Message.id)).all()
        assert [m.kind for m in sent] == [
            "record_ready",
            "case_opened",
            "case_reply",
            "record_ready",
            "case_resolved",
            "case_closed",
        ]
        assert {m.to_address for m in sent} == {address} and {m.language for m in sent} == {"zh_CN"}
        assert db.session.scalar(select(FollowUp.complaint_id)) == case_id
        assert db.session.get(Customer, customer_id).email == address
    assert len(mail.received) == 6
