"""Outcome statistics tests are plain pytest: no Django, no database. Run them alone with
`.venv/bin/pytest tests/outcomes/stats -q -p no:django`.

The autouse fixtures of tests/conftest.py and tests/outcomes/conftest.py need Django's
settings; these overrides, of the same names, keep them out of this folder.
"""

import pytest


@pytest.fixture(autouse=True)
def data_home(tmp_path):
    """Overrides the project-wide autouse fixture, which needs Django settings."""
    return tmp_path


@pytest.fixture(autouse=True)
def page_settings():
    """Overrides tests/outcomes/conftest.py's: no pages here."""


@pytest.fixture(autouse=True)
def fresh_cache():
    """Overrides tests/outcomes/conftest.py's: no cache here."""
