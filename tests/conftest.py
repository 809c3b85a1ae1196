"""Shared fixtures: named people in two workspaces, so tenancy checks read naturally.

`owner`, `admin`, `member` and `viewer` belong to `workspace`; `outsider` owns `other`.
Each test gets its own data directory (signal store, snapshots) under tmp_path.
"""

import pytest
from browser import consumer, page, phone  # noqa: F401  (browser fixtures)
from support import SMALL_MODEL, TELCO, becoming, cli_env, need_data, outbox_sink, smtp_server  # noqa: F401  (fixtures and helpers for tests)


@pytest.fixture(autouse=True)
def data_home(settings, tmp_path):
    settings.HOME = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AUTH_PASSWORD_VALIDATORS = []  # fixtures use "pw"; tests/security checks validators
    # Sign-in failures in this process's memory, forgotten between tests (even with REDIS_URL).
    settings.CACHES = {**settings.CACHES, "throttle": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-throttle"}}
    from django.core.cache import caches

    caches["throttle"].clear()
    return tmp_path


@pytest.fixture
def workspace(db):
    from becoming.workspaces.actions import create_workspace

    return create_workspace("Acme Industrial")


@pytest.fixture
def other(db):
    from becoming.workspaces.actions import create_workspace

    return create_workspace("Other Co")


def _person(workspace, email, role):
    from becoming.workspaces.actions import add_member

    return add_member(workspace, email, role, password="pw").user


@pytest.fixture
def owner(workspace):
    return _person(workspace, "owner@acme.test", "owner")


@pytest.fixture
def admin(workspace):
    return _person(workspace, "admin@acme.test", "admin")


@pytest.fixture
def member(workspace):
    return _person(workspace, "member@acme.test", "member")


@pytest.fixture
def viewer(workspace):
    return _person(workspace, "viewer@acme.test", "viewer")


@pytest.fixture
def outsider(other):
    return _person(other, "outsider@other.test", "owner")




@pytest.fixture
def small_model():
    return SMALL_MODEL


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "once: the test does not depend on which database runs it (engine, files, pure functions, "
        "a benchmark-sized contract run); `make test` on PostgreSQL leaves it out, since the SQLite "
        "run already ran it",
    )
    config.addinivalue_line(
        "markers",
        "browser: the test drives headless Chromium itself (browser.chromium_page) rather than "
        "through the page/phone fixtures; like them, it runs in the SQLite pass only",
    )


def pytest_collection_modifyitems(config, items):
    import os

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    kept, left_out = [], []
    for item in items:
        # The walks in headless Chromium check what people see; the queries behind those pages
        # run on PostgreSQL in the page tests (Django's test client), so the browser walks run
        # in the SQLite pass only, like the tests marked `once`.
        in_browser = bool({"page", "phone"} & set(getattr(item, "fixturenames", ()))) or \
            item.get_closest_marker("browser") is not None
        (left_out if item.get_closest_marker("once") or in_browser else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
