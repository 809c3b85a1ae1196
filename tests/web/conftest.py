"""Fixtures of the page tests: a workspace with customers, events, a model and two snapshots.

The named people (`owner`, `admin`, `member`, `viewer`, `outsider`) come from tests/conftest.py.
"""

import datetime as dt

import pytest
from web_data import MODEL, customers_csv, events_csv


@pytest.fixture(autouse=True)
def web_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # whitenoise would warn about a missing STATIC_ROOT; finders serve the app folders.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    return settings


def load_data(workspace, folder, owner, assess: bool = True):
    """Import customers and events, apply the model, and assess a month ago and today."""
    from becoming.assessments.actions import run_assessment
    from becoming.customers.actions import import_customers
    from becoming.signals.actions import import_events
    from becoming.transformation.actions import apply_model

    today = dt.date.today()
    (folder / "customers.csv").write_text(customers_csv())
    (folder / "events.csv").write_text(events_csv(today))
    import_customers(workspace, folder / "customers.csv")
    import_events(workspace, folder / "events.csv", type_column="type")
    apply_model(workspace, MODEL, owner)
    if assess:
        run_assessment(workspace, today - dt.timedelta(days=60))
        run_assessment(workspace, today)
    return workspace


@pytest.fixture
def loaded(workspace, owner, tmp_path):
    """`workspace` with 120 customers, their events, the model and two snapshots."""
    folder = tmp_path / "files"
    folder.mkdir()
    return load_data(workspace, folder, owner)


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def as_owner(client, owner):
    return login(client, owner)


@pytest.fixture
def as_viewer(client, viewer):
    return login(client, viewer)
