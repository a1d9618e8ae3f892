"""A worker's phone shows at once that an action was taken (login, step complete), and the job card and
job screen call and navigate with targets a gloved finger can hit."""

import re

import pytest
from playwright.sync_api import expect

from hk.demo import seed_demo
from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e
PASSWORD = "demo-e2e-password"


@pytest.fixture
def demo(app):
    with app.app_context():
        seed_demo(PASSWORD, app.config["TIMEZONE"])


def _held(page, pattern):
    """Hold back the requests to `pattern`, to see the page while it waits for the answer.

    (On the context: a page the service worker controls sends its requests through it.)"""
    held = []
    page.context.route(
        pattern, lambda route: held.append(route) if route.request.method == "POST" else route.continue_()
    )
    return held


def _sent(page, held: list, seconds: float = 10) -> int:
    """How many requests were held once the first arrives (the login derives its hand-back key
    before it sends, a few hundred milliseconds on a busy machine)."""
    for _ in range(int(seconds * 10)):
        if held:
            break
        page.wait_for_timeout(100)
    return len(held)


def _state_after_tap(page, selector: str) -> list:
    """Tap, then read the button as the person sees it a moment later (the answer is held back)."""
    return page.evaluate(
        """selector => new Promise(resolve => {
          const button = document.querySelector(selector);
          button.click();
          setTimeout(() => resolve([button.disabled, button.textContent.trim(),
                                    button.classList.contains('is-busy')]), 100);
        })""",
        selector,
    )


def test_login_shows_at_once_that_it_was_tapped(demo, live_server, phone):
    page = phone
    page.goto(f"{live_server}/login")
    page.get_by_label("用户名").fill("worker1")
    page.get_by_label("密码").fill(PASSWORD)
    held = _held(page, "**/login")
    assert _state_after_tap(page, "form[data-busy] button[type=submit]") == [True, "正在登录…", True]
    assert _sent(page, held) == 1
    held[0].continue_()
    page.wait_for_url(re.compile(r"/today$|/$"))
    expect(page.get_by_test_id("job-list")).to_be_visible()


def test_step_complete_is_busy_until_its_answer_and_the_focus_goes_to_the_refusal(demo, live_server, phone):
    from tests.e2e.conftest import log_in

    page = phone
    log_in(page, live_server, "worker1", PASSWORD)
    page.get_by_test_id("open-job").first.click()
    page.get_by_test_id("check-in").click()
    page.wait_for_url(re.compile(r"/stages/pre_service$"))
    held = _held(page, "**/stages/pre_service/complete")
    page.get_by_test_id("complete-stage").focus()
    busy = _state_after_tap(page, "[data-testid=complete-stage]")
    assert busy[0] is True and busy[2] is True
    assert len(held) == 1
    # Let it go, and what follows straight through: sent by the service worker (Background Sync), the
    # first try has no CSRF token and is sent again with a fresh one, which was held too in CI once.
    held[0].continue_()
    page.context.unroute("**/stages/pre_service/complete")  # also lets go of any held since
    expect(page.get_by_test_id("complete-stage")).to_be_enabled()
    expect(page.get_by_test_id("complete-stage")).not_to_have_class(re.compile("is-busy"))
    # nothing is ticked yet: the refusal that lists what is missing takes the focus (not <body>)
    expect(page.locator("[data-focus-on-show]")).to_be_focused()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 360, "height": 780}])
def test_call_and_map_are_on_the_card_and_the_job_screen(demo, live_server, phone, lang, size):
    from tests.e2e.conftest import log_in

    page = phone
    page.set_viewport_size(size)
    log_in(page, live_server, "worker1", PASSWORD)
    if lang == "en":
        page.get_by_test_id("switch-en").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.wait_for_load_state()  # sizes are measured on the page in English, styled
    card = page.get_by_test_id("job-card").first
    for link in (card.get_by_test_id("call"), card.get_by_test_id("map")):
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
    assert card.get_by_test_id("call").get_attribute("href").startswith("tel:")
    assert card.get_by_test_id("map").get_attribute("href").startswith("https://uri.amap.com/search?keyword=")
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    shot(page, f"today-contact-{lang}-{size['width']}")
    card.get_by_test_id("open-job").click()
    page.wait_for_load_state("load")  # measured once the page's style sheet applies, not mid-load
    call = page.get_by_test_id("call")
    expect(call).to_contain_text("致电公司" if lang == "zh_CN" else "Call office")
    assert call.bounding_box()["height"] >= 44 and page.get_by_test_id("map").bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    page.screenshot(path=f"test-artifacts/job-contact-{lang}-{size['width']}.png")
