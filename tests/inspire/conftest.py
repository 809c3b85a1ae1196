"""Fixtures of the Inspire tests: the small history of tests/portal/portal_data.py."""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "portal_data_for_inspire", Path(__file__).resolve().parents[1] / "portal" / "portal_data.py")
portal_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(portal_data)


@pytest.fixture(autouse=True)
def inspire_settings(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    return settings


@pytest.fixture
def history(workspace, owner, small_model):
    return portal_data.build(workspace, owner, small_model)
