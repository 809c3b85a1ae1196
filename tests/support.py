"""Helpers shared by tests (importable as `support`: tests/ is on pytest's pythonpath)."""

import os
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TELCO = DATA / "telco-churn" / "Telco-Customer-Churn.csv"


def need_data(path: Path) -> None:
    """Skip when the shared data set is absent, except in CI where that is a failure."""
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs {path} (../shared/data beside the clone)")
        pytest.skip(f"{path} is absent (../shared/data is not beside this clone)")
