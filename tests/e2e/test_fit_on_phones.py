"""Every worker and customer screen fits a small phone, gloved fingers and sunlight (issue #14, "Done when").

On each screen, in both languages, at 390×844 and 360×780 CSS px (a test per screen, language and
size, so a failure names all three):
- no sideways scroll: document.scrollingElement.scrollWidth <= innerWidth;
- every visible target (a, button, input, select, textarea, summary, [role=button], …) at least
  44×44 CSS px; a control inside its label is measured by the label's box, as the whole label
  takes the tap. The one exception: a link inside a sentence (WCAG 2.5.8's inline exception), whose
  height the line of text sets;
- every visible text at least 14 px, and at least 4.5:1 against the background behind it (axe's
  own check leaves out disabled controls and text over a canvas: the locked steps, the signature hint);
- axe-core (npm's, injected from node_modules) finds nothing serious or critical.
The page is measured as it loads, and again with every <details> open (notes, the refusal form…).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS, shot
from tests.e2e.fit_world import LANGS, SIZES, World, sign_now, start_world

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHECKS = (Path(__file__).with_name("fit_checks.js")).read_text()
AXE_SERIOUS = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => `${v.impact} ${v.id}: ${v.help} — `
    + v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(', '))"""
BROWSER_LOCALE = {"zh_CN": "zh-CN", "en": "en-US"}

# screen: (who looks at it, the address or what to do to get there)
WORKER_JOB_SCREENS = ("checkin", "pre_service", "safety", "cleaning", "handover", "hand_over")
SCREENS = (
    "login",
    "today",
    *WORKER_JOB_SCREENS,
    "incident_kinds",
    "incident_form",
    "review",
    "sign_refused",
    "take_back",
    "thanks",
    "record",
    "verify",
    "verify_code",
)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/setup.sh --test (npm ci installs axe-core)")
    made, stop = start_world(tmp_path_factory.mktemp("fit"))
    yield made
    stop()


def _log_in(page, world: World, username: str) -> None:
    page.goto(f"{world.base}/login")
    page.fill("#username", username)
    page.fill("#password", world.password)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(lambda url: "/login" not in url)


def _hand_over(page, world: World, job_id: int) -> None:
    """The worker gives the phone to the customer on the job's page (customer mode)."""
    page.goto(f"{world.base}/jobs/{job_id}")
    page.get_by_test_id("to-review").click()
    page.wait_for_url(f"**/jobs/{job_id}/review**")


def _context(browser, lang: str, size: str):
    """A phone in the language's locale. CSP is bypassed only so that axe-core can be injected."""
    context = browser.new_context(
        viewport=SIZES[size],
        device_scale_factor=1,
        locale=BROWSER_LOCALE[lang],
        has_touch=True,
        bypass_csp=True,
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture(scope="module")
def pages(browser, world):
    """Pages kept for the module, one per (who, language): a stranger, the worker, the customer."""
    made, contexts = {}, []

    def get(who: str, lang: str):
        if (who, lang) not in made:
            context = _context(browser, lang, "390x844")
            contexts.append(context)
            page = context.new_page()
            company = world.companies[lang]
            if who in ("worker", "customer"):
                _log_in(page, world, company.username)
            if who == "supervisor":
                _log_in(page, world, company.supervisor)
            if who == "customer":
                _hand_over(page, world, company.jobs["hand_over"])
            made[who, lang] = page
        return made[who, lang]

    yield get
    for context in contexts:
        context.close()


def _go(page, world: World, path: str) -> None:
    response = page.goto(f"{world.base}{path}")
    assert response is not None and response.status < 500, f"{path} answered {response and response.status}"


def _open_screen(screen: str, lang: str, size: str, world: World, pages, browser):
    """Bring a page to the screen; returns the page (and a context to close, for one-off pages)."""
    company = world.companies[lang]
    if screen in ("login", "record", "verify", "verify_code"):
        page = pages("stranger", lang)
        page.set_viewport_size(SIZES[size])
        path = {
            "login": "/login",
            "record": company.record_path,
            "verify": "/verify",
            "verify_code": f"/verify/{company.record_code}",
        }[screen]
        _go(page, world, path)
        return page, None
    if screen in ("review", "sign_refused", "take_back"):
        page = pages("customer", lang)
        page.set_viewport_size(SIZES[size])
        job_id = company.jobs["hand_over"]
        if screen == "take_back":
            _go(page, world, "/customer-mode/hand-back")
        else:
            _go(page, world, f"/jobs/{job_id}/review")
        if screen == "sign_refused":  # "sign" with no name, no consent, no drawing
            page.get_by_test_id("sign").click()  # refused on the phone, or by the server after a reload
            page.locator(".field-error:not([hidden]), .sign-errors, [data-testid=refusals]").first.wait_for()
        return page, None
    if screen == "thanks":  # a job of its own: handed over, signed, its record made
        context = _context(browser, lang, size)
        page = context.new_page()
        job_id = company.to_sign[size]
        _log_in(page, world, company.username)
        _hand_over(page, world, job_id)
        sign_now(world, job_id, lang)
        _go(page, world, f"/jobs/{job_id}/signed")
        return page, context
    page = pages("worker", lang)
    page.set_viewport_size(SIZES[size])
    if screen == "today":
        path = "/today"
    elif screen in WORKER_JOB_SCREENS:
        path = f"/jobs/{company.jobs[screen]}"
    elif screen == "incident_kinds":
        path = f"/jobs/{company.jobs['cleaning']}/incidents/new"
    else:  # incident_form: the kind chosen, its plan and the report's fields
        path = f"/jobs/{company.jobs['cleaning']}/incidents/new?type=fire"
    _go(page, world, path)
    return page, None


def _problems(page, exceptions: set[str]) -> list[str]:
    """What fails on the page; the targets let off by the inline exception are added to `exceptions`."""
    found = []
    for when in ("as loaded", "every <details> open"):
        if when != "as loaded":
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        result = page.evaluate(CHECKS)
        exceptions.update(result["exceptions"])
        scroll = result["scroll"]
        if scroll["width"] > scroll["viewport"]:
            found.append(f"[{when}] scrolls sideways: {scroll['width']} px wide in {scroll['viewport']} px")
        found += [f"[{when}] target under 44×44: {t}" for t in result["targets"]]
        found += [f"[{when}] text under 14 px: {t}" for t in result["text"]]
        found += [f"[{when}] text under 4.5:1 contrast: {t}" for t in result["faint"]]
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_SERIOUS)
    found += [f"axe {v}" for v in violations]
    return found


@pytest.mark.parametrize(
    ("screen", "lang", "size"),
    [
        pytest.param(s, lang, size, id=f"{s}-{lang}-{size}")
        for s in SCREENS
        for lang in LANGS
        for size in SIZES
    ],
)
def test_the_screen_fits_a_phone(screen, lang, size, world, pages, browser):
    page, own_context = _open_screen(screen, lang, size, world, pages, browser)
    try:
        shot(page, f"fit-{screen}-{lang}-{size}")
        exceptions: set[str] = set()
        problems = _problems(page, exceptions)
        if exceptions:  # kept for a person to judge: each must be a link inside a sentence
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / f"fit-exceptions-{screen}-{lang}-{size}.txt").write_text(
                "\n".join(sorted(exceptions))
            )
    finally:
        if own_context is not None:
            own_context.close()
    assert not problems, f"{screen} in {lang} at {size}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_a_tick_row_ticks_wherever_it_is_tapped(lang, world, pages):
    """Item 4: the consent row is one target: its far end, and the grey padding beside the box, tick."""
    page = pages("customer", lang)
    page.set_viewport_size(SIZES["360x780"])
    _go(page, world, f"/jobs/{world.companies[lang].jobs['hand_over']}/review")
    box = page.get_by_test_id("consent")
    row = page.locator("label[for=consent]")
    row.scroll_into_view_if_needed()
    area, tick = row.bounding_box(), box.bounding_box()
    grey = page.locator(".big-check", has=box).bounding_box()
    assert area["height"] >= 44
    assert grey["width"] - area["width"] <= 4 and grey["height"] - area["height"] <= 4  # the label fills it
    page.touchscreen.tap(area["x"] + area["width"] - 6, area["y"] + area["height"] - 6)  # the far corner
    assert box.is_checked()
    page.touchscreen.tap(tick["x"] - 6, tick["y"] + tick["height"] + 4)  # the padding beside the box
    assert not box.is_checked()
    page.touchscreen.tap(tick["x"] + tick["width"] / 2, tick["y"] + tick["height"] / 2)  # the box itself
    assert box.is_checked()
    page.reload()


SUPERVISOR_SCREENS = (
    "/overview",
    "/records",
    "/office/customers",
    "/office/workers",
    "/office/staff",
    "/incidents",
)
# Each table on a phone either fits its card or is read as stacked cards; nothing scrolls sideways.
TABLES = """() => [...document.querySelectorAll('.table-wrap, table')]
  .filter(el => el.scrollWidth > el.clientWidth + 1)
  .map(el => `${el.dataset.testid || el.className}: ${el.scrollWidth} px in ${el.clientWidth}`)"""


@pytest.mark.parametrize(
    ("path", "lang"),
    [pytest.param(p, lang, id=f"{p.strip('/')}-{lang}") for p in SUPERVISOR_SCREENS for lang in LANGS],
)
def test_a_supervisor_screen_reads_on_a_small_phone(path, lang, world, pages):
    """Below 600 px the lists are cards with their columns' names; the records' filter is folded."""
    page = pages("supervisor", lang)
    page.set_viewport_size(SIZES["360x780"])
    _go(page, world, path)
    shot(page, f"fit-supervisor-{path.strip('/').replace('/', '_')}-{lang}")
    scroll = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    assert scroll[0] <= scroll[1], f"{path} in {lang} scrolls sideways: {scroll[0]} px in {scroll[1]}"
    assert page.evaluate(TABLES) == []
    for cell in page.locator(".table-stack tbody td[data-label]").all()[:12]:
        label = page.evaluate("td => getComputedStyle(td, '::before').content", cell.element_handle())
        assert label.strip('"') == cell.get_attribute("data-label")
    if path == "/records":
        assert page.get_by_test_id("records-filter").get_attribute("open") is None
        assert page.get_by_test_id("records-filter").bounding_box()["height"] < 80


BAD_PAGE = """<!doctype html><html lang="en"><body style="margin:0">
<div style="width:500px">A row wider than the phone</div>
<button style="width:30px;height:30px">x</button>
<p style="font-size:12px">Small print</p>
<p style="color:#aaa">Faint grey</p>
<p>Read <a href="/terms">the terms</a> in a sentence.</p>
<label style="display:block;padding:12px 0"><input type="checkbox"> A whole-row label</label>
</body></html>"""


def test_the_checks_find_what_they_look_for(browser):
    """The sweep is not vacuous: a page made of the faults it looks for is caught on each."""
    page = browser.new_page(viewport=SIZES["360x780"])
    try:
        page.set_content(BAD_PAGE)
        result = page.evaluate(CHECKS)
        page.add_script_tag(path=str(AXE))
        rules = page.evaluate("async () => (await axe.run(document)).violations.map(v => v.id)")
    finally:
        page.close()
    assert result["scroll"]["width"] > result["scroll"]["viewport"]
    assert result["targets"] == ['<button> "x" 30×30']
    assert len(result["exceptions"]) == 1
    assert result["exceptions"][0].startswith('<a> "the terms"')
    assert result["exceptions"][0].endswith("inline link in running text")
    assert any("Small print" in t and "12.00px" in t for t in result["text"])
    assert any("Faint grey" in t for t in result["faint"])
    assert "color-contrast" in rules
