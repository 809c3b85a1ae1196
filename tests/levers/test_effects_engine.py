"""The effects engine on generated histories with known effects (no database)."""

import pytest

from becoming.levers import effects, simulate

pytestmark = pytest.mark.once


@pytest.fixture(scope="module")
def history():
    return simulate.generate(customers=600, months=12, seed=11)


def test_stratified_intervals_hold_the_true_uplifts(history):
    found = effects.compute(history.stages, history.actions, history.dates, window_days=30,
                            lookback_days=30, attributes=history.attributes, by=("segment",))
    assert list(found.rows.columns) == effects.COLUMNS
    assert len(found.rows) == 10 * 3
    score = simulate.score(found.rows, history.truth, history.randomized)
    assert score["rows"] == 30 and score["coverage"] >= 0.8
    assert score["ranking"] >= 0.8


def test_stratification_removes_the_confounded_actions_bias(history):
    naive = effects.compute(history.stages, history.actions, history.dates, window_days=30,
                            lookback_days=30, stratify=False)
    adjusted = effects.compute(history.stages, history.actions, history.dates, window_days=30,
                               lookback_days=30, attributes=history.attributes, by=("segment",))
    conf = simulate.CONFOUNDED
    bias_naive = naive.rows[naive.rows.action == conf].uplift.abs().mean()
    bias_adjusted = adjusted.rows[adjusted.rows.action == conf].uplift.abs().mean()
    assert bias_naive > 0.03  # credited with the moves of those who would move anyway
    assert bias_adjusted < bias_naive / 2
    assert set(naive.rows.method) == {"crude"}


def test_counts_add_up_to_the_panel(history):
    found = effects.compute(history.stages, history.actions, history.dates, window_days=30,
                            lookback_days=30, action_types=["action_01"])
    row = found.rows.iloc[0]
    strata = found.strata[found.strata.dimension == row.dimension]
    assert row.treated == strata.treated.sum() and row.control == strata.control.sum()
    assert row.treated_moved_up <= row.treated and row.control_moved_up <= row.control


def test_mantel_haenszel_by_hand():
    # Two strata: 10/20 vs 5/20 and 30/40 vs 20/40; weights n1*n0/N = 10 and 20.
    diff, low, high, method = effects.risk_difference([10, 30], [20, 40], [5, 20], [20, 40])
    assert method == "mantel-haenszel"
    assert diff == pytest.approx((10 * 0.25 + 20 * 0.25) / 30)
    assert low < diff < high
    # One informative stratum: Newcombe's interval around the plain difference.
    diff, low, high, method = effects.risk_difference([10, 3], [20, 3], [5, 0], [20, 0])
    assert method == "newcombe" and diff == pytest.approx(0.25)
    assert -0.1 < low < 0 < 0.25 < high < 0.6  # 20 a side: wide
    assert effects.risk_difference([1], [1], [0], [0])[0] is None


def test_lookback_includes_the_as_of_day_and_not_the_day_after():
    import datetime as dt

    import pyarrow as pa

    day = dt.date(2025, 1, 31)
    stages = pa.table({"customer_id": [1, 2, 1, 2], "as_of": [day, day, day + dt.timedelta(30),
                                                              day + dt.timedelta(30)],
                       "dimension": ["d"] * 4, "stage": [0, 0, 1, 0], "top": [2] * 4})
    actions = pa.table({"customer_id": [1, 2], "type": ["a", "a"],
                        "time": [dt.datetime(2025, 1, 31, 23, 0), dt.datetime(2025, 2, 1, 0, 1)]})
    found = effects.compute(stages, actions, [day], window_days=30, lookback_days=1)
    row = found.rows.iloc[0]
    assert (row.treated, row.treated_moved_up, row.control, row.control_moved_up) == (1, 1, 1, 0)
    # A customer who had churned by T is no comparison at T; one who churns later still is.
    gone = pa.table({"customer_id": [2], "day": [day]})
    assert effects.compute(stages, actions, [day], window_days=30, lookback_days=1,
                           gone=gone).rows.iloc[0].control == 0
    later = pa.table({"customer_id": [2], "day": [day + dt.timedelta(1)]})
    assert effects.compute(stages, actions, [day], window_days=30, lookback_days=1,
                           gone=later).rows.iloc[0].control == 1


def test_calendar_months_keep_month_ends():
    import datetime as dt

    dates = effects.as_of_dates(dt.date(2025, 1, 31), dt.date(2025, 5, 31), every_months=1)
    assert dates == [dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 31),
                     dt.date(2025, 4, 30), dt.date(2025, 5, 31)]


def test_among_compares_with_the_holdout_only():
    import datetime as dt

    import pyarrow as pa

    day, later = dt.date(2025, 1, 31), dt.date(2025, 3, 2)
    stages = pa.table({"customer_id": [1, 2, 3] * 2, "as_of": [day] * 3 + [later] * 3,
                       "dimension": ["d"] * 6, "stage": [0, 0, 0, 1, 0, 1], "top": [2] * 6})
    moment = dt.datetime(2025, 1, 20)
    actions = pa.table({"customer_id": [1, 2], "type": ["playbook.enrolled", "playbook.holdout"],
                        "time": [moment, moment]})
    types = ["playbook.enrolled", "playbook.holdout"]
    everyone = effects.compute(stages, actions, [day], window_days=30, lookback_days=30,
                               action_types=types).rows.set_index("action")
    assert everyone.loc["playbook.enrolled", "control"] == 2  # the holdout and customer 3
    held = effects.compute(stages, actions, [day], window_days=30, lookback_days=30,
                           action_types=types, among=tuple(types)).rows.set_index("action")
    row = held.loc["playbook.enrolled"]
    assert (row.treated, row.treated_moved_up, row.control, row.control_moved_up) == (1, 1, 1, 0)
