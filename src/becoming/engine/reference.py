"""Plain-Python reference implementation of the assessment, used only by tests to check the
compiled SQL on random data. Written for obviousness, not speed: each rule of the semantics
is one small function.

Contract: `assess(model, as_of, customers, signals, attribute_types=None)` takes customers as
dicts (customer_id plus attributes; a missing key is NULL) and signals as dicts (customer_id,
kind, type, time: datetime, value: float|None) and returns one dict per customer, in input
order, with customer_id, stage__<dim>, progress__<dim> and index.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from becoming.engine.compiler import cutoff_of, resolve_types
from becoming.engine.criteria import (
    AllOf,
    AnswerCriterion,
    AnyOf,
    AttributeCriterion,
    EventCriterion,
    Not,
    coerce_literal,
)
from becoming.engine.schema import Model


def assess(model: Model, as_of: date, customers: list[dict], signals: list[dict],
           attribute_types: dict[str, str] | None = None) -> list[dict]:
    types = resolve_types(model, attribute_types)
    cutoff = cutoff_of(as_of)
    by_customer: dict = {}
    for sig in signals:
        if sig["time"] < cutoff:
            by_customer.setdefault(sig["customer_id"], []).append(sig)
    rows = []
    for cust in customers:
        ctx = (as_of, cutoff, types, cust, by_customer.get(cust["customer_id"], []))
        row: dict = {"customer_id": cust["customer_id"]}
        weighted = 0.0
        for dim in model.dimensions:
            stage, progress = _dimension(dim, ctx)
            row[f"stage__{dim.key}"] = stage
            row[f"progress__{dim.key}"] = progress
            weighted += dim.weight * progress
        row["index"] = 100.0 * weighted / sum(d.weight for d in model.dimensions)
        rows.append(row)
    return rows


def _dimension(dim, ctx) -> tuple[int, float]:
    stage = 0
    for k, st in enumerate(dim.stages[1:], start=1):
        if not all(holds(c, ctx) for c in st.when):
            break
        stage = k
    t = dim.target_index
    if stage >= t:
        return stage, 1.0
    nxt = dim.stages[stage + 1].when
    partial = sum(1.0 for c in nxt if holds(c, ctx)) / float(len(nxt))
    return stage, (float(stage) + partial) / float(t)


def holds(c, ctx) -> bool:
    if isinstance(c, AllOf):
        return all(holds(x, ctx) for x in c.items)
    if isinstance(c, AnyOf):
        return any(holds(x, ctx) for x in c.items)
    if isinstance(c, Not):
        return not holds(c.item, ctx)
    if isinstance(c, AttributeCriterion):
        return _attribute(c, ctx)
    value = observe(c, ctx)
    if value is None:  # nothing observed: a leaf is false, never unknown
        return False
    if isinstance(c, AnswerCriterion) and c.equals is not None:
        return value == c.equals
    return _in_range(value, c.at_least, c.at_most)


def _in_range(value, lo, hi) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def _attribute(c: AttributeCriterion, ctx) -> bool:
    types, cust = ctx[2], ctx[3]
    kind = types.get(c.name, "text")
    value = cust.get(c.name)
    if c.op == "present":
        return (value is not None) == c.value
    if value is None:
        return False
    if isinstance(value, datetime):
        value = value.date()

    def lit(x):
        return coerce_literal(x, kind)

    if c.op == "equals":
        return value == lit(c.value)
    if c.op == "not_equals":
        return value != lit(c.value)
    if c.op == "in":
        return value in [lit(x) for x in c.value]
    return _in_range(value, lit(c.at_least) if c.at_least is not None else None,
                     lit(c.at_most) if c.at_most is not None else None)


def observe(c, ctx):
    """The observed value of an event or answer leaf (None when there is nothing to see)."""
    as_of, cutoff, _, _, sigs = ctx
    if isinstance(c, AnswerCriterion):
        answers = [s for s in sigs if s["kind"] == "answer" and s["type"] == c.question]
        if not answers:
            return None
        # Latest wins; on a tie the larger value, with NULL the smallest.
        latest = max(answers, key=lambda s: (s["time"], s["value"] is not None,
                                             s["value"] or 0.0))
        return latest["value"]
    assert isinstance(c, EventCriterion)
    start = cutoff - timedelta(days=c.within_days) if c.within_days is not None else None
    rows = [s for s in sigs if s["kind"] == "event" and s["type"] == c.type
            and (start is None or s["time"] >= start)]
    if c.measure == "count":
        return len(rows)
    if c.measure == "sum":
        return sum(s["value"] for s in rows if s["value"] is not None)
    if c.measure == "distinct_days":
        return len({s["time"].date() for s in rows})
    if not rows:
        return None
    return (as_of - max(s["time"] for s in rows).date()).days
