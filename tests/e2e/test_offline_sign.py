"""The customer reviews, signs and hands the phone back without signal; the signature reaches the
server later with what the customer saw, and the record keeps both times (issue #15)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hk.extensions import db
from hk.models import Event, LoginSession, ServiceRecord, SignOff
from hk.records.shown import canonical, shown_view
from tests.builders import PASSWORD
from tests.e2e.conftest import shot
from tests.e2e.offline_world import open_job
from tests.e2e.test_sign_on_a_phone import _draw

pytestmark = pytest.mark.e2e

WORDS = {
    "zh_CN": {
        "review": "请核对并签字",
        "name": "周丽",
        "thanks": "您的签字已保存在这部手机上",
        "wrong": "密码错误",
        "switch": ("switch-en", "有信号时才能切换语言"),
    },
    "en": {
        "review": "Please review and sign",
        "name": "Zhou Li",
        "thanks": "Your signature is kept",
        "wrong": "Wrong",
        "switch": ("switch-zh", "when the phone has signal"),
    },
}


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_customer_signs_offline_and_the_record_is_made_when_the_signal_returns(
    app, signing_world, live_server, phone, lang
):
    page, world, words = phone, signing_world, WORDS[lang]
    job_url = f"{live_server}/jobs/{world.job.id}"
    open_job(page, live_server, world)  # logging in made the phone's key for taking it back offline
    page.evaluate("navigator.serviceWorker.ready")
    page.goto(job_url)  # the service worker keeps the job's screen
    page.get_by_test_id("to-review").click()
    if lang == "en":
        page.get_by_test_id("switch-en").click()
    expect(page.get_by_role("heading", name=words["review"])).to_be_visible()
    page.wait_for_load_state("networkidle")  # the review's view is kept on the phone

    page.context.set_offline(True)
    page.reload()  # from the service worker's cache; drawn from the kept view
    expect(page.locator("[data-review-waiting]")).to_be_visible()
    expect(page.locator("details.review-stage")).to_have_count(len(world.job.stages))
    shot(page, f"offline-review-{lang}")
    other, says = words["switch"]
    page.get_by_test_id(other).click()  # the language switch needs the server: it says so, nothing breaks
    expect(page.locator("[data-review-waiting]")).to_contain_text(says)
    page.get_by_test_id("signer-name").fill(words["name"])
    _draw(page)
    page.get_by_test_id("consent").check()
    page.get_by_test_id("sign").click()
    thanks = page.get_by_test_id("offline-thanks")
    expect(thanks).to_be_visible()
    expect(thanks).to_contain_text(words["thanks"])
    expect(thanks).to_contain_text(words["name"])
    shot(page, f"offline-thanks-{lang}")

    page.reload()  # still offline: the signature waits, the thanks page stays
    expect(page.get_by_test_id("offline-thanks")).to_be_visible()
    assert db.session.scalar(select(SignOff).where(SignOff.job_id == world.job.id)) is None

    page.get_by_test_id("take-back").click()
    expect(page.get_by_test_id("offline-handback")).to_be_visible()
    page.get_by_test_id("handback-password").fill("not-the-password")
    page.get_by_test_id("handback").click()
    expect(page.get_by_test_id("handback-error")).to_contain_text(words["wrong"])
    shot(page, f"offline-handback-{lang}")
    page.get_by_test_id("handback-password").fill(PASSWORD)
    page.get_by_test_id("handback").click()
    page.wait_for_url(job_url)

    page.context.set_offline(False)
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "saved", timeout=60_000)
    db.session.rollback()
    signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == world.job.id))
    assert signoff is not None and signoff.language == lang and signoff.signer_name == words["name"]
    assert signoff.received_at is not None and signoff.signed_at < signoff.received_at  # both times
    job = signoff.job
    assert signoff.shown_json == canonical(shown_view(job))  # the phone built the server's view exactly
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == job.id))
    assert record.render_status == "done", record.render_error
    ended = db.session.scalar(
        select(Event).where(Event.subject_id == job.id, Event.action == "customer_mode.end")
    )
    assert ended.data == {"offline": True} and ended.happened_at is not None
    assert (
        db.session.scalar(select(LoginSession.customer_job_id).where(LoginSession.ended_at.is_(None))) is None
    )
    verified = app.test_cli_runner().invoke(args=["hk", "verify-chain"])
    assert verified.exit_code == 0, verified.output


def test_a_signature_made_offline_on_a_job_changed_meanwhile_is_asked_again(
    app, signing_world, live_server, phone
):
    """The server's view differs when the signature arrives: nothing is signed, the customer is told
    what changed (in their language, then the worker's) and signs the review as it is now."""
    from hk.models import HandoverItem

    page, world = phone, signing_world
    open_job(page, live_server, world)
    page.evaluate("navigator.serviceWorker.ready")
    page.goto(f"{live_server}/jobs/{world.job.id}")
    page.get_by_test_id("to-review").click()
    page.get_by_test_id("switch-en").click()
    expect(page.get_by_role("heading", name="Please review and sign")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.context.set_offline(True)
    page.reload()
    page.get_by_test_id("signer-name").fill("Zhou Li")
    page.get_by_test_id("method-typed").check()
    page.get_by_test_id("consent").check()
    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("offline-thanks")).to_be_visible()
    # meanwhile the office added a key handed back, which the customer never saw
    db.session.add(HandoverItem(job_id=world.job.id, description="门禁卡", quantity=1, client_key="office-1"))
    db.session.commit()

    page.context.set_offline(False)
    refusal = page.get_by_test_id("refusals")
    expect(refusal).to_contain_text("review it again and sign", timeout=60_000)
    expect(refusal).to_contain_text("请让客户重新核对并签字")  # and in the worker's language
    expect(refusal).to_contain_text("handed back")
    expect(page.locator("[data-review-handover]")).to_contain_text("门禁卡")  # the review as it is now
    shot(page, "offline-sign-changed-en")
    db.session.rollback()
    assert db.session.scalar(select(SignOff).where(SignOff.job_id == world.job.id)) is None
    page.get_by_test_id("signer-name").fill("Zhou Li")
    page.get_by_test_id("method-typed").check()
    page.get_by_test_id("consent").check()
    page.get_by_test_id("sign").click()  # with signal: the usual way
    page.wait_for_url(f"{live_server}/jobs/{world.job.id}/signed")
    db.session.rollback()
    signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == world.job.id))
    assert signoff is not None and signoff.signature_kind == "typed" and signoff.received_at is None
