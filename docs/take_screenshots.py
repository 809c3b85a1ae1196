"""Take the README's screenshots of the demo workspace, in Debian's headless Chromium.

    BECOMING_HOME=/tmp/demo .venv/bin/becoming demo --no-serve      # build the demo once
    BECOMING_HOME=/tmp/demo .venv/bin/becoming serve --port 8010 &  # serve it
    .venv/bin/python docs/take_screenshots.py http://127.0.0.1:8010

Writes docs/screenshots/demo-*.png (1280 × 800 pages, full height where the page is long;
phone shots at 390 px).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

SHOTS = Path(__file__).resolve().parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
CSM = "ana.costa@fieldwise.example"
ADMIN = "demo@becoming.local"


def sign_in(page, base: str, email: str) -> str:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", "demo")
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/w/**")
    return "/".join(page.url.split("/")[:5])  # http://host/w/<slug>


def take(page, url: str, name: str, full: bool = False) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # charts finish drawing
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)
    print(name, url)


def main(base: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        desk = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        ws = sign_in(desk, base, ADMIN)
        take(desk, f"{ws}/", "demo-dashboard")
        take(desk, f"{ws}/customers/?sort=-index", "demo-customers")
        first = desk.locator("table.customers tbody tr a").first.get_attribute("href")
        take(desk, base + first, "demo-customer")
        desk.evaluate("document.getElementById('timeline').scrollIntoView()")
        desk.screenshot(path=str(SHOTS / "demo-customer-timeline.png"))
        take(desk, f"{ws}/themes/", "demo-themes")
        take(desk, f"{ws}/outcomes/", "demo-outcomes")
        take(desk, f"{ws}/levers/effects/", "demo-levers-effects")
        take(desk, f"{ws}/levers/queue/", "demo-levers-queue")
        take(desk, f"{ws}/segments/", "demo-segments")
        take(desk, f"{ws}/model/form/", "demo-model-form")
        take(desk, f"{ws}/alerts/", "demo-alerts")

        csm = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        ws = sign_in(csm, base, CSM)
        take(csm, csm.url, "demo-my-accounts")

        phone = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True,
                                    has_touch=True, device_scale_factor=2).new_page()
        ws = sign_in(phone, base, ADMIN)
        take(phone, f"{ws}/", "demo-dashboard-phone")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8010")
