"""The playbook steps this app provides (registered in apps.py): create a task, send a survey.

Other levers add theirs through ``registry.add_playbook_step`` (send a content item, propose
an introduction, invite to a gathering); a step is called as
``fn(workspace, customer, options, enrolment)`` and returns what it did, in a few words.
"""

from __future__ import annotations

import datetime as dt

from becoming.engine.windows import window_days

from ..models import Task

DEFAULT_DUE = "7d"
DEFAULT_SITE = "http://localhost:8000/"


def create_task(workspace, customer, options: dict, enrolment=None) -> str:
    due = dt.date.today() + dt.timedelta(days=window_days(options.get("due") or DEFAULT_DUE))
    Task.objects.create(workspace=workspace, customer=customer, title=options["title"],
                        due=due, enrolment=enrolment,
                        action="playbook.step" if enrolment is not None else "")
    return f"task “{options['title']}” due {due:%d %b %Y}"


def check_task(workspace, options: dict) -> list[str]:
    return []


def _survey(workspace, title: str):
    from becoming.engage.models import Survey

    return Survey.objects.filter(workspace=workspace, title=title).order_by("-created").first()


def check_survey(workspace, options: dict) -> list[str]:
    survey = _survey(workspace, options.get("survey", ""))
    if survey is None:
        return [f"no survey titled “{options.get('survey')}” in this workspace"]
    if survey.status == survey.Status.CLOSED:
        return [f"the survey “{survey.title}” is closed"]
    if survey.audience == survey.Audience.PANEL:
        return [f"the survey “{survey.title}” is for the market-research panel only, not customers"]
    return []


def send_survey(workspace, customer, options: dict, enrolment=None) -> str:
    """Invite the customer's contacts to the survey through Engage's own action (mail sent)."""
    from becoming.customers.models import Contact
    from becoming.engage.actions.surveys import invite

    survey = _survey(workspace, options["survey"])
    if survey is None:
        return f"no survey titled “{options['survey']}”"
    contacts = Contact.objects.filter(workspace=workspace, customer=customer).exclude(email="")
    result = invite(survey, contacts, options.get("site") or DEFAULT_SITE)
    return f"survey “{survey.title}” sent to {result['sent']} contact(s)"
