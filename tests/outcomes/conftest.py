"""Fixtures of the outcome tests. The named people and `small_model` come from
tests/conftest.py, whose autouse `data_home` gives each test its own data directory.

The statistics tests in stats/ need no Django: their conftest.py overrides the autouse
fixtures below (and `data_home`) by name, so keep those names in step."""

import pytest
from outcome_data import build


@pytest.fixture(autouse=True)
def page_settings(settings, tmp_path):
    # whitenoise would warn about a missing STATIC_ROOT; finders serve the app folders.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    return settings


@pytest.fixture(autouse=True)
def fresh_cache():
    """Reports are cached by workspace id, which the next test's database reuses."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shop(workspace, small_model):
    """75 customers on three stages, with churn, revenue and renewals; assessed today."""
    return build(workspace, small_model)


@pytest.fixture
def no_outcomes(workspace, small_model):
    """The same customers and model, but no outcome recorded."""
    return build(workspace, small_model, outcomes=False)
