"""Fixtures of the page tests: a workspace with customers, events, a model and two snapshots.

The named people (`owner`, `admin`, `member`, `viewer`, `outsider`) come from tests/conftest.py.
"""


import pytest
from web_data import load_data


@pytest.fixture(autouse=True)
def web_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # whitenoise would warn about a missing STATIC_ROOT; finders serve the app folders.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    return settings


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
