"""Next best action: for each customer, the actions ranked by expected gain, with a reason.

expected gain = the action's effect on the probability of moving up from the customer's stage
(treated minus control share at that stage, from the lever effects) × the dimension's weight ×
the stages still to go to its target. Only actions whose pooled effect on the dimension is
clearly above zero (the 95% interval's lower end > 0) are offered, and only what is possible
now: not an action the customer already had in the last ``recent_days`` (a meeting last week,
content already read), and not one a lever's check refuses (``registry.LeverAction.check``,
e.g. no introduction for a contact who did not opt in).
"""

from __future__ import annotations

import datetime as dt

import duckdb
from django.core.exceptions import ValidationError

from becoming import registry
from becoming.customers.models import Customer
from becoming.signals.actions import store_for

from .. import effects as engine
from .effects import action_label, cached_effects, today

RECENT_DAYS = 30
MIN_COUNT = 5  # treated and control customer-dates at a stage before its rate is quoted
# Signals that are not something to do for a customer (a holdout is the absence of a playbook).
NOT_ACTIONS = {"playbook.holdout"}
COLUMNS = ["customer_id", "rank", "action", "dimension", "expected_gain", "reason"]


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def candidates(effects: dict) -> dict:
    """{(dimension, stage): [(action, stage uplift, reason)]} from the effects' strata."""
    credible = {(r["action"], r["dimension"]) for r in effects["rows"]
                if r["uplift"] is not None and r["ci_low"] is not None and r["ci_low"] > 0}
    dims = {d["key"]: d for d in effects["dimensions"]}
    out: dict = {}
    for s in effects["strata"]:
        key = (s["action"], s["dimension"])
        if s["action"] in NOT_ACTIONS or key not in credible:
            continue
        if s["treated"] < MIN_COUNT or s["control"] < MIN_COUNT:
            continue
        dim = dims.get(s["dimension"])
        if dim is None or s["stage"] + 1 >= len(dim["stages"]):
            continue
        p1 = s["treated_moved_up"] / s["treated"]
        p0 = s["control_moved_up"] / s["control"]
        if p1 <= p0:
            continue
        low, high = engine.wilson(s["treated_moved_up"], s["treated"])
        stage, following = dim["stages"][s["stage"]]["name"], dim["stages"][s["stage"] + 1]["name"]
        reason = (f"{action_label(s['action'])} moved {_pct(p1)} [{_pct(low)}–{_pct(high)}] of "
                  f"accounts at {stage} to {following} or higher within {effects['window_days']} "
                  f"days, against {_pct(p0)} without")
        out.setdefault((s["dimension"], s["stage"]), []).append((s["action"], p1 - p0, reason))
    return out


def recent_actions(workspace, types: list[str], days: int, on: dt.date) -> set[tuple[int, str]]:
    """(customer id, action type) pairs that happened in the `days` days up to `on`."""
    if not types:
        return set()
    con = duckdb.connect()
    store_for(workspace).register(con, "signals")
    since = dt.datetime.combine(on - dt.timedelta(days=days - 1), dt.time())
    rows = con.execute(
        "SELECT DISTINCT customer_id, type FROM signals WHERE time >= $1 "
        "AND type IN (SELECT unnest($2::VARCHAR[]))", [since, types]).fetchall()
    con.close()
    return {(int(c), t) for c, t in rows}


def allowed(workspace, types: list[str], ids: list[int]) -> dict[str, set[int] | None]:
    """Per action type, the customers a lever's check allows (None: no check, all allowed)."""
    out: dict[str, set[int] | None] = {}
    for t in types:
        entry = registry.LEVER_ACTIONS.get(t)
        out[t] = set(registry.resolve(entry.check)(workspace, ids)) if entry and entry.check else None
    return out


def next_actions(workspace, customer: str | None = None, k: int = 5,
                 recent_days: int = RECENT_DAYS, effects: dict | None = None,
                 compute: bool = True) -> list[dict] | None:
    """Rows of :data:`COLUMNS` (plus ``customer_pk``, ``label``, ``dimension_name``) for every
    customer, or the one with external id `customer`, best first, at most `k` each."""
    if k < 1:
        raise ValidationError("--k must be at least 1")
    qs = Customer.objects.filter(workspace=workspace).order_by("external_id")
    if customer is not None:
        qs = qs.filter(external_id=customer)
        if not qs.exists():
            raise ValidationError(f"--customer {customer!r}: no such customer in this workspace")
    effects = effects or cached_effects(workspace, compute=compute)
    if effects is None:
        return None
    options = candidates(effects)
    dims = {d["key"]: d for d in effects["dimensions"]}
    types = sorted({a for opts in options.values() for a, _, _ in opts})
    people = list(qs.values_list("id", "external_id", "stages"))
    ids = [p[0] for p in people]
    recent = recent_actions(workspace, types, recent_days, today())
    permitted = allowed(workspace, types, ids)
    rows = []
    for pk, external, stages in people:
        mine = []
        for key, stage in (stages or {}).items():
            dim = dims.get(key)
            if dim is None or stage is None or stage >= dim["target_index"]:
                continue
            distance = dim["target_index"] - stage
            for action, uplift, reason in options.get((key, stage), ()):
                if (pk, action) in recent:
                    continue
                who = permitted.get(action)
                if who is not None and pk not in who:
                    continue
                mine.append({"customer_pk": pk, "customer_id": external, "action": action,
                             "label": action_label(action), "dimension": key,
                             "dimension_name": dim["name"],
                             "expected_gain": round(uplift * dim["weight"] * distance, 4),
                             "reason": reason})
        mine.sort(key=lambda r: (-r["expected_gain"], r["action"], r["dimension"]))
        for rank, row in enumerate(mine[:k], start=1):
            rows.append({**row, "rank": rank})
    return rows


def customer_next_actions(customer, k: int = 5) -> list[dict] | None:
    """The customer page's ranked actions; None when the effects are not measured yet (the
    page never waits for them: the lever-effects page or the queue measures them)."""
    try:
        return next_actions(customer.workspace, customer.external_id, k=k, compute=False)
    except ValidationError:
        return None
