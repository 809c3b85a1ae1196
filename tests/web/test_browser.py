"""The main flow in a real headless Chromium, against a live server and a real job consumer.

Jobs run in a Huey consumer started in this process (`becoming.web.server.start_consumer`),
on a queue file of the test's own, so the web pages and the worker share the test database.
Screenshots go to docs/screenshots/ when SAVE_SCREENSHOTS=1.
"""

import re

import pytest
from browser import shot
from web_data import MODEL


def set_model(page, text):
    page.fill("#model-text", text)
    page.click("text=Validate & preview")


@pytest.mark.django_db(transaction=True)
def test_main_flow(page, live_server, consumer, workspace, owner, tmp_path):
    from playwright.sync_api import expect
    from web_data import load_data

    from becoming.customers.models import Customer

    files = tmp_path / "files"
    files.mkdir()
    load_data(workspace, files, owner)
    base = f"{live_server.url}/w/{workspace.slug}"

    # Sign in: lands on the dashboard with its charts.
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "owner@acme.test")
    page.fill("input[name=password]", "pw")
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Acme Industrial")
    expect(page.locator("#index-chart")).to_be_visible()
    expect(page.locator(".move-up").first).to_be_visible()
    shot(page, "dashboard")

    # Customers: search as you type narrows the table without a page load.
    page.click("nav >> text=Customers")
    expect(page.locator("table.customers tbody tr")).to_have_count(50)
    shot(page, "customers")
    page.locator("input[name=q]").press_sequentially("0045", delay=40)
    expect(page.locator("table.customers tbody tr")).to_have_count(1)
    assert "q=0045" in page.url
    page.click("text=Customer 0045")
    expect(page.locator("h1")).to_have_text("Customer 0045")
    expect(page.locator(".ladder li.current").first).to_be_visible()
    expect(page.locator("text=report_exported").first).to_be_visible()
    shot(page, "customer")

    # Model: a mistake shows its line; the fix previews and applies.
    page.goto(f"{base}/model/")
    set_model(page, MODEL.replace("target: regular", "target: expert"))
    expect(page.locator("#preview .error-box")).to_contain_text("line 5")
    expect(page.locator("#preview .error-box")).to_contain_text("expert")
    set_model(page, MODEL.replace("within: 30d, at_least: 3", "within: 30d, at_least: 2"))
    expect(page.locator("#preview")).to_contain_text("The model is valid")
    expect(page.locator("#preview table.preview")).to_be_visible()
    shot(page, "model")
    page.click("button:has-text('Apply as version 2')")
    expect(page.locator(".msg-success")).to_contain_text("Applied as version 2")

    # Import with a bad row: the dry run names the row and column; nothing lands.
    before = Customer.objects.count()
    bad = files / "bad.csv"
    bad.write_text("customer_id,name,plan\nN1,New one,pro\n,Nameless,free\nN3,New three,pro\n")
    upload(page, base, bad)
    page.click("button:has-text('Dry run')")
    expect(page.locator("#dry-run-result")).to_contain_text('row 3, column "customer_id"')
    assert Customer.objects.count() == before

    # A good file: dry run, import, and watch the job reach done.
    good = files / "good.csv"
    good.write_text("customer_id,name,plan\nN1,New one,pro\nN2,New two,free\nN3,New three,pro\n")
    upload(page, base, good)
    page.click("button:has-text('Dry run')")
    expect(page.locator("#dry-run-result")).to_contain_text("3 rows OK")
    page.click("button:has-text('Import')")
    expect(page.locator(".job .badge")).to_have_text("done", timeout=30_000)
    expect(page.locator(".job .result")).to_contain_text("3")
    assert Customer.objects.count() == before + 3
    page.goto(f"{base}/imports/")
    shot(page, "imports")


def upload(page, base, path):
    from playwright.sync_api import expect

    page.goto(f"{base}/imports/")
    page.check("input[value=customers]")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('Upload and map columns')")
    expect(page).to_have_url(re.compile(r"/imports/\d+/map/$"))
