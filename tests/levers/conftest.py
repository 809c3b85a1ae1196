import pytest
from history import load


@pytest.fixture
def planted(workspace):
    """The workspace with a year of history and a planted meeting effect (see history.py)."""
    load(workspace)
    return workspace


