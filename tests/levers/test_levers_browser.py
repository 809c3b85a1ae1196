"""The work queue in headless Chromium: accept, snooze, dismiss, a task done; then the effects
chart and a playbook's dry run. Screenshots (levers-queue.png, levers-effects.png) go to
docs/screenshots/ when SAVE_SCREENSHOTS=1."""

import pytest
from browser import shot

PLAYBOOK = """key: regulars
name: Keep regulars
trigger:
  criterion:
    event: {type: report_exported, within: 365d, at_least: 1}
steps:
  - task: {title: Thank them}
"""


@pytest.mark.django_db(transaction=True)
def test_work_queue_accept_snooze_dismiss(page, live_server, planted, member):
    from playwright.sync_api import expect

    from becoming.levers.models import Decision, Task

    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "member@acme.test")
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    base = f"{live_server.url}/w/{planted.slug}"
    page.goto(f"{base}/levers/queue/", timeout=120_000)
    rows = page.locator("tr.queue-row")
    expect(rows.first).to_contain_text("Meetings")
    names = [rows.nth(i).locator("td").first.inner_text() for i in range(3)]
    shot(page, "levers-queue")
    rows.nth(0).locator("button:has-text('Accept')").click()
    expect(rows.nth(0).locator(".decided")).to_contain_text("Task added, due")
    rows.nth(1).locator("button:has-text('Snooze')").click()
    expect(rows.nth(1).locator(".decided")).to_contain_text("Snoozed until")
    rows.nth(2).locator("button:has-text('Dismiss')").click()
    expect(rows.nth(2).locator(".decided")).to_have_text("Dismissed")
    assert Decision.objects.filter(workspace=planted).count() == 3
    assert Task.objects.filter(workspace=planted, status="open").count() == 1

    page.reload()
    task = page.locator("tr.task-row")
    expect(task).to_have_count(1)
    expect(task).to_contain_text(names[0])
    task.locator("button:has-text('Done')").click()
    expect(task.locator(".decided")).to_contain_text("Done:")
    assert Task.objects.get(workspace=planted).status == "done"

    page.click("nav.lever-tabs >> text=What moves customers")
    expect(page.locator("canvas.lever-chart[data-drawn='1']")).to_have_count(1)
    expect(page.locator("tr.effect-row.clear")).to_contain_text("Meetings")
    shot(page, "levers-effects")

    page.click("nav.lever-tabs >> text=Playbooks")
    page.fill("textarea[name=text]", PLAYBOOK)
    page.click("button:has-text('Dry run')")
    expect(page.locator("#dry-run")).to_contain_text("would be enrolled today")
    assert not errors, errors
