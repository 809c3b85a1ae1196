"""Outcome statistics against textbook results and hand computations.

Plain pytest (see conftest.py): `.venv/bin/pytest tests/outcomes/stats -q -p no:django`.
"""

import math

import numpy as np
import pandas as pd
import pytest
from support import TELCO, need_data

from becoming.outcomes import stats

Z = 1.959963984540054

COMMITMENT = {"key": "commitment", "name": "Commitment",
              "stages": ["month_to_month", "settled", "committed", "partner"], "target_index": 3}


def wilson_by_hand(successes, n, z=Z):
    """The closed formula (Wilson 1927; Newcombe 1998, method 3)."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


# ------------------------------------------------------------------------------------ Wilson


def test_wilson_matches_newcombe_example_and_closed_formula():
    # Newcombe (1998), Stat Med 17:857, example 81/263: Wilson 95% interval 0.2553 to 0.3662.
    low, high = stats.wilson_interval(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    hand = wilson_by_hand(81, 263)
    assert low == pytest.approx(hand[0], abs=1e-12)
    assert high == pytest.approx(hand[1], abs=1e-12)


def test_wilson_zero_successes_has_low_zero():
    low, high = stats.wilson_interval(0, 10)
    assert low == 0.0
    # closed formula with p = 0: z^2 / (n + z^2)
    assert high == pytest.approx(Z * Z / (10 + Z * Z), abs=1e-12)
    assert high == pytest.approx(0.2775, abs=1e-4)


def test_wilson_empty_is_nan():
    assert all(math.isnan(v) for v in stats.wilson_interval(0, 0))


# ----------------------------------------------------------------------------- Kaplan-Meier

# Freireich et al. (1963), 6-MP group, as in Kalbfleisch & Prentice and Klein & Moeschberger.
FREIREICH_EVENTS = [6, 6, 6, 7, 10, 13, 16, 22, 23]
FREIREICH_CENSORED = [6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35]


def freireich_frame():
    durations = FREIREICH_EVENTS + FREIREICH_CENSORED
    churned = [True] * len(FREIREICH_EVENTS) + [False] * len(FREIREICH_CENSORED)
    return pd.DataFrame({"customer_id": range(len(durations)), "stage__commitment": 1,
                         "duration_days": durations, "churned": churned})


def km_by_hand(events, censored):
    """Product-limit estimate and the log(-log S) Greenwood interval, from the definition."""
    times = sorted(set(events))
    survival, greenwood, out = 1.0, 0.0, {}
    for t in times:
        at_risk = sum(d >= t for d in events) + sum(c >= t for c in censored)
        deaths = events.count(t)
        survival *= 1 - deaths / at_risk
        greenwood += deaths / (at_risk * (at_risk - deaths))
        spread = Z * math.sqrt(greenwood) / abs(math.log(survival))
        out[t] = (survival, survival ** math.exp(spread), survival ** math.exp(-spread))
    return out


def test_kaplan_meier_freireich_textbook_values():
    curves = stats.survival_curves(freireich_frame(), COMMITMENT)
    assert [c["customers"] for c in curves] == [0, 21, 0, 0]
    assert curves[0]["times"] == [] and curves[0]["median_days"] is None
    curve = curves[1]
    at = dict(zip(curve["times"], curve["survival"]))
    assert at[0.0] == 1.0
    assert round(at[6.0], 3) == 0.857
    assert round(at[13.0], 3) == 0.690
    assert round(at[23.0], 3) == 0.448
    assert curve["median_days"] == 23.0
    hand = km_by_hand(FREIREICH_EVENTS, FREIREICH_CENSORED)
    for t, (survival, low, high) in hand.items():
        i = curve["times"].index(float(t))
        assert curve["survival"][i] == pytest.approx(survival, abs=1e-9)
        assert curve["ci_low"][i] == pytest.approx(low, abs=1e-6)
        assert curve["ci_high"][i] == pytest.approx(high, abs=1e-6)
    # Klein & Moeschberger table 4.1A: S(6) = 0.857 with log-log interval about 0.620-0.952.
    i6 = curve["times"].index(6.0)
    assert (round(curve["ci_low"][i6], 2), round(curve["ci_high"][i6], 2)) == (0.62, 0.95)


def test_kaplan_meier_without_durations_is_empty():
    frame = freireich_frame().assign(duration_days=np.nan)
    assert stats.survival_curves(frame, COMMITMENT) == []
    assert stats.survival_curves(frame.drop(columns="duration_days"), COMMITMENT) == []


# -------------------------------------------------------------------------------- stage table


def tiny_frame():
    # stage 0: 4 customers, 2 churned; stage 1: 2 customers, 0 churned; stages 2 and 3 empty.
    return pd.DataFrame({
        "customer_id": list("abcdef"),
        "stage__commitment": [0, 0, 0, 0, 1, 1],
        "churned": [True, True, False, False, False, False],
        "revenue_start": [100.0, 100.0, 200.0, np.nan, 300.0, 100.0],
        "revenue_end": [0.0, 0.0, 250.0, 80.0, 330.0, np.nan],
    })


def test_stage_table_by_hand():
    table = stats.stage_table(tiny_frame(), [COMMITMENT], min_group=3)
    assert list(table.columns) == stats.STAGE_TABLE_COLUMNS
    assert list(table["stage"]) == COMMITMENT["stages"]
    assert list(table["stage_index"]) == [0, 1, 2, 3]
    assert list(table["customers"]) == [4, 2, 0, 0]
    assert list(table["churned"]) == [2, 0, 0, 0]
    assert list(table["small"]) == [False, True, True, True]
    s0, s1, s2 = table.iloc[0], table.iloc[1], table.iloc[2]
    assert s0["churn_rate"] == 0.5 and s0["retention_rate"] == 0.5
    assert (s0["ci_low"], s0["ci_high"]) == pytest.approx(wilson_by_hand(2, 4))
    assert s0["revenue_per_customer"] == pytest.approx(400 / 3)
    # NRR over customers with both known: (0 + 0 + 250) / (100 + 100 + 200)
    assert s0["nrr"] == pytest.approx(250 / 400)
    assert s1["churn_rate"] == 0.0 and s1["ci_low"] == 0.0
    assert s1["revenue_per_customer"] == 200.0
    assert s1["nrr"] == pytest.approx(330 / 300)
    for column in ("churn_rate", "ci_low", "ci_high", "retention_rate",
                   "revenue_per_customer", "nrr"):
        assert math.isnan(s2[column]), column
    rows = stats.records(table)
    assert rows[2]["churn_rate"] is None and rows[2]["customers"] == 0
    assert isinstance(rows[0]["customers"], int) and isinstance(rows[0]["small"], bool)


def test_stage_table_default_flags_everything_small_but_hides_nothing():
    table = stats.stage_table(tiny_frame(), [COMMITMENT])
    assert len(table) == 4 and table["small"].all()


# ------------------------------------------------------------------------------- association


def synthetic(n=20000, beta=-0.6, seed=7):
    rng = np.random.default_rng(seed)
    stage = rng.integers(0, 4, n)
    size = rng.lognormal(3, 1, n)
    tenure = rng.uniform(30, 2000, n)
    logit = -0.5 + beta * stage + 0.3 * np.log1p(size) - 0.2 * np.log1p(tenure)
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({"customer_id": range(n), "stage__commitment": stage,
                         "churned": churned, "size": size, "tenure_days": tenure})


def test_logistic_recovers_known_odds_ratio():
    [row] = stats.association(synthetic(), [COMMITMENT], outcome="churn")
    assert row["error"] is None
    true_or = math.exp(-0.6)
    assert row["ci_low"] < true_or < row["ci_high"]
    assert row["ci_high"] < 1
    assert row["p_value"] < 1e-10
    assert row["controls"] == ["size", "tenure"] and row["n"] == 20000
    assert row["wording"].startswith("Each stage up on Commitment is associated with ")
    assert "lower odds of churning (most likely between " in row["wording"]
    assert "controlling for size and tenure" in row["wording"]
    assert "association, not proof of cause" in row["wording"]


def test_logistic_with_constant_and_collinear_controls_still_returns():
    frame = synthetic().assign(tenure_days=100.0)
    frame["size"] = np.expm1(2.0 * frame["stage__commitment"])  # log1p(size) = 2 x stage
    [row] = stats.association(frame, [COMMITMENT])
    assert row["error"] is None
    assert row["controls"] == []
    assert set(row["dropped_controls"]) == {"size", "tenure"}
    assert row["ci_low"] < math.exp(-0.6) * 1.3 and row["ci_high"] < 1
    assert "without controls" in row["wording"]
    # all-NaN controls are dropped, not fatal
    [row] = stats.association(frame.assign(size=np.nan, tenure_days=np.nan), [COMMITMENT])
    assert row["error"] is None and row["controls"] == []


def test_perfect_separation_gives_an_error_note_not_an_exception():
    frame = synthetic()
    frame["churned"] = frame["stage__commitment"] < 2
    [row] = stats.association(frame, [COMMITMENT])
    assert row["error"] and row["estimate"] is None
    [row] = stats.association(frame.assign(stage__commitment=1), [COMMITMENT])
    assert "same stage" in row["error"]
    [row] = stats.association(frame.iloc[:3], [COMMITMENT])
    assert "too few" in row["error"]


def test_revenue_association_is_change_in_nrr_per_stage():
    rng = np.random.default_rng(3)
    n = 4000
    stage = rng.integers(0, 4, n)
    start = rng.uniform(50, 500, n)
    ratio = 0.8 + 0.05 * stage + rng.normal(0, 0.1, n)  # NRR rises 5 points a stage
    frame = pd.DataFrame({"stage__commitment": stage, "revenue_start": start,
                          "revenue_end": start * ratio, "churned": False})
    [row] = stats.association(frame, [COMMITMENT], outcome="revenue")
    assert row["error"] is None and row["model"] == "wls_nrr"
    assert row["ci_low"] < 0.05 < row["ci_high"] and row["ci_low"] > 0
    assert "percentage points higher net revenue retention" in row["wording"]
    with pytest.raises(ValueError):
        stats.association(frame, [COMMITMENT], outcome="joy")


# -------------------------------------------------------------------------------- step values


def step_frame():
    # stage 0: 40 customers, 10 churned, revenue 100 each; stage 1: 50 customers, 5 churned,
    # revenue 150 each; stage 2: 5 customers, none churned; stage 3 empty.
    stage = [0] * 40 + [1] * 50 + [2] * 5
    churned = [True] * 10 + [False] * 30 + [True] * 5 + [False] * 45 + [False] * 5
    revenue = [100.0] * 40 + [150.0] * 50 + [200.0] * 5
    return pd.DataFrame({"customer_id": range(len(stage)), "stage__commitment": stage,
                         "churned": churned, "revenue_start": revenue})


def test_step_values_arithmetic_and_sentence():
    steps = stats.step_values(step_frame(), [COMMITMENT], currency="€")
    assert [(s["from_stage"], s["to_stage"]) for s in steps] == [
        ("month_to_month", "settled"), ("settled", "committed"), ("committed", "partner")]
    first, second, third = steps
    # 40 x (0.90 - 0.75) x 100 x 12 = 7,200
    assert first["retention_from"] == 0.75 and first["retention_to"] == 0.9
    assert first["retained_revenue"] == pytest.approx(7200)
    assert first["revenue_per_customer_difference"] == 50
    assert first["small"] is False
    assert first["sentence"] == ("Moving the 40 customers at 'month_to_month' to 'settled' is "
                                 "associated with €7,200 more retained revenue a year.")
    # 50 x (1.0 - 0.9) x 150 x 12 = 9,000; stage 2 is small
    assert second["retained_revenue"] == pytest.approx(9000)
    assert second["small"] is True and "caution" in second["sentence"]
    # nobody at stage 3: retention unknown -> no number, no exception
    assert third["retained_revenue"] is None and third["retention_to"] is None
    assert "Not enough data" in third["sentence"]


def test_step_values_millions_and_plain_numbers():
    frame = step_frame()
    frame["revenue_start"] *= 1000  # 7,200,000
    first = stats.step_values(frame, [COMMITMENT], period_months=12)[0]
    assert "is associated with 7.2M more retained revenue a year." in first["sentence"]
    assert stats.format_money(1_234_567, "€") == "€1.2M"
    assert stats.format_money(12_345.4) == "12,345"
    assert stats.format_money(-2500, "$") == "-$2,500"
    half = stats.step_values(step_frame(), [COMMITMENT], period_months=6)[0]
    assert half["retained_revenue"] == pytest.approx(3600)
    assert half["sentence"].endswith("3,600 more retained revenue over 6 months.")


# ------------------------------------------------------------------------ movers vs stayers


def test_movers_vs_stayers():
    # movers: 100, 10 churned; stayers: 200, 50 churned
    frame = pd.DataFrame({
        "moved_up": [True] * 100 + [False] * 200,
        "churned": [True] * 10 + [False] * 90 + [True] * 50 + [False] * 150,
        "revenue_start": 100.0,
        "revenue_end": [0.0] * 10 + [110.0] * 90 + [0.0] * 50 + [100.0] * 150,
    })
    result = stats.movers_vs_stayers(frame)
    assert result["available"] is True
    assert result["movers"]["churn_rate"] == 0.1 and result["stayers"]["churn_rate"] == 0.25
    assert (result["movers"]["ci_low"], result["movers"]["ci_high"]) == pytest.approx(
        wilson_by_hand(10, 100))
    assert result["movers"]["nrr"] == pytest.approx(0.99)
    assert result["stayers"]["nrr"] == pytest.approx(0.75)
    diff = result["difference"]
    assert diff["churn_rate"] == pytest.approx(-0.15)
    assert diff["ci_low"] < -0.15 < diff["ci_high"] < 0
    # Newcombe's hybrid score interval from the two Wilson intervals (method 10)
    l1, u1 = wilson_by_hand(10, 100)
    l2, u2 = wilson_by_hand(50, 200)
    p1, p2 = 0.1, 0.25
    low = p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    assert (diff["ci_low"], diff["ci_high"]) == pytest.approx((low, high), abs=1e-9)
    assert "15.0 percentage points lower" in result["wording"]
    assert "association, not proof of cause" in result["wording"]
    assert stats.movers_vs_stayers(frame.drop(columns="moved_up"))["available"] is False
    assert stats.movers_vs_stayers(frame.assign(moved_up=False))["available"] is False


# ------------------------------------------------------------------------------ index bands


def test_index_bands():
    frame = pd.DataFrame({"index": [0, 10, 25, 60, 100, 120, np.nan],
                          "churned": [True, False, True, False, False, True, True],
                          "revenue_start": [10, 20, 30, 40, 50, 60, 70.0]})
    bands = stats.index_bands(frame)
    assert [b["band"] for b in bands] == ["0–25", "25–50", "50–75", "75–100"]
    assert [b["customers"] for b in bands] == [2, 1, 1, 1]
    assert bands[0]["churn_rate"] == 0.5 and bands[0]["revenue_per_customer"] == 15
    assert bands[3]["revenue_per_customer"] == 50  # 100 falls in the last, closed band
    with pytest.raises(ValueError):
        stats.index_bands(frame, bands=(50, 10))


# ------------------------------------------------------------------------------------ Telco


def test_telco_contract_stages():
    need_data(TELCO)
    raw = pd.read_csv(TELCO)
    contract = {"Month-to-month": 0, "One year": 1, "Two year": 2}
    frame = pd.DataFrame({
        "customer_id": raw["customerID"],
        "stage__contract": raw["Contract"].map(contract),
        "churned": raw["Churn"].eq("Yes"),
        "revenue_start": raw["MonthlyCharges"].astype(float),
        "tenure_days": raw["tenure"] * 30.4,
        "duration_days": raw["tenure"] * 30.4,
    })
    dimension = {"key": "contract", "name": "Contract",
                 "stages": ["month_to_month", "one_year", "two_year"], "target_index": 2}
    table = stats.stage_table(frame, [dimension])
    expected = frame.groupby("stage__contract")["churned"].mean()
    assert list(table["customers"]) == list(frame["stage__contract"].value_counts().sort_index())
    assert table["customers"].sum() == len(raw) == 7043
    assert list(table["churn_rate"]) == list(expected)  # exactly
    assert list(table["revenue_per_customer"]) == pytest.approx(
        list(frame.groupby("stage__contract")["revenue_start"].mean()))
    assert table["churn_rate"].is_monotonic_decreasing

    [row] = stats.association(frame, [dimension])
    assert row["error"] is None
    assert row["controls"] == ["tenure"] and row["dropped_controls"] == ["size"]
    assert row["ci_high"] < 1  # longer contracts, lower churn

    curves = stats.survival_curves(frame, dimension)
    assert [c["customers"] for c in curves] == list(table["customers"])
    assert curves[0]["survival"][-1] < curves[2]["survival"][-1]
