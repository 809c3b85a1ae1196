"""The tabular package is pure (no Django): these tests run with ``-p no:django``.

The repository-wide autouse ``data_home`` fixture needs pytest-django's ``settings``;
override it here so this directory runs without Django.
"""

import pytest


@pytest.fixture(autouse=True)
def data_home(tmp_path):
    return tmp_path
