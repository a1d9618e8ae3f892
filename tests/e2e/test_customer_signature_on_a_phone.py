"""The customer's signature on a phone: the message for an empty drawing is where the eye is and has the
focus; a customer who cannot draw signs by typing their name, in the language they chose, which the
thanks page keeps; the sign button shows at once that it was pressed."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hk.demo import seed_demo
from hk.extensions import db
from hk.models import ServiceRecord, SignOff
from tests.e2e.conftest import log_in, shot
from tests.e2e.test_sign_on_a_phone import PASSWORD, _walk_to_signature

pytestmark = pytest.mark.e2e


def _in_view(page, test_id: str) -> bool:
    return page.get_by_test_id(test_id).evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )


def _to_review(app, live_server, page, suffix):
    with app.app_context():
        seed_demo(PASSWORD, app.config["TIMEZONE"])
    job_id, username = _walk_to_signature(app, suffix)
    log_in(page, live_server, username, PASSWORD)
    page.goto(f"{live_server}/jobs/{job_id}")
    page.get_by_test_id("to-review").click()
    # A tap before the page's scripts run is a plain post, refused by the server (the test below);
    # these tests are about the browser's own check, so the page is let finish loading.
    page.wait_for_load_state("load")
    return job_id


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 360, "height": 780}])
def test_an_empty_drawing_is_refused_in_the_browser_beside_the_box(app, live_server, phone, size):
    page = phone
    page.set_viewport_size(size)
    _to_review(app, live_server, page, "-01")
    page.get_by_test_id("signer-name").fill("周丽")
    page.get_by_test_id("consent").check()
    requests = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
    page.get_by_test_id("sign").click()
    error = page.get_by_test_id("signature-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("请在下方的框内用手指签名")
    expect(error).to_be_focused()
    assert _in_view(page, "signature-error")
    assert not [u for u in requests if u.endswith("/sign")]  # refused before sending
    # the box is right under the message
    gap = page.evaluate(
        "() => document.querySelector('canvas').getBoundingClientRect().top"
        " - document.querySelector('#signature-error').getBoundingClientRect().bottom"
    )
    assert 0 <= gap < 40
    shot(page, f"sign-empty-refused-{size['width']}")


def test_the_server_refusal_is_focused_too(app, live_server, phone):
    """Without the browser's check (a drawing too small reaches the server), the answer opens at the box."""
    page = phone
    job_id = _to_review(app, live_server, page, "-01")
    page.get_by_test_id("signer-name").fill("周丽")
    page.get_by_test_id("consent").check()
    page.evaluate(
        "() => { const f = document.querySelector('form[data-signature-form]'); f.noValidate = true; }"
    )
    # a dot: the browser sees a drawing, the server finds it too small
    pad = page.get_by_test_id("signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.click(box["x"] + 50, box["y"] + 50)
    page.get_by_test_id("sign").click()
    error = page.get_by_test_id("signature-error")
    expect(error).to_contain_text("签名太小")
    expect(error).to_be_focused()
    assert _in_view(page, "signature-error")
    assert page.url.endswith(f"/jobs/{job_id}/sign")


def test_a_customer_who_cannot_draw_signs_by_typing_in_english(app, live_server, phone):
    page = phone
    job_id = _to_review(app, live_server, page, "-03")
    page.get_by_test_id("switch-en").click()
    expect(page.get_by_role("heading", name="Please review and sign")).to_be_visible()
    expect(page.get_by_test_id("switch-en")).to_have_attribute("aria-pressed", "true")
    # by keyboard: the name, then the typed way, then the sentence
    page.get_by_test_id("signer-name").fill("Mary Wang")
    page.get_by_test_id("signer-name").focus()
    page.keyboard.press("Tab")  # to the radio group
    page.keyboard.press("ArrowDown")  # "Type my name instead"
    expect(page.get_by_test_id("method-typed")).to_be_checked()
    expect(page.get_by_test_id("signature-pad")).to_be_hidden()
    expect(page.get_by_test_id("typed-preview")).to_have_text("Mary Wang")
    expect(page.get_by_test_id("typed-consent")).to_contain_text("I, Mary Wang, have reviewed")
    page.get_by_test_id("consent").focus()
    page.keyboard.press("Space")
    expect(page.get_by_test_id("consent")).to_be_checked()
    shot(page, "sign-typed-en")
    # the request is held back, to see the button while it waits
    held = []
    page.context.route(f"**/jobs/{job_id}/sign", lambda route: held.append(route))  # through the worker too
    state = page.evaluate(
        """() => new Promise(resolve => {
          const button = document.querySelector('[data-testid=sign]');
          button.click();
          setTimeout(() => {
            button.click();  // a second tap while the first is on its way
            resolve([button.disabled, button.textContent.trim(), button.getAttribute('aria-busy')]);
          }, 100);
        })"""
    )
    assert state == [True, "Saving your signature…", "true"]  # disabled: the second tap did nothing
    for _ in range(50):  # the held request reaches the route a moment later on a busy machine
        if held:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()
    expect(page.get_by_test_id("signed")).to_be_visible(timeout=20_000)  # the signing, on a busy machine
    expect(page.get_by_role("heading", name="Thank you, Mary Wang")).to_be_visible()
    shot(page, "sign-typed-en-thanks")
    with app.app_context():
        signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == job_id))
        assert signoff.signature_kind == "typed" and signoff.language == "en"
        assert db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == job_id)).language == "en"
