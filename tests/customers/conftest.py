"""Customer imports. The million-row tests carry the ``big`` marker: deselect them with
``-m "not big"`` when a quick run is wanted."""


def pytest_configure(config):
    config.addinivalue_line("markers", "big: a million-row import (about a minute per database)")
