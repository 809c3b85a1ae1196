"""One definition of a time window for the model, the outcome report and every lever."""

import datetime as dt

import pytest

from becoming.engine import parse_model
from becoming.engine.windows import WindowError, window_days


@pytest.mark.parametrize("text, days", [("90d", 90), ("26w", 182), ("1m", 30), ("3m", 91),
                                        ("6m", 182), ("12m", 365), ("1y", 365), (" 2 y ", 730)])
def test_window_days(text, days):
    assert window_days(text) == days


@pytest.mark.parametrize("text", ["12", "m", "1.5m", "-3d", "12x", "", None, 12])
def test_not_a_window(text):
    with pytest.raises(WindowError):
        window_days(text)


def test_a_model_criterion_and_the_outcome_report_agree_on_12m(db):
    """'12m' in a model criterion spans the same days as the outcome report's --window 12m."""
    from becoming.outcomes.actions import parse_window

    model = parse_model("""
vision: Active users.
dimensions:
  - key: use
    name: Use
    target: active
    stages:
      - {key: new, name: New}
      - key: active
        name: Active
        when:
          - event: {type: login, within: 12m, at_least: 1}
""")
    criterion = model.dimensions[0].stages[1].when[0]
    assert criterion.within_days == parse_window("12m") == parse_window("1y") == 365
    assert dt.date(2026, 12, 3) - dt.timedelta(days=criterion.within_days) == dt.date(2025, 12, 3)
