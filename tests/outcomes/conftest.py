"""Outcome statistics tests are plain pytest: no Django, no database. Run them alone with
`.venv/bin/pytest tests/outcomes -q -p no:django`."""

import pytest


@pytest.fixture(autouse=True)
def data_home(tmp_path):
    """Overrides the project-wide autouse fixture, which needs Django settings."""
    return tmp_path
