"""What content moves people: readers who moved up on the item's targeted dimension within
N days after reading, against comparable non-readers at the same stage.

Stratified by the stage a reader was at when reading (from the recorded stage changes): in
each stratum the non-readers at that stage are observed over the same N days from the
stratum's median reading time, and their rate is weighted by the readers' stage mix (direct
standardisation), so a library read mostly by customers near a step is not credited for
where they already were. Rates carry Wilson intervals, the difference Newcombe's; the
wording says association, never cause: readers choose what they read.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from django.core.exceptions import ValidationError

from becoming.assessments.models import StageChange
from becoming.customers.models import Customer

from ..models import Interaction, Item

DEFAULT_DAYS = 90
MIN_GROUP = 10


def _stage_history(workspace, dimension: str):
    """customer pk → [(as_of, from, to)] for one dimension, oldest first, and current stages."""
    changes: dict[int, list] = defaultdict(list)
    for customer, as_of, frm, to in (StageChange.objects.filter(workspace=workspace, dimension=dimension)
                                     .order_by("as_of").values_list("customer_id", "as_of", "from_index",
                                                                    "to_index")):
        changes[customer].append((as_of, frm, to))
    current = {pk: stages.get(dimension) for pk, stages in
               Customer.objects.filter(workspace=workspace).values_list("pk", "stages")}
    return changes, current


def _stage_at(history: list, current, day: dt.date):
    stage = None
    for as_of, frm, to in history:
        if as_of <= day:
            stage = to
        else:
            return frm if stage is None else stage
    return current if stage is None else stage


def _moved_up(history: list, start: dt.date, end: dt.date) -> bool:
    return any(start < as_of <= end and to > frm for as_of, frm, to in history)


def _interval(count: int, n: int) -> tuple[float, float]:
    if not n:
        return (math.nan, math.nan)
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(count, n, alpha=0.05, method="wilson")
    return float(low), float(high)


def _difference(a: int, na: int, b: float, nb: int) -> tuple[float, float]:
    if not na or not nb:
        return (math.nan, math.nan)
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(a, na, round(b), nb, method="newcomb", compare="diff", alpha=0.05)
    return float(low), float(high)


def item_effect(item: Item, days: int = DEFAULT_DAYS, today: dt.date | None = None, cache=None) -> dict | None:
    """The comparison for one targeted item, or None when it is not targeted or unread."""
    if not item.dimension:
        return None
    today = today or dt.date.today()
    cache = cache if cache is not None else {}
    if item.dimension not in cache:
        cache[item.dimension] = _stage_history(item.workspace, item.dimension)
    changes, current = cache[item.dimension]
    first: dict[int, dt.date] = {}
    for customer, time in Interaction.objects.filter(item=item).values_list("customer_id", "time"):
        day = time.date()
        if customer not in first or day < first[customer]:
            first[customer] = day
    # Only readings whose N days are over can be judged.
    judged = {c: d for c, d in first.items() if d + dt.timedelta(days=days) <= today}
    if not judged:
        return {"item": item, "readers": len(first), "judged": 0, "available": False}
    strata: dict[int, list] = defaultdict(list)
    for customer, day in judged.items():
        stage = _stage_at(changes.get(customer, []), current.get(customer), day)
        if stage is not None:
            strata[int(stage)].append((customer, day))
    readers_n = readers_moved = 0
    control_rate = 0.0
    control_n = 0
    rows = []
    for stage, members in sorted(strata.items()):
        days_sorted = sorted(d for _, d in members)
        mid = days_sorted[len(days_sorted) // 2]
        moved = sum(_moved_up(changes.get(c, []), d, d + dt.timedelta(days=days)) for c, d in members)
        others = [c for c in current if c not in first
                  and _stage_at(changes.get(c, []), current.get(c), mid) == stage]
        others_moved = sum(_moved_up(changes.get(c, []), mid, mid + dt.timedelta(days=days)) for c in others)
        rows.append({"stage": stage, "readers": len(members), "moved": moved, "others": len(others),
                     "others_moved": others_moved})
        readers_n += len(members)
        readers_moved += moved
        if others:
            control_rate += len(members) * others_moved / len(others)
            control_n += len(others)
    if not readers_n:
        return {"item": item, "readers": len(first), "judged": 0, "available": False}
    rate = readers_moved / readers_n
    control = control_rate / readers_n if control_n else math.nan
    low, high = _interval(readers_moved, readers_n)
    d_low, d_high = _difference(readers_moved, readers_n, control * control_n, control_n) \
        if control_n else (math.nan, math.nan)
    return {"item": item, "readers": len(first), "judged": readers_n, "available": True, "moved": readers_moved,
            "rate": rate, "ci_low": low, "ci_high": high, "control_rate": control, "control_n": control_n,
            "difference": rate - control if control_n else math.nan, "d_low": d_low, "d_high": d_high,
            "strata": rows, "small": readers_n < MIN_GROUP or control_n < MIN_GROUP,
            "wording": _wording(item, rate, control, d_low, d_high, days, readers_n)}


def _wording(item, rate, control, low, high, days, n) -> str:
    if math.isnan(control):
        return f"{rate:.0%} of {n} readers moved up within {days} days; there is no comparable non-reader."
    points = (rate - control) * 100
    note = "" if (low > 0 or high < 0) else "; the data are also consistent with no difference"
    return (f"{rate:.0%} of {n} readers moved up on the targeted dimension within {days} days, "
            f"against {control:.0%} of comparable non-readers at the same stage: "
            f"{abs(points):.0f} points {'more' if points >= 0 else 'fewer'} "
            f"(95% CI {low * 100:+.0f} to {high * 100:+.0f}{note}). An association: readers choose what "
            "they read, and may differ in other ways.")


def effect_report(workspace, days: int = DEFAULT_DAYS) -> dict:
    """Per targeted item and per kind: the comparison above, items that move people first."""
    if not 7 <= days <= 365:
        raise ValidationError("days: between 7 and 365")
    cache: dict = {}
    items = []
    for item in Item.objects.filter(workspace=workspace).exclude(dimension=""):
        result = item_effect(item, days, cache=cache)
        if result and result.get("available"):
            items.append(result)
    items.sort(key=lambda r: (-(r["difference"] if not math.isnan(r["difference"]) else -1), -r["judged"]))
    kinds = []
    labels = dict(Item.Kind.choices)
    by_kind: dict[str, list] = defaultdict(list)
    for r in items:
        by_kind[r["item"].kind].append(r)
    for kind, rows in by_kind.items():
        n = sum(r["judged"] for r in rows)
        moved = sum(r["moved"] for r in rows)
        control = sum(r["control_rate"] * r["judged"] for r in rows if not math.isnan(r["control_rate"])) / n
        low, high = _interval(moved, n)
        kinds.append({"kind": labels.get(kind, kind), "items": len(rows), "readers": n, "rate": moved / n,
                      "ci_low": low, "ci_high": high, "control_rate": control, "difference": moved / n - control})
    kinds.sort(key=lambda k: -k["difference"])
    return {"days": days, "items": items, "kinds": kinds,
            "moving": [r for r in items if r["d_low"] > 0], "not_moving": [r for r in items if not r["d_low"] > 0]}
