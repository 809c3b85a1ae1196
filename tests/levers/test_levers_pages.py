"""The lever pages with the Django client: effects, queue decisions, playbooks, tenancy."""

import pytest
from django.urls import reverse

from becoming.levers.models import Decision, Enrolment, PlaybookVersion, Task

PLAYBOOK = """\
key: stuck_trying
name: Stuck at trying
trigger:
  criterion:
    event: {type: report_exported, within: 365d, at_least: 1}
steps:
  - task: {title: Show them scheduled reports}
"""


def url(ws, name, *args):
    return reverse(name, args=[ws.slug, *args])


def test_pages_effects_queue_and_customer_section(client, planted, member, viewer, outsider):
    client.force_login(member)
    page = client.get(url(planted, "lever_effects"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-source="lever-reporting"' in html and "Meetings" in html
    assert "engage.meeting" not in html.split("</header>", 1)[1].split('<script id="lever-reporting"')[0]
    queue = client.get(url(planted, "work_queue"))
    rows = queue.context["page"].object_list
    assert rows and "Meetings moved" in queue.content.decode()
    first, second = rows[0], rows[1]
    data = {"customer": first["customer_id"], "action": first["action"], "dimension": first["dimension"]}
    made = client.post(url(planted, "work_queue_decide", "accept"), data, HTTP_HX_REQUEST="true")
    assert made.status_code == 200 and "Task added, due" in made.content.decode()
    task = Task.objects.get(workspace=planted)
    done = client.post(url(planted, "work_queue_task_done", task.pk), HTTP_HX_REQUEST="true")
    assert "Done:" in done.content.decode()
    client.post(url(planted, "work_queue_decide", "dismiss"),
                {"customer": second["customer_id"], "action": second["action"],
                 "dimension": second["dimension"]})
    assert Decision.objects.filter(workspace=planted).count() == 2
    bad = client.post(url(planted, "work_queue_decide", "snooze"), {"customer": "nobody", "action": "a",
                                                                     "dimension": "b"})
    assert bad.status_code == 400 and "no customer" in bad.content.decode()
    # The customer page shows the ranked actions once the effects are measured.
    customer = client.get(reverse("customer", args=[planted.slug, rows[2]["customer_pk"]]))
    assert "Next best actions" in customer.content.decode()
    assert "Meetings moved" in customer.content.decode()

    client.force_login(viewer)
    assert client.post(url(planted, "work_queue_decide", "accept"), data).status_code == 403
    assert client.get(url(planted, "work_queue")).status_code == 200
    client.force_login(outsider)
    assert client.get(url(planted, "lever_effects")).status_code == 404


def test_playbook_pages_dry_run_save_and_enrol(client, planted, member):
    client.force_login(member)
    empty = client.get(url(planted, "playbooks"))
    assert "No playbooks yet" in empty.content.decode()
    broken = client.post(url(planted, "playbook_dry_run"), {"text": PLAYBOOK.replace("365d", "a year")})
    assert "line 5: trigger.criterion.event.within: window &#x27;a year&#x27;" in broken.content.decode()
    preview = client.post(url(planted, "playbook_dry_run"), {"text": PLAYBOOK})
    assert "would be enrolled today" in preview.content.decode()
    saved = client.post(url(planted, "playbook_save"), {"text": PLAYBOOK})
    assert saved.status_code == 302 and PlaybookVersion.objects.count() == 1
    assert Enrolment.objects.count() == 0
    applied = client.post(url(planted, "playbook_save"), {"text": PLAYBOOK, "apply": "1"})
    assert applied.status_code == 302
    detail = client.get(applied["Location"])
    assert Enrolment.objects.count() > 0 and "Treated" in detail.content.decode()
    listing = client.get(url(planted, "playbooks")).content.decode()
    assert "Stuck at trying" in listing


@pytest.mark.django_db
def test_effects_page_without_a_model_says_what_to_do(client, workspace, member):
    client.force_login(member)
    page = client.get(url(workspace, "lever_effects")).content.decode()
    assert "no transformation model yet" in page
    queue = client.get(url(workspace, "work_queue")).content.decode()
    assert "No suggestions yet" in queue and "no transformation model yet" in queue


def test_effects_page_with_a_model_but_no_actions(client, workspace, owner, small_model):
    from becoming.customers.models import Attribute, Customer
    from becoming.transformation.actions import apply_model

    Attribute.objects.create(workspace=workspace, name="plan", type="text")
    apply_model(workspace, small_model, owner)
    Customer.objects.create(workspace=workspace, external_id="A", attributes={"plan": "pro"})
    client.force_login(owner)
    page = client.get(url(workspace, "lever_effects")).content.decode()
    assert "No actions recorded" in page
    assert "Nothing to suggest" in client.get(url(workspace, "work_queue")).content.decode()
