"""Randomized customer histories with known lever effects (for the benchmark and the tests).

Customers start at random stages on a few dimensions; every 30 days (an as-of date T) each of
the randomized actions happens to a customer with its own known probability, in the 30 days up
to T; by T + 30 days the customer moves up one stage on a dimension with probability
``base(stage, segment) + sum of the uplifts of the actions it had``. So the true effect of an
action on a dimension, the difference in the probability of moving up within 30 days of T,
is its uplift, in every stratum. Some uplifts are zero, one is negative.

One more action is *confounded*: it has no effect of its own, but is given more often to
customers of segment B and at higher stages, who move up more anyway. A naive comparison
credits it with their moves; stratifying by stage and segment takes that away.

Pure numpy / pyarrow; no Django.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

STEP_DAYS = 30
CONFOUNDED = "confounded"


@dataclass
class History:
    stages: pa.Table
    actions: pa.Table
    attributes: pa.Table
    dates: list[dt.date]              # the as-of dates T (each has T + 30 days in `stages`)
    truth: dict[tuple[str, str], float] = field(default_factory=dict)  # (action, dimension) -> uplift
    randomized: list[str] = field(default_factory=list)
    probabilities: dict[str, float] = field(default_factory=dict)


def generate(customers: int = 10_000, months: int = 24, actions: int = 10, dimensions: int = 3,
             stages: int = 4, seed: int = 1, start: dt.date = dt.date(2024, 1, 31)) -> History:
    """A history of `customers` over `months` as-of dates with `actions` action types (the last
    one confounded), `dimensions` dimensions of `stages` stages each."""
    rng = np.random.default_rng(seed)
    names = [f"action_{i + 1:02d}" for i in range(actions - 1)] + [CONFOUNDED]
    randomized = names[:-1]
    dims = [f"dim_{j + 1}" for j in range(dimensions)]
    top = stages - 1
    # True uplifts: about a third zero, the rest 1-8 points; one negative.
    uplift = np.where(rng.random((len(randomized), dimensions)) < 0.3, 0.0,
                      rng.uniform(0.01, 0.08, (len(randomized), dimensions)))
    uplift = np.round(uplift, 3)
    neg = rng.integers(len(randomized)), rng.integers(dimensions)
    uplift[neg] = -round(float(rng.uniform(0.02, 0.05)), 3)
    # Keep every probability inside [0, 1] whatever the combination of actions.
    scale = np.minimum(1.0, 0.5 / np.clip(uplift, 0, None).sum(axis=0))
    uplift = np.round(uplift * scale, 3)
    probability = np.round(rng.uniform(0.1, 0.3, len(randomized)), 2)
    segment_b = rng.random(customers) < 0.5
    stage = rng.integers(0, top, (customers, dimensions))
    dates = [start + dt.timedelta(days=STEP_DAYS * k) for k in range(months)]
    ids = np.arange(1, customers + 1, dtype=np.int64)

    stage_rows: list[tuple[np.ndarray, dt.date, int, np.ndarray]] = []
    act_customer, act_type, act_time = [], [], []
    epoch = np.datetime64(start, "s")
    for day in dates:
        stage_rows += [(ids, day, j, stage[:, j].copy()) for j in range(dimensions)]
        offset = (day - start).days
        treated = rng.random((customers, len(randomized))) < probability[None, :]
        mean_stage = stage.mean(axis=1) / top
        p_conf = 0.05 + 0.3 * segment_b + 0.15 * mean_stage
        confounded = rng.random(customers) < p_conf
        for a in range(len(names)):
            who = np.nonzero(treated[:, a] if a < len(randomized) else confounded)[0]
            # Some time in the 30 days up to and including T's day.
            days_back = rng.integers(0, STEP_DAYS, len(who))
            seconds = (offset - days_back) * 86400 + rng.integers(0, 86400, len(who))
            act_customer.append(ids[who])
            act_type.append(np.full(len(who), a))
            act_time.append(epoch + seconds.astype("timedelta64[s]"))
        base = 0.06 + 0.04 * stage + 0.10 * segment_b[:, None]
        p_up = np.clip(base + treated.astype(float) @ uplift, 0.0, 1.0)
        moves = (rng.random((customers, dimensions)) < p_up) & (stage < top)
        stage = stage + moves
    later = dates[-1] + dt.timedelta(days=STEP_DAYS)
    stage_rows += [(ids, later, j, stage[:, j].copy()) for j in range(dimensions)]

    n = sum(len(r[0]) for r in stage_rows)
    stages_table = pa.table({
        "customer_id": pa.array(np.concatenate([r[0] for r in stage_rows])),
        "as_of": pa.array(np.concatenate([np.full(len(r[0]), np.datetime64(r[1], "D"))
                                          for r in stage_rows])),
        "dimension": pa.array(np.concatenate([np.full(len(r[0]), dims[r[2]]) for r in stage_rows])),
        "stage": pa.array(np.concatenate([r[3] for r in stage_rows]).astype(np.int32)),
        "top": pa.array(np.full(n, top, dtype=np.int32)),
    })
    types = np.array(names)[np.concatenate(act_type)]
    actions_table = pa.table({
        "customer_id": pa.array(np.concatenate(act_customer)),
        "type": pa.array(types),
        "time": pa.array(np.concatenate(act_time).astype("datetime64[us]")),
    })
    attributes = pa.table({"customer_id": pa.array(ids),
                           "segment": pa.array(np.where(segment_b, "B", "A"))})
    truth = {(a, d): float(uplift[i, j]) for i, a in enumerate(randomized) for j, d in enumerate(dims)}
    truth.update({(CONFOUNDED, d): 0.0 for d in dims})
    return History(stages_table, actions_table, attributes, dates, truth, randomized,
                   {a: float(p) for a, p in zip(randomized, probability)})


def score(rows, truth: dict[tuple[str, str], float], randomized: list[str], margin: float = 0.02) -> dict:
    """How well estimated rows (a DataFrame of ``effects.COLUMNS``) recover the truth.

    ``coverage``: share of action × dimension rows whose interval holds the true uplift.
    ``ranking``: among pairs of randomized actions on one dimension whose true uplifts differ
    by at least ``margin``, the share the estimates order the same way.
    """
    est = {(r.action, r.dimension): r for r in rows.itertuples(index=False)}
    held = [est[k].ci_low <= v <= est[k].ci_high for k, v in truth.items()
            if k in est and est[k].ci_low is not None]
    pairs = agree = 0
    for d in sorted({d for _, d in truth}):
        for i, a in enumerate(randomized):
            for b in randomized[i + 1:]:
                ta, tb = truth[(a, d)], truth[(b, d)]
                if abs(ta - tb) < margin:
                    continue
                pairs += 1
                agree += (est[(a, d)].uplift - est[(b, d)].uplift) * (ta - tb) > 0
    return {"rows": len(held), "coverage": sum(held) / len(held) if held else float("nan"),
            "pairs": pairs, "ranking": agree / pairs if pairs else float("nan")}
