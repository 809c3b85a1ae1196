"""Fixtures of the portal tests: a real SMTP server on loopback and a small history."""


import pytest
from portal_data import build


@pytest.fixture(autouse=True)
def portal_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    return settings




@pytest.fixture
def history(workspace, owner, small_model):
    """The four customers with their signals and month-end snapshots."""
    return build(workspace, owner, small_model)


@pytest.fixture
def people(workspace, owner, small_model):
    """The four customers and their contacts, the model applied, no signals or snapshots."""
    return build(workspace, owner, small_model, with_history=False)


@pytest.fixture
def full(history, owner):
    """The history, plus something for every registered portal section of customer A: an
    accepted goal, a published story (of C, not consented), a survey waiting, a self-assessment.
    B's goal is accepted too (the isolation test tries it)."""
    import datetime as dt

    from django.utils import timezone

    from becoming.engage.actions.surveys import self_assessment
    from becoming.engage.models import Invitation, Survey
    from becoming.inspire.actions.goals import save_proposals, update_goal
    from becoming.inspire.actions.stories import draft_stories, edit_story
    from becoming.inspire.models import Goal, Story

    ws = history["customers"]["A"].workspace
    save_proposals(ws)
    for key in ("A", "B"):
        goal = Goal.objects.filter(customer=history["customers"][key]).first()
        update_goal(goal, user=owner, status="accepted")
    draft_stories(ws)
    for story in Story.objects.filter(customer=history["customers"]["C"]):
        edit_story(story, status="published")
    survey = self_assessment(ws, owner)
    survey.status = Survey.Status.OPEN
    survey.save()
    for key in ("A", "B"):
        Invitation.objects.create(survey=survey, contact=history["contacts"][key],
                                  expires=timezone.now() + dt.timedelta(days=5))
    history["survey"] = survey
    return history
