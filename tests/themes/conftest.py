"""Theme tests are plain pytest with the real model: no Django. Run them alone with
`.venv/bin/pytest tests/themes -q -p no:django`."""

import pytest

from becoming.themes import get_embedder


@pytest.fixture(autouse=True)
def data_home(tmp_path):
    """Overrides the project-wide autouse fixture, which needs Django settings."""
    return tmp_path


@pytest.fixture(scope="session")
def embedder():
    return get_embedder()
