"""Fixtures of the engage tests. The named people and workspaces come from tests/conftest.py."""

import pytest


@pytest.fixture(autouse=True)
def engage_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    # whitenoise would warn about a missing STATIC_ROOT; finders serve the app folders.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    return settings


# -- surveys: a real SMTP server on loopback, and a workspace ready to survey ------------------



@pytest.fixture
def survey_ws(workspace, owner, small_model):
    """`workspace` with the small model and three customers (stages 0, 1, 1), each with a
    contact who has an email, plus one contact without an email."""
    from becoming.customers.models import Attribute, Contact, Customer
    from becoming.transformation.actions import apply_model

    Attribute.objects.create(workspace=workspace, name="plan", type="text")
    apply_model(workspace, small_model, owner)
    for i, stage in enumerate([0, 1, 1]):
        customer = Customer.objects.create(workspace=workspace, external_id=f"C{i}", name=f"Customer {i}",
                                           stages={"reporting": stage})
        Contact.objects.create(workspace=workspace, customer=customer, name=f"Person {i}",
                               email=f"person{i}@customer{i}.test")
    Contact.objects.create(workspace=workspace, customer=customer, name="No Mail")
    return workspace


@pytest.fixture
def survey(survey_ws, owner):
    """A draft survey with a required 1–5 scale and an optional single choice."""
    from becoming.engage.actions.surveys import add_question
    from becoming.engage.models import Survey

    s = Survey.objects.create(workspace=survey_ws, title="How is reporting going?", intro="Two questions.",
                              created_by=owner)
    add_question(s, key="confidence", text="How confident are you with reports?", kind="scale_5", required=True)
    add_question(s, key="next_step", text="What would help most?", kind="single",
                 choices=["Training", "Templates", "Nothing"])
    return s
