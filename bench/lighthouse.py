"""Lighthouse (mobile) on the worker's and the customer's pages: accessibility and performance scores.

    .venv/bin/python bench/lighthouse.py [--runs 1] [--lang zh_CN|en] [--out DIR]

Serves hk in this process (an app of its own on a temporary SQLite file, werkzeug's threaded server,
the company tests/e2e/fit_world.py makes: a worker's jobs in every state, a signed job with its
record), logs in through a headless Chromium to get the worker's and the customer's session
cookies (the customer's: a second login handed to the customer for a job, customer mode), then
runs npm's `lighthouse` 12.2.3 (through `npx`, which fetches it once into npm's cache; 13 needs
Node 22) with Debian's Chromium (CHROME_PATH=/usr/bin/chromium, --headless=new --no-sandbox), its
default mobile settings (a mid-range phone, simulated slow 4G and a 4× slower CPU) on:
/today, a cleaning stage of a job, the customer's review page, and the customer's record page
/r/<token>. Prints each page's scores (the median of --runs) and writes the reports (JSON) to --out.

Performance depends on how busy the machine is; accessibility does not.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.fit_world import start_world  # noqa: E402

LIGHTHOUSE = "lighthouse@12.2.3"
CATEGORIES = ("performance", "accessibility")


def _cookie_header(context) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())


def _sessions(world, lang: str) -> dict[str, str]:
    """The Cookie headers of the worker's login and of a second login handed to the customer."""
    company = world.companies[lang]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cookies = {}
        for who in ("worker", "customer"):
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{world.base}/login")
            page.fill("#username", company.username)
            page.fill("#password", world.password)
            page.click("button[type=submit].btn-primary")
            page.wait_for_url(lambda url: "/login" not in url)
            if who == "customer":
                page.goto(f"{world.base}/jobs/{company.jobs['hand_over']}")
                page.get_by_test_id("to-review").click()
                page.wait_for_url("**/review**")
            cookies[who] = _cookie_header(context)
            context.close()
        browser.close()
    return cookies


def _lighthouse(url: str, cookie: str | None, report: Path) -> dict[str, float]:
    command = [
        "npx",
        "--yes",
        LIGHTHOUSE,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(command, check=True, env=env, cwd=tempfile.gettempdir())  # noqa: S603 (our own arguments)
    result = json.loads(report.read_text())
    return {name: result["categories"][name]["score"] * 100 for name in CATEGORIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN")
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="hk-lighthouse-")))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    world, stop = start_world(Path(tempfile.mkdtemp(prefix="hk-lighthouse-app-")))
    try:
        company = world.companies[args.lang]
        cookies = _sessions(world, args.lang)
        pages = {
            "today": ("/today", cookies["worker"]),
            "job stage": (f"/jobs/{company.jobs['cleaning']}/stages/kitchen", cookies["worker"]),
            "review": (f"/jobs/{company.jobs['hand_over']}/review", cookies["customer"]),
            "record": (company.record_path, None),
        }
        print(f"{'page':<12}{'performance':>13}{'accessibility':>15}   ({args.runs} run(s), {args.lang})")
        for name, (path, cookie) in pages.items():
            scores = [
                _lighthouse(f"{world.base}{path}", cookie, args.out / f"{name.replace(' ', '-')}-{n}.json")
                for n in range(args.runs)
            ]
            perf = statistics.median(s["performance"] for s in scores)
            a11y = statistics.median(s["accessibility"] for s in scores)
            print(f"{name:<12}{perf:>13.0f}{a11y:>15.0f}")
        print(f"reports: {args.out}")
    finally:
        stop()


if __name__ == "__main__":
    main()
