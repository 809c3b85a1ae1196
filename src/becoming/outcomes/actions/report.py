"""The outcome report: how customers at each stage renew, churn and spend.

No-leakage mode (a window is given): stages are measured as of T, and only outcomes in the
window after T count, among customers who had not churned by T, so an outcome cannot have
caused the stage it is compared with. Without a window every recorded outcome counts
(descriptive: quick, but the outcome may have shaped the stage).

The pages read the report through ``cached_report``, kept until the data change.
"""

import datetime as dt
import math
import re

import duckdb
import numpy as np
import pandas as pd
from django.core.cache import cache
from django.core.exceptions import ValidationError

from becoming.assessments.actions import assess_workspace
from becoming.assessments.models import Snapshot
from becoming.customers.models import Attribute, Customer
from becoming.signals.actions import store_for
from becoming.transformation.actions import current_version

from .. import stats
from .formats import currency_prefix
from .window import parse_window, today

SIZE_NAMES = re.compile(r"^(employees|seats|users|size|headcount|company size)$", re.I)
TENURE_MONTHS = re.compile(r"^tenure([ _]?months)?$", re.I)
SINCE_NAMES = re.compile(r"(customer since|signup|signed up|start date|created)", re.I)
# Revenue attributes, per month or per year, used when no revenue outcomes were imported.
MONTHLY_NAMES = re.compile(r"^(mrr|monthly ?charges?|monthly ?revenue|revenue)$", re.I)
YEARLY_NAMES = re.compile(r"^(arr|annual ?revenue|yearly ?revenue)$", re.I)
CACHE_SECONDS = 60 * 60


def stages_as_of(workspace, as_of: dt.date):
    """(model, wide result as pandas) for every customer as of a date, from a snapshot if one fits."""
    version = current_version(workspace)
    if version is None:
        raise ValidationError("this workspace has no transformation model yet: apply one first")
    model = version.parsed()
    snap = (Snapshot.objects.filter(workspace=workspace, as_of=as_of, model_version=version)
            .order_by("-created").first())
    if snap is not None:
        return model, pd.read_parquet(snap.path)
    return model, assess_workspace(workspace, model, as_of)[0].table.to_pandas()


def outcome_frame(workspace, as_of: dt.date, window_days: int | None) -> tuple[pd.DataFrame, list[dict]]:
    """One row per customer: stages, index, churn, revenue, controls (see stats' input contract)."""
    model, wide = stages_as_of(workspace, as_of)
    dims = [{"key": d.key, "name": d.name, "stages": [{"key": s.key, "name": s.name} for s in d.stages],
             "target_index": d.target_index}
            for d in model.dimensions]
    outcomes = _outcomes(workspace, as_of, window_days)
    frame = wide[["customer_id", "index"] + [f"stage__{d['key']}" for d in dims]].merge(
        outcomes, on="customer_id", how="left")
    if window_days is not None:  # only customers who were still customers at T
        frame = frame[~frame["churned_before"].astype("boolean").fillna(False).astype(bool)]
    frame["churned"] = frame["churned"].astype("boolean").fillna(False).astype(bool)
    types = dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type"))
    values = dict(Customer.objects.filter(workspace=workspace).values_list("id", "attributes"))
    rows = [values.get(cid, {}) for cid in frame["customer_id"]]
    _controls(frame, types, rows, as_of)
    if frame["revenue_start"].isna().all():
        _revenue_from_attribute(frame, types, rows)
    frame["moved_up"] = _moved_up(workspace, frame["customer_id"], as_of, window_days)
    return frame.reset_index(drop=True), dims


def _outcomes(workspace, as_of, window_days) -> pd.DataFrame:
    cutoff = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    end = cutoff + dt.timedelta(days=window_days) if window_days is not None else None
    data_end = dt.datetime.combine(today() + dt.timedelta(days=1), dt.time())
    con = duckdb.connect()
    store_for(workspace).register(con, "signals")
    windowed = end is not None
    churn_cond = "time >= $cutoff AND time < $end" if windowed else "TRUE"
    frame = con.execute(f"""
        SELECT customer_id,
          bool_or(type = 'churn' AND time < $cutoff) AS churned_before,
          bool_or(type = 'churn' AND {churn_cond}) AS churned,
          min(CASE WHEN type = 'churn' AND {churn_cond} THEN time END) AS churn_time,
          arg_max(value, time) FILTER (WHERE type = 'revenue' AND time < $cutoff) AS revenue_start,
          arg_max(value, time) FILTER (WHERE type = 'revenue' AND time < $last) AS revenue_last
        FROM signals WHERE kind = 'outcome' GROUP BY customer_id
    """, {"cutoff": cutoff, "last": end or data_end, **({"end": end} if windowed else {})}).df()
    frame["revenue_end"] = np.where(frame["churned"].fillna(False), 0.0, frame["revenue_last"])
    if end is not None:  # windowed (spelled so for the type checker)
        observed = min(end, data_end) - cutoff
        frame["duration_days"] = np.where(
            frame["churned"].fillna(False),
            (frame["churn_time"] - cutoff).dt.total_seconds() / 86400,
            observed.total_seconds() / 86400)
    else:
        frame["duration_days"] = np.nan
    return frame.drop(columns=["churn_time", "revenue_last"])


def _controls(frame: pd.DataFrame, types: dict, rows: list[dict], as_of: dt.date) -> None:
    """Size and tenure from the customer attributes whose names say so (or missing).

    `rows` are the customers' attributes in `frame`'s order; `types` maps names to types.
    """
    size = next((n for n, t in types.items() if t == "number" and SIZE_NAMES.match(n)), None)
    months = next((n for n, t in types.items() if t == "number" and TENURE_MONTHS.match(n)), None)
    since = next((n for n, t in types.items() if t == "date" and SINCE_NAMES.search(n)), None)
    frame["size"] = [_num(r.get(size)) for r in rows] if size else np.nan
    if months:
        frame["tenure_days"] = [_num(r.get(months)) * 30.4 for r in rows]
    elif since:
        frame["tenure_days"] = [(as_of - dt.date.fromisoformat(r[since])).days if r.get(since) else np.nan
                                for r in rows]
    else:
        frame["tenure_days"] = np.nan


def _revenue_from_attribute(frame: pd.DataFrame, types: dict, rows: list[dict]) -> None:
    """Monthly revenue from an attribute like MRR or MonthlyCharges, else ARR ÷ 12."""
    numbers = [n for n, t in types.items() if t == "number"]
    name, divisor = next((n for n in numbers if MONTHLY_NAMES.match(n.strip())), None), 1
    if name is None:
        name, divisor = next((n for n in numbers if YEARLY_NAMES.match(n.strip())), None), 12
    if name is None:
        return
    frame["revenue_start"] = [_num(r.get(name)) / divisor for r in rows]
    frame["revenue_end"] = np.where(frame["churned"], 0.0, frame["revenue_start"])
    frame.attrs["revenue_source"] = name


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _moved_up(workspace, customer_ids, as_of, window_days):
    """Whether each customer moved up on any dimension in the window before `as_of`."""
    from becoming.assessments.actions import stage_changes

    if window_days is None:
        return False
    since = as_of - dt.timedelta(days=window_days)
    up = set(stage_changes(workspace, direction="up").filter(as_of__gt=since, as_of__lte=as_of)
             .values_list("customer_id", flat=True))
    return [cid in up for cid in customer_ids]


def build_report(workspace, outcome: str = "churn", as_of: dt.date | None = None,
                 window: str | None = None, currency: str = "") -> dict:
    """Everything the page, the API and the CLI show, as plain data."""
    if outcome not in ("churn", "revenue"):
        raise ValidationError("--outcome is churn or revenue")
    window_days = parse_window(window)
    as_of = as_of or (today() - dt.timedelta(days=window_days) if window_days else today())
    frame, dims = outcome_frame(workspace, as_of, window_days)
    if frame.empty:
        raise ValidationError("no customers to report on")
    has_outcomes = bool(frame["churned"].any() or frame["revenue_start"].notna().any())
    report = {
        "outcome": outcome, "as_of": as_of.isoformat(), "window_days": window_days,
        "mode": "no-leakage" if window_days else "descriptive", "customers": int(len(frame)),
        "has_outcomes": has_outcomes, "revenue_source": frame.attrs.get("revenue_source", "outcomes"),
        "stages": _records(stats.stage_table(frame, dims)),
        "association": stats.association(frame, dims, outcome=outcome),
        "steps": stats.step_values(frame, dims, currency=currency),
        "movers": stats.movers_vs_stayers(frame) if window_days else None,
        "index_bands": _records(stats.index_bands(frame)),
        "survival": {d["key"]: stats.survival_curves(frame, d) for d in dims} if window_days else {},
    }
    return _clean(report)


def cached_report(workspace, outcome: str = "churn", as_of: dt.date | None = None,
                  window: str | None = None) -> dict:
    """`build_report`, kept until the data change: a new snapshot, model or signal write.

    The key also holds today's date, since the default as-of date and the data's end move
    with it.
    """
    snapshot = (Snapshot.objects.filter(workspace=workspace).order_by("-id")
                .values_list("id", flat=True).first())
    version = current_version(workspace)
    key = ":".join(str(part) for part in (
        "outcomes", workspace.pk, snapshot, version.pk if version else None,
        store_for(workspace).version(), today(), outcome, as_of, window or "", workspace.currency))
    report = cache.get(key)
    if report is None:
        report = build_report(workspace, outcome, as_of=as_of, window=window or None,
                              currency=currency_prefix(workspace.currency))
        cache.set(key, report, CACHE_SECONDS)
    return report


def _records(table) -> list[dict]:
    return table.to_dict(orient="records") if isinstance(table, pd.DataFrame) else list(table)


def _clean(value):
    """JSON-safe: NaN and infinities become None, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
