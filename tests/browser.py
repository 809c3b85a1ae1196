"""Shared plumbing of the browser tests: Debian's Chromium driven by Playwright, a real job
consumer, screenshots. The fixtures are registered in tests/conftest.py.

Chromium is never downloaded: it is Debian's package at /usr/bin/chromium (`make test`
installs it). Without it the browser tests skip, except in CI, where that is a failure.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# Without the background-networking flags Chromium keeps calling out of a closed network.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def need_chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt install chromium); browser tests skipped")


@contextmanager
def chromium_page(monkeypatch, **context):
    """A fresh page in headless Chromium; `context` goes to browser.new_context."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test
    # (fixtures, checks) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **context})
        ctx.set_default_timeout(15_000)
        try:
            yield ctx.new_page()
        finally:
            browser.close()


@pytest.fixture
def page(monkeypatch):
    with chromium_page(monkeypatch) as p:
        yield p


@pytest.fixture
def phone(monkeypatch):
    with chromium_page(monkeypatch, viewport={"width": 375, "height": 740}, is_mobile=True,
                       has_touch=True, device_scale_factor=2) as p:
        yield p


@pytest.fixture
def consumer(tmp_path):
    """A real Huey consumer on a queue file of this test's own."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import SqliteStorage

    from becoming.web.server import start_consumer

    saved = HUEY.storage
    HUEY.storage = SqliteStorage(name="becoming-test", filename=str(tmp_path / "queue.sqlite3"))
    running = start_consumer()
    yield running
    running.stop(graceful=True)
    HUEY.storage = saved


def shot(page, name):
    """Save a screenshot into docs/screenshots/ when SAVE_SCREENSHOTS=1."""
    if os.environ.get("SAVE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def problems_on(page, url: str, width_limit: int = 390) -> list[str]:
    """What is wrong with the page at ``url`` on a phone: wider than ``width_limit`` (it
    scrolls sideways), or a serious or critical axe-core violation (axe vendored in
    tests/vendor)."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    found = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > width_limit + 1:
        wide = page.evaluate("""(limit) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit + 1 && getComputedStyle(e).position !== 'fixed')
            .filter(e => !e.closest('.table-scroll, pre, .chart-box'))
            .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : ''))""", width_limit)
        found.append(f"{url}: {width}px wide at {width_limit}px ({', '.join(wide)})")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ' (' + v.impact + ') on ' + v.nodes.length + ': ' + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(' | '))""")
    found += [f"{url}: {v}" for v in violations]
    return found
