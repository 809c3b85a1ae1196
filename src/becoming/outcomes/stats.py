"""Outcome statistics: does transformation pay?

How customers at each stage of a transformation model churn, renew and spend, with intervals,
small-group flags and regressions worded as associations. Pure functions over a pandas
DataFrame with one row per customer; no Django, no database.

Input frame (columns used when present; the missing ones make the dependent numbers NaN/None):

- ``customer_id``;
- ``stage__K`` for each dimension key K: the stage index (int, 0-based; NaN = not placed);
- ``churned``: bool, churned within the window (or ever, without a window); NaN = unknown;
- ``duration_days``: days from the start of observation to churn, or to the end of
  observation for customers who did not churn (censored); NaN = unknown;
- ``revenue_start``: recurring revenue per month at the start (NaN = unknown);
- ``revenue_end``: recurring revenue per month at the end of the window (0 when churned);
- ``size``, ``tenure_days``: controls for the regressions (may be NaN);
- ``moved_up`` (optional): bool, moved up at least one stage on any dimension before the start.

``dimensions`` is a list of dicts ``{"key", "name", "stages": [stage key or {"key", "name"}],
"target_index"}`` as the transformation model describes them.

Rates are over customers whose ``churned`` is known; ``retention_rate`` is ``1 - churn_rate``;
``nrr`` (net revenue retention) is ``sum(revenue_end) / sum(revenue_start)`` over customers
with both known and ``revenue_start > 0``. Intervals are 95%. Functions returning lists/dicts
give plain Python values with NaN turned into None (ready for JSON); the DataFrames keep NaN
(use :func:`records` to turn one into JSON-ready rows).

Heavy libraries (statsmodels, lifelines) are imported inside the functions that need them so
that importing this module stays cheap.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

Z95 = 1.959963984540054
ALPHA = 0.05
CAUTION = "this is an association, not proof of cause"

STAGE_TABLE_COLUMNS = [
    "dimension", "stage", "stage_index", "customers", "churned", "churn_rate", "ci_low",
    "ci_high", "retention_rate", "revenue_per_customer", "nrr", "small",
]


# --------------------------------------------------------------------------------------------
# small helpers


def _clean(value):
    """A plain Python value for JSON: numpy scalars unwrapped, NaN/inf -> None."""
    if value is None:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows of a DataFrame as JSON-ready dicts (NaN -> None, numpy scalars -> Python)."""
    return [_clean(row) for row in frame.to_dict(orient="records")]


def _flag(series: pd.Series) -> pd.Series:
    """A yes/no column as float 1.0 / 0.0 with NaN for unknown."""
    if series.dtype == bool:
        return series.astype(float)
    numbers = pd.to_numeric(series, errors="coerce").astype(float)
    return numbers.where(numbers.isna(), (numbers != 0).astype(float))


def _num(df: pd.DataFrame, column: str) -> pd.Series:
    if column not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype=float)
    return pd.to_numeric(df[column], errors="coerce").astype(float)


def _stage_label(stage) -> str:
    if isinstance(stage, dict):
        return str(stage.get("key") or stage.get("name"))
    return str(stage)


def _stage_name(dimension: dict, index: int, fallback: str) -> str:
    """A stage's display name when the dimension gives {key, name} stages, else its key."""
    stage = dimension["stages"][index]
    return str(stage.get("name") or fallback) if isinstance(stage, dict) else fallback


def _dimension_name(dimension: dict) -> str:
    return str(dimension.get("name") or dimension["key"])


def wilson_interval(count: float, nobs: float, alpha: float = ALPHA) -> tuple[float, float]:
    """Wilson score interval for count/nobs (statsmodels); (NaN, NaN) when nobs is 0."""
    if not nobs:
        return (math.nan, math.nan)
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(int(count), int(nobs), alpha=alpha, method="wilson")
    return (min(max(float(low), 0.0), 1.0), min(max(float(high), 0.0), 1.0))


def _nrr(revenue_start: pd.Series, revenue_end: pd.Series) -> float:
    both = revenue_start.notna() & revenue_end.notna() & (revenue_start > 0)
    total = revenue_start[both].sum()
    return float(revenue_end[both].sum() / total) if total > 0 else math.nan


def _group_summary(group: pd.DataFrame, min_group: int) -> dict:
    """Counts, churn rate with its Wilson interval, retention, revenue per customer and NRR."""
    customers = int(len(group))
    churn = _flag(group["churned"]) if "churned" in group.columns else pd.Series(dtype=float)
    known = churn.dropna()
    churned = int(known.sum()) if len(known) else 0
    rate = churned / len(known) if len(known) else math.nan
    low, high = wilson_interval(churned, len(known))
    revenue_start = _num(group, "revenue_start")
    revenue_end = _num(group, "revenue_end")
    return {
        "customers": customers,
        "churned": churned,
        "churn_rate": rate,
        "ci_low": low,
        "ci_high": high,
        "retention_rate": 1.0 - rate if not math.isnan(rate) else math.nan,
        "revenue_per_customer": float(revenue_start.mean()) if revenue_start.notna().any()
        else math.nan,
        "nrr": _nrr(revenue_start, revenue_end),
        "small": customers < min_group,
    }


def format_money(value: float, currency: str = "") -> str:
    """12,345 below a million; 1.2M, 3.4B above; a minus sign before the currency symbol."""
    if value is None or not math.isfinite(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    amount = abs(value)
    if amount >= 1e9:
        text = f"{amount / 1e9:.1f}B"
    elif amount >= 1e6:
        text = f"{amount / 1e6:.1f}M"
    else:
        text = f"{amount:,.0f}"
    return f"{sign}{currency}{text}"


def _pct(value: float) -> str:
    return f"{value:.0f}%"


# --------------------------------------------------------------------------------------------
# 1. stage table


def stage_table(df: pd.DataFrame, dimensions: list[dict], min_group: int = 30) -> pd.DataFrame:
    """One row per dimension x stage, every stage included (empty ones have customers 0).

    Columns: ``dimension`` (key), ``stage`` (key), ``stage_index``, ``customers`` (rows at the
    stage), ``churned`` (count), ``churn_rate`` (churned / customers with known churn),
    ``ci_low``/``ci_high`` (95% Wilson interval of the churn rate), ``retention_rate``
    (1 - churn_rate), ``revenue_per_customer`` (mean ``revenue_start``, monthly),
    ``nrr`` (sum revenue_end / sum revenue_start over customers with both known),
    ``small`` (customers < min_group; flagged, never hidden). Empty groups: rates NaN,
    ``small`` True. Customers whose stage is NaN or outside the model are left out.
    """
    rows = []
    for dimension in dimensions:
        key = dimension["key"]
        stage_index = _num(df, f"stage__{key}")
        for index, stage in enumerate(dimension.get("stages", [])):
            group = df[stage_index == index]
            rows.append({"dimension": key, "stage": _stage_label(stage), "stage_index": index,
                         **_group_summary(group, min_group)})
    table = pd.DataFrame(rows, columns=STAGE_TABLE_COLUMNS)
    return table.astype({"stage_index": int, "customers": int, "churned": int, "small": bool})


# --------------------------------------------------------------------------------------------
# 2. survival curves


def survival_curves(df: pd.DataFrame, dimension: dict) -> list[dict]:
    """Kaplan-Meier churn-free survival per stage of one dimension (lifelines).

    Each item: ``{stage, stage_index, customers, times, survival, ci_low, ci_high,
    median_days}``. ``customers`` counts those with a known, non-negative ``duration_days`` and
    known ``churned`` (churned = event, others censored at their duration). ``times`` starts at
    0 (survival 1); ``ci_low``/``ci_high`` are lifelines' 95% pointwise intervals (exponential
    Greenwood, i.e. on log(-log S)). ``median_days`` is None when survival never falls to 0.5.
    Stages with no usable customer have empty lists. Returns [] when ``duration_days`` is
    absent or all NaN.
    """
    duration = _num(df, "duration_days")
    if duration.isna().all():
        return []
    from lifelines import KaplanMeierFitter

    event = _flag(df["churned"]) if "churned" in df.columns else pd.Series(np.nan, index=df.index)
    stage_index = _num(df, f"stage__{dimension['key']}")
    usable = duration.notna() & (duration >= 0) & event.notna()
    curves = []
    for index, stage in enumerate(dimension.get("stages", [])):
        mask = usable & (stage_index == index)
        curve = {"stage": _stage_label(stage), "stage_index": index, "customers": int(mask.sum()),
                 "times": [], "survival": [], "ci_low": [], "ci_high": [], "median_days": None}
        if mask.any():
            fitter = KaplanMeierFitter(alpha=ALPHA)
            fitter.fit(duration[mask], event_observed=event[mask].astype(bool), label="km")
            interval = fitter.confidence_interval_survival_function_
            curve["times"] = [float(t) for t in fitter.survival_function_.index]
            curve["survival"] = [float(s) for s in fitter.survival_function_["km"]]
            curve["ci_low"] = _clean(list(interval.iloc[:, 0].astype(float)))
            curve["ci_high"] = _clean(list(interval.iloc[:, 1].astype(float)))
            curve["median_days"] = _clean(float(fitter.median_survival_time_))
        curves.append(curve)
    return curves


# --------------------------------------------------------------------------------------------
# 3. association (regressions)

CONTROLS = (("size", "size"), ("tenure_days", "tenure"))


def _design(df: pd.DataFrame, stage_col: str, outcome: pd.Series, weights: pd.Series | None):
    """Rows and columns for a regression: stage index plus usable controls.

    Controls are log(1 + x) of size and tenure_days (negative values treated as unknown). A
    control is dropped when it is all NaN or constant; rows with NaN in a used column are
    dropped; then a control that adds no rank (collinear with the stage or another control) is
    dropped too. Returns (frame with const/stage/controls, y, weights, used, dropped).
    """
    data = pd.DataFrame({"stage": _num(df, stage_col), "y": outcome})
    if weights is not None:
        data["w"] = weights
    used, dropped = [], []
    for column, label in CONTROLS:
        values = _num(df, column)
        values = np.log1p(values.where(values >= 0))
        if values.notna().sum() == 0 or values.nunique(dropna=True) < 2:
            dropped.append(label)
            continue
        data[label] = values
        used.append(label)
    data = data.dropna()
    # A control constant on the remaining rows, or collinear: drop it (greedy rank check).
    kept = []
    for label in used:
        if data[label].nunique() < 2:
            dropped.append(label)
            continue
        candidate = np.column_stack([np.ones(len(data)), data["stage"], *(data[c] for c in kept),
                                     data[label]])
        if len(data) and np.linalg.matrix_rank(candidate) == candidate.shape[1]:
            kept.append(label)
        else:
            dropped.append(label)
    X = pd.DataFrame({"const": 1.0, "stage": data["stage"]}, index=data.index)
    for label in kept:
        X[label] = data[label]
    return X, data["y"], data["w"] if weights is not None else None, kept, dropped


def _controls_phrase(controls: list[str]) -> str:
    if not controls:
        return "without controls"
    return "controlling for " + " and ".join(controls)


def _odds_wording(name: str, odds_ratio: float, low: float, high: float, controls) -> str:
    tail = f", {_controls_phrase(controls)}; {CAUTION}."
    if high < 1:
        return (f"Each stage up on {name} is associated with {_pct((1 - odds_ratio) * 100)} "
                f"lower odds of churning (most likely between {(1 - high) * 100:.0f}% and "
                f"{(1 - low) * 100:.0f}%)"
                + tail)
    if low > 1:
        return (f"Each stage up on {name} is associated with {_pct((odds_ratio - 1) * 100)} "
                f"higher odds of churning (most likely between {(low - 1) * 100:.0f}% and "
                f"{(high - 1) * 100:.0f}%)"
                + tail)
    direction = "lower" if odds_ratio < 1 else "higher"
    change = abs(odds_ratio - 1) * 100
    return (f"Each stage up on {name} is associated with {_pct(change)} {direction} odds of "
            f"churning (most likely from {(1 - low) * 100:.0f}% lower to {(high - 1) * 100:.0f}% "
            f"higher, so the data are also consistent with no association)" + tail)


def _nrr_wording(name: str, coefficient: float, low: float, high: float, controls) -> str:
    points = coefficient * 100
    direction = "higher" if points >= 0 else "lower"
    note = ("" if (low > 0 or high < 0)
            else ", so the data are also consistent with no association")
    return (f"Each stage up on {name} is associated with {abs(points):.1f} percentage points "
            f"{direction} net revenue retention (most likely between {low * 100:+.1f} and "
            f"{high * 100:+.1f} points"
            f"{note}), {_controls_phrase(controls)}; {CAUTION}.")


def association(df: pd.DataFrame, dimensions: list[dict], outcome: str = "churn") -> list[dict]:
    """Per dimension, the association of its stage index with churn or revenue retention.

    Controls: log(1 + size) and log(1 + tenure_days) where usable (see ``_design``).

    - ``outcome="churn"``: logistic regression (statsmodels Logit) of ``churned`` on the stage
      index. ``estimate`` is the odds ratio per stage step, ``ci_low``/``ci_high`` its 95%
      interval, ``coefficient`` the log-odds per step.
    - ``outcome="revenue"``: customer-level net revenue retention ``revenue_end /
      revenue_start`` (customers with both known and revenue_start > 0; churned customers have
      0), regressed by weighted least squares with weights ``revenue_start`` and
      heteroskedasticity-robust (HC1) errors. The weighting makes the fitted values aggregate
      to the groups' NRR (sum end / sum start), so ``estimate`` = ``coefficient`` is the change
      in NRR per stage step (0.05 = five percentage points), with its 95% interval.

    Each item: ``{dimension, dimension_name, outcome, model, effect, estimate, ci_low,
    ci_high, coefficient, p_value, n, events, controls, dropped_controls, wording, error}``.
    ``events`` is the number churned (churn only). Failures (too few rows, no variation,
    perfect separation, a singular matrix, no convergence) give the item with ``error`` set
    and the numbers None; this never raises for data reasons.
    """
    if outcome not in ("churn", "revenue"):
        raise ValueError(f"outcome is 'churn' or 'revenue', not {outcome!r}")
    return [_association_one(df, dimension, outcome) for dimension in dimensions]


def _association_one(df: pd.DataFrame, dimension: dict, outcome: str) -> dict:
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    key = dimension["key"]
    name = _dimension_name(dimension)
    result = {"dimension": key, "dimension_name": name, "outcome": outcome,
              "model": "logit" if outcome == "churn" else "wls_nrr",
              "effect": "odds_ratio_per_stage" if outcome == "churn" else "nrr_change_per_stage",
              "estimate": None, "ci_low": None, "ci_high": None, "coefficient": None,
              "p_value": None, "n": 0, "events": None, "controls": [], "dropped_controls": [],
              "wording": None, "error": None}
    if outcome == "churn":
        y = _flag(df["churned"]) if "churned" in df.columns else pd.Series(np.nan, index=df.index)
        weights = None
    else:
        start, end = _num(df, "revenue_start"), _num(df, "revenue_end")
        y = (end / start).where(start > 0)
        weights = start.where(start > 0)
    X, y, w, controls, dropped = _design(df, f"stage__{key}", y, weights)
    result.update(n=int(len(X)), controls=controls, dropped_controls=dropped)
    if outcome == "churn":
        result["events"] = int(y.sum())

    def fail(message):
        result["error"] = message
        result["wording"] = f"No estimate for {name}: {message}."
        return result

    if len(X) < X.shape[1] + 2:
        return fail(f"too few customers with known data ({len(X)})")
    if X["stage"].nunique() < 2:
        return fail("every customer is on the same stage")
    if outcome == "churn" and y.nunique() < 2:
        return fail("every customer has the same churn outcome")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PerfectSeparationWarning)
            warnings.simplefilter("error", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            if outcome == "churn":
                fit = sm.Logit(y, X).fit(disp=0, maxiter=100)
                if not fit.mle_retvals.get("converged", True):
                    return fail("the logistic regression did not converge")
            else:
                fit = sm.WLS(y, X, weights=w).fit(cov_type="HC1")
    except (PerfectSeparationError, PerfectSeparationWarning):
        return fail("perfect separation: the stage (or a control) predicts churn exactly")
    except ConvergenceWarning:
        return fail("the regression did not converge (possibly quasi-separation)")
    except (np.linalg.LinAlgError, ValueError) as exc:
        return fail(f"the regression could not be fitted ({exc})")

    coefficient = float(fit.params["stage"])
    low, high = (float(v) for v in fit.conf_int(alpha=ALPHA).loc["stage"])
    p_value = float(fit.pvalues["stage"])
    if not all(math.isfinite(v) for v in (coefficient, low, high, p_value)):
        return fail("the regression gave no finite estimate (singular or separated data)")
    if outcome == "churn":
        estimate, low, high = math.exp(coefficient), math.exp(low), math.exp(high)
        wording = _odds_wording(name, estimate, low, high, controls)
    else:
        estimate = coefficient
        wording = _nrr_wording(name, coefficient, low, high, controls)
    result.update(estimate=estimate, ci_low=low, ci_high=high, coefficient=coefficient,
                  p_value=p_value, wording=wording)
    return _clean(result)


# --------------------------------------------------------------------------------------------
# 4. step values


def step_values(df: pd.DataFrame, dimensions: list[dict], period_months: int = 12,
                currency: str = "", min_group: int = 30) -> list[dict]:
    """Money associated with moving customers one stage up, per adjacent pair of stages.

    For each dimension and s -> s+1: ``{dimension, dimension_name, from_stage, to_stage,
    from_index, to_index, customers_from, customers_to, retention_from, retention_to,
    revenue_per_customer_from, revenue_per_customer_to, revenue_per_customer_difference,
    retained_revenue, period_months, small, sentence}`` where

    ``retained_revenue = customers_from * (retention_to - retention_from)
    * revenue_per_customer_from * period_months`` (monthly revenue_start; retention over the
    observed window), ``revenue_per_customer_difference = revenue_per_customer_to -
    revenue_per_customer_from`` (monthly). NaN inputs give None. ``small`` is True when either
    group has fewer than ``min_group`` customers. ``sentence`` reads e.g. "Moving the 340
    customers at 'adopting' to 'proficient' is associated with €1.2M more retained revenue a
    year." with ``currency`` before the amount (default none).
    """
    table = stage_table(df, dimensions, min_group=min_group)
    steps = []
    for dimension in dimensions:
        rows = table[table["dimension"] == dimension["key"]].sort_values("stage_index")
        rows = rows.to_dict(orient="records")
        for low, high in zip(rows, rows[1:]):
            value = (low["customers"] * (high["retention_rate"] - low["retention_rate"])
                     * low["revenue_per_customer"] * period_months)
            small = bool(low["small"] or high["small"])
            step = {
                "dimension": dimension["key"], "dimension_name": _dimension_name(dimension),
                "from_stage": low["stage"], "to_stage": high["stage"],
                "from_name": _stage_name(dimension, low["stage_index"], low["stage"]),
                "to_name": _stage_name(dimension, high["stage_index"], high["stage"]),
                "from_index": low["stage_index"], "to_index": high["stage_index"],
                "customers_from": low["customers"], "customers_to": high["customers"],
                "retention_from": low["retention_rate"], "retention_to": high["retention_rate"],
                "revenue_per_customer_from": low["revenue_per_customer"],
                "revenue_per_customer_to": high["revenue_per_customer"],
                "revenue_per_customer_difference": high["revenue_per_customer"]
                - low["revenue_per_customer"],
                "retained_revenue": value, "period_months": period_months, "small": small,
            }
            step["sentence"] = _step_sentence(step, value, period_months, currency)
            steps.append(_clean(step))
    return steps


def _period_phrase(period_months: int) -> str:
    if period_months == 12:
        return "a year"
    if period_months == 1:
        return "a month"
    return f"over {period_months} months"


def _step_sentence(step: dict, value: float, period_months: int, currency: str) -> str:
    src, dst = step.get("from_name", step["from_stage"]), step.get("to_name", step["to_stage"])
    count = step["customers_from"]
    if count == 0:
        return f"No customers are at '{src}', so moving them to '{dst}' has no value to show."
    if value is None or not math.isfinite(value):
        return (f"Not enough data to value moving the {count:,} customers at '{src}' to "
                f"'{dst}' (retention or revenue unknown for one of the stages).")
    who = "customer" if count == 1 else "customers"
    sentence = (f"Moving the {count:,} {who} at '{src}' to '{dst}' is associated with "
                f"{format_money(abs(value), currency)} {'more' if value >= 0 else 'less'} "
                f"retained revenue {_period_phrase(period_months)}.")
    if step["small"]:
        sentence += " A group is small, so treat this with caution."
    return sentence


# --------------------------------------------------------------------------------------------
# 5. movers vs stayers


def movers_vs_stayers(df: pd.DataFrame, min_group: int = 30) -> dict:
    """Churn and NRR of customers who moved up a stage (``moved_up``) vs those who did not.

    Returns ``{available, reason, movers, stayers, difference, wording}``; ``movers`` and
    ``stayers`` each ``{customers, churned, churn_rate, ci_low, ci_high, retention_rate,
    revenue_per_customer, nrr, small}`` (Wilson 95% intervals). ``difference`` is
    ``{churn_rate, ci_low, ci_high, nrr}``: movers minus stayers; the churn difference's 95% CI
    is Newcombe's hybrid score interval (statsmodels ``confint_proportions_2indep``). Rows with
    unknown ``moved_up`` are left out. ``available`` is False (with ``reason``) when there is no
    ``moved_up`` column or one of the groups is empty.
    """
    empty = {"available": False, "reason": None, "movers": None, "stayers": None,
             "difference": None, "wording": None}
    if "moved_up" not in df.columns:
        return {**empty, "reason": "no moved_up column"}
    moved = _flag(df["moved_up"])
    movers, stayers = df[moved == 1], df[moved == 0]
    if movers.empty or stayers.empty:
        return {**empty, "reason": "no customer moved up" if movers.empty
                else "every customer moved up"}
    a, b = _group_summary(movers, min_group), _group_summary(stayers, min_group)
    known_a = int(_flag(movers["churned"]).notna().sum()) if "churned" in df.columns else 0
    known_b = int(_flag(stayers["churned"]).notna().sum()) if "churned" in df.columns else 0
    difference = {"churn_rate": a["churn_rate"] - b["churn_rate"], "ci_low": math.nan,
                  "ci_high": math.nan, "nrr": a["nrr"] - b["nrr"]}
    if known_a and known_b:
        from statsmodels.stats.proportion import confint_proportions_2indep

        low, high = confint_proportions_2indep(a["churned"], known_a, b["churned"], known_b,
                                               method="newcomb", compare="diff", alpha=ALPHA)
        difference.update(ci_low=float(low), ci_high=float(high))
    wording = _movers_wording(a, b, difference)
    return _clean({"available": True, "reason": None, "movers": a, "stayers": b,
                   "difference": difference, "wording": wording})


def _movers_wording(a: dict, b: dict, difference: dict) -> str:
    if math.isnan(difference["churn_rate"]):
        return "Churn is unknown for movers or stayers, so they cannot be compared."
    points = difference["churn_rate"] * 100
    low, high = difference["ci_low"] * 100, difference["ci_high"] * 100
    direction = "lower" if points < 0 else "higher"
    note = "" if (high < 0 or low > 0) else "; the data are also consistent with no difference"
    text = (f"Customers who moved up churned at {a['churn_rate']:.1%} versus "
            f"{b['churn_rate']:.1%} for those who did not: {abs(points):.1f} percentage points "
            f"{direction} (most likely between {low:+.1f} and {high:+.1f} points{note}).")
    if not math.isnan(difference["nrr"]):
        text += (f" Net revenue retention was {a['nrr']:.0%} versus {b['nrr']:.0%}.")
    text += (f" {CAUTION[0].upper()}{CAUTION[1:]}: customers who move up may differ in other "
             "ways.")
    if a["small"] or b["small"]:
        text += " A group is small, so treat this with caution."
    return text


# --------------------------------------------------------------------------------------------
# 6. transformation-index bands


def index_bands(df: pd.DataFrame, index_col: str = "index",
                bands: Sequence[float] = (0, 25, 50, 75, 100), min_group: int = 30) -> list[dict]:
    """Revenue per customer and churn per band of the transformation index (for a chart).

    Bands are [b0, b1), [b1, b2), ..., with the last one closed: [b(n-1), bn]. Each item:
    ``{band, low, high, customers, churned, churn_rate, ci_low, ci_high, retention_rate,
    revenue_per_customer, nrr, small}`` with ``band`` a label such as "25–50". Customers with
    no index or one outside the bands are left out.
    """
    edges = [float(b) for b in bands]
    if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:])):
        raise ValueError("bands must be at least two increasing edges")
    index = _num(df, index_col)
    out = []
    for i, (low, high) in enumerate(zip(edges, edges[1:])):
        last = i == len(edges) - 2
        mask = (index >= low) & ((index <= high) if last else (index < high))
        label = f"{low:g}–{high:g}"
        out.append(_clean({"band": label, "low": low, "high": high,
                           **_group_summary(df[mask], min_group)}))
    return out
