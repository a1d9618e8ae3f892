"""Two answers to one safety item in a row (Safe, then N/A) on a slow network: the screen and the
screen reader end on the last one. The first answer's reply used to arrive while the second was still
being stored on the phone: it was shown and read out ("Safe") after "N/A" had been, and the second's
own reply was then taken for an echo and not read: a screen-reader user heard the wrong answer last."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hk.demo import seed_demo
from tests.e2e.test_job_on_a_phone import PASSWORD, _at_a_safety_item_allowing_na, phone_jpeg

# The phone stores its second answer slowly (1.5 s), as a busy phone's IndexedDB may.
SLOW_STORE = """() => {
window.hkOutbox.add = (function (add) {
  return function (entry) {
    return new Promise(function (r) { setTimeout(r, 1500); }).then(function () { return add(entry); });
  };
})(window.hkOutbox.add);
}"""


@pytest.fixture
def demo(app):
    seed_demo(PASSWORD, app.config["TIMEZONE"])


def test_the_last_of_two_answers_is_shown_and_read_out_when_the_first_reply_comes_late(
    app, demo, live_server, phone, tmp_path
):
    page = phone
    photo_path = phone_jpeg(tmp_path / "IMG_0003.jpg")
    code, label = _at_a_safety_item_allowing_na(app, page, live_server, photo_path)

    held = []
    page.context.route(
        f"**/stages/*/items/{code}",
        lambda route: held.append(route) if not held else route.continue_(),
    )
    page.locator(f"#safe-{code}").click()
    expect(page.get_by_test_id("live")).to_contain_text(f"安全：{label}")
    for _ in range(50):  # the request reaches the route a moment later on a busy machine
        if held:
            break
        page.wait_for_timeout(100)
    assert len(held) == 1
    page.evaluate(SLOW_STORE)
    page.locator(f"#na-{code}").click()
    expect(page.get_by_test_id("live")).to_contain_text(f"不适用：{label}")
    held[0].continue_()  # the first reply arrives while the second answer is still being stored
    page.wait_for_timeout(500)
    expect(page.locator(f"#na-{code}")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("live")).to_contain_text(f"不适用：{label}")
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "saved", timeout=15_000)
    expect(page.locator(f"#na-{code}")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#safe-{code}")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_test_id("live")).to_contain_text(f"不适用：{label}")
