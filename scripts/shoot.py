"""Screenshot pages at phone size: python scripts/shoot.py URL USER PASSWORD OUTDIR [PATH…]."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    base, user, password, out = sys.argv[1:5]
    paths = sys.argv[5:] or ["/"]
    Path(out).mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1, locale="zh-CN")
        page.goto(base + "/login")
        page.screenshot(path=f"{out}/login.png", full_page=True)
        page.fill("#username", user)
        page.fill("#password", password)
        page.click("button[type=submit].btn-primary")
        page.wait_for_load_state()
        for path in paths:
            page.goto(base + path)
            name = path.strip("/").replace("/", "_") or "home"
            page.screenshot(path=f"{out}/{user}-{name}.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
