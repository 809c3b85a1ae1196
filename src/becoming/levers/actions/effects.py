"""Lever effects of a workspace: stages as of each date from the engine, actions from signals.

Stages as of a date come from the snapshot of exactly that date under the current model when
there is one (the month-end history), else from a fresh assessment (`assess_workspace`): one
DuckDB query per date. Every signal type with a lever prefix (``engage.``, ``inform.``,
``connect.``, ``portal.``, ``playbook.``, ``levers.``...: any type holding a dot) is an action
by default; ``--actions`` names others, product events included, and takes ``prefix.*``.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from becoming import registry
from becoming.assessments.actions import assess_workspace
from becoming.assessments.models import Snapshot
from becoming.customers.models import Attribute, Customer
from becoming.engine import assess
from becoming.engine.windows import WindowError, window_days
from becoming.signals.actions import store_for
from becoming.transformation.actions import current_version

from .. import effects as engine

DEFAULT_WINDOW = "90d"
DEFAULT_LOOKBACK = "30d"
DEFAULT_EVERY = "1m"
DEFAULT_DATES = 12
CACHE_SECONDS = 6 * 60 * 60
DEFAULT_PARAMS = {"actions": None, "window": DEFAULT_WINDOW, "lookback": DEFAULT_LOOKBACK,
                  "start": None, "end": None, "every": DEFAULT_EVERY, "by": ()}
QUARTILES = ("lowest quarter", "second quarter", "third quarter", "highest quarter")


def today() -> dt.date:
    return timezone.now().date()


def span(text: str, option: str) -> int:
    """Days in a span like 90d or 3m; a clear error naming the option otherwise."""
    try:
        days = window_days(text)
    except WindowError as exc:
        raise ValidationError(f"{option}: {exc}") from None
    if days < 1:
        raise ValidationError(f"{option}: {text!r} is empty: give at least one day")
    return days


def every_step(text: str) -> tuple[int, int]:
    """--every as (days, months): '1m' and '1y' step by calendar months, others by days."""
    found = text.strip().lower() if isinstance(text, str) else ""
    if found.endswith("m") and found[:-1].isdigit() and int(found[:-1]) > 0:
        return 0, int(found[:-1])
    if found.endswith("y") and found[:-1].isdigit() and int(found[:-1]) > 0:
        return 0, 12 * int(found[:-1])
    return span(text, "--every"), 0


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def plan_dates(start: dt.date | None, end: dt.date | None, every: str, window: int) -> list[dt.date]:
    """The as-of dates: by default the last twelve month ends whose window has passed."""
    days, months = every_step(every)
    last_possible = today() - dt.timedelta(days=window)
    if end is None:  # the last month end (or day, stepping by days) whose window has passed
        end = last_possible
        if months and month_end(end) != end:
            end = end.replace(day=1) - dt.timedelta(days=1)
    if end > last_possible:
        raise ValidationError(f"--to {end}: its window of {window} days reaches past today "
                              f"({today()}); give --to {last_possible} or earlier")
    if start is None:
        start = (engine._add_months(end, -months * (DEFAULT_DATES - 1)) if months
                 else end - dt.timedelta(days=days * (DEFAULT_DATES - 1)))
    if start > end:
        raise ValidationError(f"--from {start} is after --to {end}")
    dates = engine.as_of_dates(start, end, days, months)
    if len(dates) > 120:
        raise ValidationError(f"{len(dates)} as-of dates from {start} to {end}: at most 120; "
                              "take a longer --every or a shorter period")
    return dates


def model_dimensions(workspace) -> list[dict]:
    version = current_version(workspace)
    if version is None:
        raise ValidationError("this workspace has no transformation model yet: apply one first")
    return [{"key": d.key, "name": d.name, "weight": d.weight, "target_index": d.target_index,
             "stages": [{"key": s.key, "name": s.name} for s in d.stages]}
            for d in version.parsed().dimensions]


def stages_table(workspace, dates: list[dt.date], progress=None) -> pa.Table:
    """customer_id, as_of, dimension, stage, top for every date (see the module docstring)."""
    report = progress or (lambda *a, **k: None)
    version = current_version(workspace)
    if version is None:
        raise ValidationError("this workspace has no transformation model yet: apply one first")
    model = version.parsed()
    snapshots = {s.as_of: s.path for s in Snapshot.objects.filter(
        workspace=workspace, model_version=version, as_of__in=dates).order_by("created")}
    parts = []
    con = None
    for i, day in enumerate(dates):
        report(i, total=len(dates), message=f"stages as of {day}")
        if day in snapshots:
            wide = pq.read_table(snapshots[day])
        elif con is None:  # the first date opens DuckDB over the workspace; the others reuse it
            result, con = assess_workspace(workspace, model, day)
            wide = result.table
        else:
            wide = assess(model, day, con).table
        ids = wide.column("customer_id")
        for dim in model.dimensions:
            n = wide.num_rows
            parts.append(pa.table({
                "customer_id": ids.cast(pa.int64()),
                "as_of": pa.array([day] * n, pa.date32()),
                "dimension": pa.array([dim.key] * n, pa.string()),
                "stage": wide.column(f"stage__{dim.key}").cast(pa.int32()),
                "top": pa.array([len(dim.stages) - 1] * n, pa.int32()),
            }))
    report(len(dates), total=len(dates), message="stages done")
    if not parts:
        return pa.table({"customer_id": pa.array([], pa.int64()), "as_of": pa.array([], pa.date32()),
                         "dimension": pa.array([], pa.string()), "stage": pa.array([], pa.int32()),
                         "top": pa.array([], pa.int32())})
    return pa.concat_tables(parts)


def action_types(workspace, wanted: list[str] | None = None) -> list[str]:
    """The action types to measure: every type with a dot by default, else those named
    (``prefix.*`` patterns allowed); an unknown name is an error that lists what exists."""
    con = duckdb.connect()
    store_for(workspace).register(con, "signals")
    present = [r[0] for r in con.execute(
        "SELECT DISTINCT type FROM signals WHERE kind <> 'outcome' AND type IS NOT NULL ORDER BY 1"
    ).fetchall()]
    con.close()
    if not wanted:
        return [t for t in present if "." in t]
    out: list[str] = []
    for name in wanted:
        matches = fnmatch.filter(present, name) if any(ch in name for ch in "*?[") else \
            ([name] if name in present else [])
        if not matches:
            near = ", ".join(present[:12]) or "none yet"
            raise ValidationError(f"--actions: no signals of type {name!r} in this workspace "
                                  f"(types present: {near})")
        out += [m for m in matches if m not in out]
    return out


def actions_table(workspace, types: list[str]) -> pa.Table:
    con = duckdb.connect()
    store_for(workspace).register(con, "signals")
    quoted = ", ".join("'" + t.replace("'", "''") + "'" for t in types) or "NULL"
    table = con.sql("SELECT customer_id, type, time FROM signals WHERE kind <> 'outcome' "
                    f"AND type IN ({quoted})").to_arrow_table()
    con.close()
    return table


def churn_table(workspace) -> pa.Table:
    """customer_id, day of each customer's first churn outcome (none: an empty table)."""
    con = duckdb.connect()
    store_for(workspace).register(con, "signals")
    table = con.sql("SELECT customer_id, CAST(min(time) AS DATE) AS day FROM signals "
                    "WHERE kind = 'outcome' AND type = 'churn' GROUP BY customer_id").to_arrow_table()
    con.close()
    return table


def attributes_table(workspace, by: tuple[str, ...]) -> pa.Table | None:
    """customer_id and one text column per --by attribute; numbers in quarters."""
    if not by:
        return None
    types = dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type"))
    for name in by:
        if name not in types:
            raise ValidationError(f"--by {name!r}: no such customer attribute "
                                  f"(attributes: {', '.join(sorted(types)) or 'none'})")
    rows = list(Customer.objects.filter(workspace=workspace).values_list("id", "attributes"))
    columns: dict[str, Any] = {"customer_id": pa.array([r[0] for r in rows], pa.int64())}
    for name in by:
        values = [(r[1] or {}).get(name) for r in rows]
        if types[name] == "number":
            numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
            labels = _quarters(numbers)
        else:
            labels = [None if v is None or v == "" else str(v) for v in values]
        columns[name] = pa.array(labels, pa.string())
    return pa.table(columns)


def _quarters(numbers: pd.Series) -> list[str | None]:
    known = numbers.dropna()
    if known.empty:
        return [None] * len(numbers)
    edges = np.quantile(known, [0.25, 0.5, 0.75])
    out: list[str | None] = []
    for v in numbers:
        out.append(None if pd.isna(v) else QUARTILES[int(np.searchsorted(edges, v, side="left"))])
    return out


def lever_effects(workspace, actions: list[str] | None = None, window: str = DEFAULT_WINDOW,
                  lookback: str = DEFAULT_LOOKBACK, start: dt.date | None = None,
                  end: dt.date | None = None, every: str = DEFAULT_EVERY, by: tuple[str, ...] = (),
                  progress=None) -> dict:
    """Effects of every action on every dimension, with the stage-level table behind them.

    Returns {"rows": [COLUMNS...], "strata": [...], "dates", "window_days", "lookback_days",
    "by", "dimensions" (the model's, for names)}.
    """
    window_n = span(window, "--window")
    lookback_n = span(lookback, "--lookback")
    dimensions = model_dimensions(workspace)
    dates = plan_dates(start, end, every, window_n)
    types = action_types(workspace, actions)
    attrs = attributes_table(workspace, tuple(by))
    stages = stages_table(workspace, engine.needed_dates(dates, window_n), progress)
    gone = churn_table(workspace)  # customers who had churned by T are no comparison at T
    result = engine.compute(stages, actions_table(workspace, types), dates, window_days=window_n,
                            lookback_days=lookback_n, action_types=types, attributes=attrs,
                            by=tuple(by), gone=gone)
    randomized = []
    if "playbook.enrolled" in types and "playbook.holdout" in types:
        held = engine.compute(stages, actions_table(workspace, ["playbook.enrolled", "playbook.holdout"]),
                              dates, window_days=window_n, lookback_days=lookback_n,
                              action_types=["playbook.enrolled", "playbook.holdout"],
                              among=("playbook.enrolled", "playbook.holdout"), gone=gone)
        randomized = _records(held.rows[held.rows.action == "playbook.enrolled"])
    order = {d["key"]: i for i, d in enumerate(dimensions)}
    rows = result.rows.assign(_o=result.rows["dimension"].map(order)).sort_values(
        ["action", "_o"]).drop(columns="_o")
    return {"rows": _records(rows), "strata": _records(result.strata), "randomized": randomized,
            "dates": dates,
            "window_days": window_n, "lookback_days": lookback_n, "by": list(by),
            "dimensions": dimensions}


def cached_effects(workspace, compute: bool = True, **params) -> dict | None:
    """`lever_effects`, kept until the data change (signals, model, snapshots); with
    ``compute=False`` only what is kept already (None otherwise), for pages that must be quick."""
    import hashlib

    params = {**DEFAULT_PARAMS, **params}
    snapshot = Snapshot.objects.filter(workspace=workspace).order_by("-id").values_list(
        "id", flat=True).first()
    version = current_version(workspace)
    asked = hashlib.sha256(repr(sorted(params.items())).encode()).hexdigest()[:16]
    key = ":".join(str(p) for p in (
        "levers", workspace.pk, snapshot, version.pk if version else None,
        store_for(workspace).version(), today(), asked))
    latest = f"levers-latest:{workspace.pk}:{asked}"
    found = cache.get(key)
    if found is None and compute:
        found = lever_effects(workspace, **params)
        cache.set(key, found, CACHE_SECONDS)
        cache.set(latest, found, CACHE_SECONDS)
    elif found is None:  # quick pages: the last measurement, even if a signal came since
        found = cache.get(latest)
    return found


def action_label(type_: str) -> str:
    """The name people read for an action type."""
    known = registry.LEVER_ACTIONS.get(type_)
    if known:
        return known.label
    prefix, _, rest = type_.partition(".")
    if not rest:
        return type_.replace("_", " ")
    return f"{prefix.capitalize()}: {rest.replace('_', ' ').replace('.', ' ')}"


def _records(frame: pd.DataFrame) -> list[dict]:
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({k: _clean(v) for k, v in row.items()})
    return out


def _clean(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    return value


def page(workspace, **params) -> dict:
    """What the lever-effects page draws: per dimension, the actions with uplift and interval."""
    data = cached_effects(workspace, **params)
    assert data is not None
    charts = []
    for dim in data["dimensions"]:
        rows = [r for r in data["rows"] if r["dimension"] == dim["key"] and r["uplift"] is not None]
        rows.sort(key=lambda r: -r["uplift"])
        charts.append({
            "key": dim["key"], "name": dim["name"], "height": 70 + 30 * len(rows),
            "rows": [{**r, "label": action_label(r["action"]),
                      "treated_rate": _pct(_share(r["treated_moved_up"], r["treated"])),
                      "control_rate": _pct(_share(r["control_moved_up"], r["control"])),
                      "uplift_text": f"{100 * r['uplift']:+.1f} pts "
                                     f"[{100 * r['ci_low']:+.1f} to {100 * r['ci_high']:+.1f}]",
                      "clear": r["ci_low"] is not None and (r["ci_low"] > 0 or r["ci_high"] < 0)}
                     for r in rows],
            "chart": {"labels": [action_label(r["action"]) for r in rows],
                      "uplift": [round(100 * r["uplift"], 1) for r in rows],
                      "low": [round(100 * r["ci_low"], 1) for r in rows],
                      "high": [round(100 * r["ci_high"], 1) for r in rows]},
        })
    names = {d["key"]: d["name"] for d in data["dimensions"]}
    order = {d["key"]: i for i, d in enumerate(data["dimensions"])}
    holdout = [{**r, "dimension_name": names.get(r["dimension"], r["dimension"]),
                "treated_rate": _pct(_share(r["treated_moved_up"], r["treated"])),
                "control_rate": _pct(_share(r["control_moved_up"], r["control"])),
                "uplift_text": "–" if r["uplift"] is None else
                f"{100 * r['uplift']:+.1f} pts [{100 * r['ci_low']:+.1f} to {100 * r['ci_high']:+.1f}]"}
               for r in sorted(data.get("randomized", []), key=lambda r: order.get(r["dimension"], 0))]
    return {"charts": charts, "holdout": holdout, "dates": data["dates"],
            "window_days": data["window_days"],
            "lookback_days": data["lookback_days"], "actions": len({r["action"] for r in data["rows"]})}


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.0f}%"


def _share(count, total) -> float | None:
    return count / total if total else None
