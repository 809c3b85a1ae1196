"""Preview an edited (not yet applied) model on today's data, beside the latest snapshot."""

import datetime as dt

import duckdb
from django.core.exceptions import ValidationError

from becoming.customers.actions import engine_customers
from becoming.engine import ModelError, assess
from becoming.signals.actions import store_for
from becoming.transformation.actions import format_issue, validate_text

from .actions import latest_snapshot, summarise
from .models import Snapshot


def preview_distribution(workspace, text: str, as_of: dt.date | None = None) -> dict:
    """Customers per stage under `text`, beside the numbers of the latest snapshot.

    Returns {"as_of", "index", "customers", "dimensions": [{key, name, target_index,
    stages: [{key, name, count, today, change}]}]}; `today` and `change` are None where the
    latest snapshot has no such dimension or stage (matched by keys, not positions). Raises
    ValidationError with line-precise messages when the text is not a valid model for this
    workspace's data. Nothing is stored.
    """
    model, issues = validate_text(text, workspace)
    if issues:
        raise ValidationError([format_issue(i) for i in issues])
    as_of = as_of or dt.date.today()
    con = duckdb.connect()
    con.register("customers", engine_customers(workspace))
    store_for(workspace).register(con, "signals")
    try:
        result = assess(model, as_of, con)
    except ModelError as exc:
        raise ValidationError([format_issue(i) for i in exc.errors]) from None
    summary = summarise(model, con, result.table)
    today = _today_counts(latest_snapshot(workspace))
    dims = []
    for dim in model.dimensions:
        counts = summary["dimensions"][dim.key]
        before = today.get(dim.key, {})
        dims.append({
            "key": dim.key, "name": dim.name, "target_index": dim.target_index,
            "stages": [{"key": s.key, "name": s.name, "count": counts[i], "today": before.get(s.key),
                        "change": None if s.key not in before else counts[i] - before[s.key]}
                       for i, s in enumerate(dim.stages)],
        })
    return {"as_of": as_of, "index": summary["index"], "customers": result.table.num_rows,
            "dimensions": dims}


def _today_counts(snapshot: Snapshot | None) -> dict[str, dict[str, int]]:
    """{dimension key: {stage key: customers}} of a snapshot."""
    if snapshot is None:
        return {}
    model = snapshot.model_version.parsed()
    out = {}
    for dim in model.dimensions:
        counts = snapshot.summary.get("dimensions", {}).get(dim.key, [])
        out[dim.key] = {s.key: (counts[i] if i < len(counts) else 0) for i, s in enumerate(dim.stages)}
    return out
