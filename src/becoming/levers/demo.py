"""Demo data for levers: actions with known effects, so the lever-effects page recovers them.

Before the history is rebuilt (``DemoStep(before_history=True)``): at each month end T of the
demo's history, each action happens to a random share of the accounts in the 30 days up to T.
For a treated account below the top stage of the action's dimension, with the planted
probability (:data:`PLANTED`) the product events and answers that the model's stages up to the
next one ask for are added in the 28 days before T + 90 days, so the account stands at least a
stage higher 90 days after T. Accounts that would have moved anyway are not moved twice, so the
measured uplift is about ``planted × (1 − the share moving up without it)``.

Actions: meetings (``engage.meeting``), reading (``inform.view``), introductions
(``connect.accepted``) and the enrolments of one playbook ("Stalled adopters", whose holdout
share is left untreated and gets ``playbook.holdout``). The meetings are signals only (not
Engage's meeting records: Engage's own demo logs those).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
from django.db import transaction

from becoming.assessments.actions import assess_workspace, month_ends
from becoming.customers.models import Customer
from becoming.engine import assess
from becoming.engine.criteria import AllOf, AnswerCriterion, AnyOf, EventCriterion
from becoming.signals.actions import store_for
from becoming.tabular.events import SIGNAL_SCHEMA
from becoming.transformation.actions import current_version

from .actions.playbooks import in_holdout
from .models import Enrolment, Playbook, PlaybookVersion

WINDOW = 90
# action type -> (dimension it moves, share of accounts treated each month, planted uplift)
PLANTED = {
    "engage.meeting": ("predictive", 0.12, 0.30),
    "inform.view": ("practice", 0.20, 0.20),
    "connect.accepted": ("community", 0.08, 0.35),
    "playbook.enrolled": ("practice", 0.06, 0.25),
}
PLAYBOOK_KEY = "stalled_adopters"
PLAYBOOK_HOLDOUT = 0.2
PLAYBOOK_PROPS = '{"playbook": "%s", "version": 1}' % PLAYBOOK_KEY  # noqa: UP031 (JSON braces)
PLAYBOOK_TEXT = f"""\
key: {PLAYBOOK_KEY}
name: Stalled adopters
description: Accounts stuck at Adopting for two months get a call from their CSM.
trigger:
  days_at_stage: {{dimension: practice, stage: adopting, at_least: 60}}
holdout: {PLAYBOOK_HOLDOUT}
steps:
  - task: {{title: Call the champion about schedules and reports, due: 7d}}
"""


def plant_effects(demo) -> None:
    rng = demo.rng("levers")
    workspace = demo.workspace
    version = current_version(workspace)
    if version is None:
        return
    model = version.parsed()
    dims = {d.key: d for d in model.dimensions}
    ids = np.asarray(demo.customer_ids, dtype=np.int64)
    ends = [d for d in month_ends(15, demo.today)
            if d - dt.timedelta(days=29) >= demo.start and d + dt.timedelta(days=WINDOW) <= demo.today]
    rows: dict[str, list] = {k: [] for k in ("event_id", "customer_id", "kind", "type", "time", "value",
                                             "properties")}
    enrolments: list[tuple[int, dt.date, bool]] = []
    con = None
    for T in ends:
        if con is None:  # one DuckDB connection over the workspace for every month end
            first, con = assess_workspace(workspace, model, T)
            result = first.table
        else:
            result = assess(model, T, con).table
        order = {int(c): i for i, c in enumerate(result.column("customer_id").to_pylist())}
        # churn: the day index an account churned, or -1 (or >= days) when it never did.
        gone = np.where(demo.churn >= 0, demo.churn, 10 ** 6)
        churned = gone <= (T - demo.start).days
        for action, (dim_key, share, uplift) in PLANTED.items():
            if dim_key not in dims:
                continue
            dim = dims[dim_key]
            stages = result.column(f"stage__{dim_key}").to_pylist()
            treated = np.nonzero((rng.random(len(ids)) < share) & ~churned)[0]
            for a in treated:
                cid = int(ids[a])
                when = _moment(rng, T - dt.timedelta(days=int(rng.integers(0, 30))))
                holdout = action == "playbook.enrolled" and in_holdout(PLAYBOOK_KEY, cid, PLAYBOOK_HOLDOUT)
                kind = "playbook.holdout" if holdout else action
                _add(rows, f"demo-levers-{kind}-{cid}-{T}", cid, "event", kind, when, None,
                     PLAYBOOK_PROPS if action.startswith("playbook") else None)
                if action == "playbook.enrolled":
                    enrolments.append((cid, when.date(), holdout))
                stage = stages[order[cid]] if cid in order else None
                if holdout or stage is None or stage + 1 >= len(dim.stages) or rng.random() >= uplift:
                    continue
                if gone[a] <= (T - demo.start).days + WINDOW:
                    continue
                # Every stage up to the next one: windowed criteria met at T may lapse by then.
                for k in range(1, stage + 2):
                    _satisfy(rows, rng, cid, dim.stages[k].when, T + dt.timedelta(days=WINDOW),
                             f"{T}-{k}")
    table = pa.table({
        "event_id": pa.array(rows["event_id"], pa.string()),
        "customer_id": pa.array(rows["customer_id"], pa.int64()),
        "kind": pa.array(rows["kind"], pa.string()), "type": pa.array(rows["type"], pa.string()),
        "time": pa.array(rows["time"], pa.timestamp("us")),
        "value": pa.array(rows["value"], pa.float64()),
        "properties": pa.array(rows["properties"], pa.string()),
    }).cast(SIGNAL_SCHEMA)
    _save_playbook(workspace, enrolments)
    store_for(workspace).append(table)


def _moment(rng, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(int(rng.integers(8, 18)), int(rng.integers(0, 60))))


def _add(rows, event_id, cid, kind, type_, time, value, properties=None) -> None:
    for key, v in (("event_id", event_id), ("customer_id", cid), ("kind", kind), ("type", type_),
                   ("time", time), ("value", value), ("properties", properties)):
        rows[key].append(v)


def _satisfy(rows, rng, cid: int, criteria, by: dt.date, T: str) -> None:
    """Add the events and answers that meet these criteria in the 28 days before `by`."""
    for c in criteria:
        if isinstance(c, AllOf):
            _satisfy(rows, rng, cid, c.items, by, f"{T}-all")
        elif isinstance(c, AnyOf):
            _satisfy(rows, rng, cid, c.items[-1:], by, f"{T}-any")
        elif isinstance(c, EventCriterion) and c.at_least:
            n = int(np.ceil(c.at_least))
            days = rng.choice(np.arange(2, 29), size=min(n, 27), replace=False) if n <= 27 else \
                rng.integers(2, 29, n)
            for k, back in enumerate(days):
                _add(rows, f"demo-levers-{c.type}-{cid}-{T}-{k}", cid, "event", c.type,
                     _moment(rng, by - dt.timedelta(days=int(back))), None)
        elif isinstance(c, AnswerCriterion) and c.at_least:
            _add(rows, f"demo-levers-{c.question}-{cid}-{T}", cid, "answer", c.question,
                 _moment(rng, by - dt.timedelta(days=3)), float(np.ceil(c.at_least)))


def _save_playbook(workspace, enrolments) -> None:
    customers = {c.pk: c for c in Customer.objects.filter(workspace=workspace,
                                                          id__in={e[0] for e in enrolments})}
    with transaction.atomic():
        playbook = Playbook.objects.create(workspace=workspace, key=PLAYBOOK_KEY, name="Stalled adopters")
        version = PlaybookVersion.objects.create(playbook=playbook, number=1, text=PLAYBOOK_TEXT)
        seen = set()
        made = []
        for cid, day, holdout in enrolments:
            if (cid, day) in seen:
                continue
            seen.add((cid, day))
            made.append(Enrolment(workspace=workspace, playbook=playbook, version=version,
                                  customer=customers[cid], enrolled_on=day, holdout=holdout))
        Enrolment.objects.bulk_create(made, batch_size=2000)
