"""Goals: the next stage by a date, and a stretch goal, from what peers actually did.

From the stage history (the month-end snapshots of the current model version), every stay of
a customer at a stage is an *episode*: it starts at the first snapshot at that stage and ends
either with a move up (an event, after the days between that first snapshot and the first
snapshot at the higher stage) or without one (censored: at the last snapshot at that stage,
when the customer moved down or the history ends). Since many customers have not moved yet,
the time to make a step is read from the Kaplan–Meier curve of the episodes of peers at the
same stage: the median (half made the step) and the fastest quartile (a quarter made it).

For a customer at stage s on a dimension:
- goal = stage s+1 by as_of + the median time of peers' step s → s+1 (no date when fewer
  than half of the peers made the step within the history);
- stretch = the highest stage that the top quarter of peers reached (at least s+1), by as_of +
  the sum of the fastest-quartile times of each step on the way (no date when one is unknown).
Peers are the customers sharing the chosen attributes' values; a group smaller than
``min_peers`` falls back to the whole workspace, and ``basis`` says so.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from becoming.assessments.models import Snapshot

from ..models import Goal
from .peers import ALL, MIN_PEERS, standing

COLUMNS = ["customer_id", "dimension", "goal_stage", "goal_date", "stretch_stage", "stretch_date",
           "peers", "basis"]


# -- the stage history and its episodes -------------------------------------------------------

def history(workspace, as_of: dt.date | None = None, version=None) -> pd.DataFrame:
    """customer_pk, as_of and stage__<dim> at every snapshot date up to ``as_of`` of the
    model version ``version`` (the newest snapshot of a date wins)."""
    qs = Snapshot.objects.filter(workspace=workspace)
    if version is not None:
        qs = qs.filter(model_version=version)
    if as_of:
        qs = qs.filter(as_of__lte=as_of)
    latest: dict[dt.date, Snapshot] = {}
    for snap in qs.order_by("as_of", "created"):
        if os.path.exists(snap.path):
            latest[snap.as_of] = snap
    frames = []
    for day in sorted(latest):
        frame = pq.read_table(latest[day].path).to_pandas()
        keep = ["customer_id"] + [c for c in frame.columns if c.startswith("stage__")]
        frame = frame[keep].rename(columns={"customer_id": "customer_pk"})
        frame["as_of"] = pd.Timestamp(day)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["customer_pk", "as_of"])
    return pd.concat(frames, ignore_index=True)


def episodes(hist: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Every stay at a stage: customer_pk, stage, days, moved_up (see the module docstring)."""
    col = f"stage__{dimension}"
    if hist.empty or col not in hist:
        return pd.DataFrame(columns=["customer_pk", "stage", "days", "moved_up"])
    h = hist[["customer_pk", "as_of", col]].dropna().sort_values(["customer_pk", "as_of"])
    h = h.rename(columns={col: "stage"}).astype({"stage": int})
    new_run = (h.stage != h.stage.shift()) | (h.customer_pk != h.customer_pk.shift())
    h["run"] = new_run.cumsum()
    runs = h.groupby("run").agg(customer_pk=("customer_pk", "first"), stage=("stage", "first"),
                                start=("as_of", "min"), last=("as_of", "max")).reset_index()
    nxt = runs.shift(-1)
    same = nxt.customer_pk == runs.customer_pk
    runs["moved_up"] = same & (nxt.stage > runs.stage)
    end = runs["last"].where(~runs.moved_up, nxt.start)
    runs["days"] = (end - runs.start).dt.days.astype(int)
    return runs[["customer_pk", "stage", "days", "moved_up"]]


@dataclass(frozen=True)
class StepTime:
    """How long peers at a stage took to move up: Kaplan–Meier, in days (None = not reached)."""

    episodes: int
    moved: int
    median: float | None
    fastest_quarter: float | None


def step_time(durations, moved) -> StepTime:
    """Kaplan–Meier over episodes: the days by which half, and a quarter, made the step."""
    durations, moved = list(durations), [bool(m) for m in moved]
    if not durations or not any(moved):
        return StepTime(len(durations), sum(moved), None, None)
    from lifelines import KaplanMeierFitter

    km = KaplanMeierFitter().fit(durations, event_observed=moved)
    curve = km.survival_function_.iloc[:, 0]
    return StepTime(len(durations), sum(moved), _first_at_or_below(curve, 0.5),
                    _first_at_or_below(curve, 0.75))


def _first_at_or_below(curve, level: float) -> float | None:
    """The first time the survival curve is at or below ``level``; None when it never is.

    With a tolerance: 5/6 × 4/5 × 3/4 is 0.5 on paper but not always in floating point, and
    the median must not jump to the next event over a rounding error."""
    below = curve[curve <= level + 1e-9]
    return float(below.index[0]) if len(below) else None


# -- proposing goals --------------------------------------------------------------------------

@dataclass
class GoalProposal:
    customer_pk: int
    customer_id: str
    dimension: str
    from_index: int
    goal_index: int
    goal_date: dt.date | None
    stretch_index: int
    stretch_date: dt.date | None
    peers: int
    basis: str


def _days(value: float) -> int:
    return int(math.ceil(value))


def _reached_by_top_quarter(stages: pd.Series) -> int:
    """The highest stage that at least a quarter of these customers reached."""
    n = len(stages)
    for k in sorted(stages.unique(), reverse=True):
        if (stages >= k).sum() * 4 >= n:
            return int(k)
    return 0


def propose(workspace, attributes=(), as_of: dt.date | None = None, min_peers: int = MIN_PEERS,
            customer_pk: int | None = None) -> list[GoalProposal]:
    """A goal and a stretch goal per customer and dimension below the top stage."""
    st = standing(workspace, attributes, as_of)
    day = st.snapshot.as_of
    hist = history(workspace, day, st.snapshot.model_version)
    frame = st.frame
    sizes = frame.groupby("group")["customer_pk"].transform("size")
    frame = frame.assign(peer_group=frame["group"].where(sizes >= min_peers, ALL))
    group_of = dict(zip(frame.customer_pk, frame.peer_group))
    members: dict[str, set] = {g: set(f.customer_pk) for g, f in frame.groupby("peer_group")}
    members[ALL] = set(frame.customer_pk)
    fallback = ({g for g, s in frame.groupby("group").size().items() if s < min_peers}
                if st.attributes else set())
    months = round((hist.as_of.max() - hist.as_of.min()).days / 30.4) if not hist.empty else 0
    targets = frame if customer_pk is None else frame[frame.customer_pk == customer_pk]
    out: list[GoalProposal] = []
    for dim in st.model.dimensions:
        col = f"stage__{dim.key}"
        eps = episodes(hist, dim.key)
        eps["peer_group"] = eps.customer_pk.map(group_of)
        times: dict[tuple[str, int], StepTime] = {}

        def time_for(group: str, stage: int, eps=eps, times=times) -> StepTime:
            if (group, stage) not in times:
                chosen = eps[eps.stage == stage]
                if group != ALL:
                    chosen = chosen[chosen.customer_pk.isin(members[group])]
                times[(group, stage)] = step_time(chosen.days, chosen.moved_up)
            return times[(group, stage)]

        top_quarter = {g: _reached_by_top_quarter(f[col]) for g, f in frame.groupby("peer_group")}
        top_quarter[ALL] = _reached_by_top_quarter(frame[col])
        names = [s.name for s in dim.stages]
        for row in targets[["customer_pk", "external_id", "group", "peer_group", col]].itertuples(index=False):
            stage = int(row[4])
            if stage + 1 >= len(dim.stages):
                continue
            group = row.peer_group
            step = time_for(group, stage)
            stretch = max(stage + 1, top_quarter[group])
            quarters = [time_for(group, s).fastest_quarter for s in range(stage, stretch)]
            goal_date = day + dt.timedelta(days=_days(step.median)) if step.median is not None else None
            stretch_date = (day + dt.timedelta(days=_days(sum(q for q in quarters if q is not None)))
                            if all(q is not None for q in quarters) else None)
            peers = len(members[group])
            out.append(GoalProposal(
                int(row.customer_pk), row.external_id, dim.key, stage, stage + 1, goal_date, stretch,
                stretch_date, peers,
                basis(names, stage, stretch, step, peers, group, row.group in fallback, min_peers, months)))
    out.sort(key=lambda g: (g.customer_id, g.dimension))
    return out


def basis(names, stage, stretch, step: StepTime, peers, group, fell_back, min_peers, months) -> str:
    """The sentence that says where a proposal comes from."""
    who = (f"the whole workspace ({peers} customers)" if group == ALL
           else f"{peers} peers ({group})")
    lead = (f"The peer group was smaller than {min_peers}, so this compares with {who}. "
            if fell_back else f"Compared with {who}. ")
    at = names[stage]
    span = (f"the {months} months of history" if months > 1 else
            "the month of history" if months == 1 else "the history (a single assessment so far)")
    if step.moved == 0:
        how = (f"None of the {step.episodes} stays at {at} in {span} ended "
               f"with a move to {names[stage + 1]}, so no date is proposed.")
    elif step.median is None:
        how = (f"Fewer than half of the {step.episodes} stays at {at} ended with a move up in the "
               f"{span} ({step.moved} did); the fastest quarter took "
               f"{_days(step.fastest_quarter)} days." if step.fastest_quarter is not None else
               f"{step.moved} of {step.episodes} stays at {at} ended with a move up; too few for a date.")
    else:
        how = (f"Half of the peers at {at} moved to {names[stage + 1]} within {_days(step.median)} days"
               + (f", the fastest quarter within {_days(step.fastest_quarter)}"
                  if step.fastest_quarter is not None else "")
               + f" (Kaplan–Meier over {step.episodes} stays, {step.moved} moves).")
    return f"{lead}{how} The top quarter of peers reached {names[stretch]}."


def goal_rows(workspace, attributes=(), as_of: dt.date | None = None,
              min_peers: int = MIN_PEERS) -> pa.Table:
    """The ``becoming inspire goals`` table (stage keys, ISO dates)."""
    st_model = None
    proposals = propose(workspace, attributes, as_of, min_peers)
    if proposals:
        from becoming.assessments.actions import latest_snapshot

        snap = latest_snapshot(workspace, as_of)
        st_model = snap.model_version.parsed() if snap else None
    keys = {d.key: [s.key for s in d.stages] for d in st_model.dimensions} if st_model else {}
    return pa.table({
        "customer_id": pa.array([p.customer_id for p in proposals], pa.string()),
        "dimension": pa.array([p.dimension for p in proposals], pa.string()),
        "goal_stage": pa.array([keys[p.dimension][p.goal_index] for p in proposals], pa.string()),
        "goal_date": pa.array([p.goal_date for p in proposals], pa.date32()),
        "stretch_stage": pa.array([keys[p.dimension][p.stretch_index] for p in proposals], pa.string()),
        "stretch_date": pa.array([p.stretch_date for p in proposals], pa.date32()),
        "peers": pa.array([p.peers for p in proposals], pa.int64()),
        "basis": pa.array([p.basis for p in proposals], pa.string()),
    })


def save_proposals(workspace, customer=None) -> int:
    """Store proposals as goals (status proposed) with the workspace's peer setting; goals
    staff or the customer already accepted are left as they are. Returns how many changed."""
    from .settings import peer_settings

    setting = peer_settings(workspace)
    proposals = propose(workspace, setting.peer_attributes, None, setting.min_peers,
                        customer.pk if customer is not None else None)
    existing = {(c, d): st for c, d, st in Goal.objects.filter(workspace=workspace)
                .values_list("customer_id", "dimension", "status")}
    new, changed = [], 0
    with transaction.atomic():
        for p in proposals:
            fields = {"from_index": p.from_index, "goal_index": p.goal_index, "goal_date": p.goal_date,
                      "stretch_index": p.stretch_index, "stretch_date": p.stretch_date,
                      "peers": p.peers, "basis": p.basis}
            status = existing.get((p.customer_pk, p.dimension))
            if status is None:
                new.append(Goal(workspace=workspace, customer_id=p.customer_pk, dimension=p.dimension, **fields))
            elif status == Goal.Status.PROPOSED:
                Goal.objects.filter(workspace=workspace, customer_id=p.customer_pk,
                                    dimension=p.dimension).update(**fields, updated=timezone.now())
                changed += 1
        Goal.objects.bulk_create(new, batch_size=1000)
    return changed + len(new)


def propose_goals_job(job, progress, **params) -> dict[str, Any]:
    progress(0, total=1, message="proposing goals from peers")
    return {"goals": save_proposals(job.workspace)}


# -- deciding on goals ------------------------------------------------------------------------

def goal_of(workspace, pk) -> Goal:
    goal = Goal.objects.select_related("customer").filter(workspace=workspace, pk=pk).first()
    if goal is None:
        raise ValidationError("no such goal in this workspace")
    return goal


def _dimension(workspace, key: str):
    from becoming.transformation.actions import current_model

    model = current_model(workspace)
    dim = next((d for d in (model.dimensions if model else []) if d.key == key), None)
    if dim is None:
        raise ValidationError(f"dimension {key!r} is not in the current model")
    return dim


def update_goal(goal: Goal, *, user=None, goal_index: int | None = None, goal_date: dt.date | None = None,
                stretch_index: int | None = None, stretch_date: dt.date | None = None,
                status: str | None = None) -> Goal:
    """Staff edit or accept a goal; accepting records who and when."""
    dim = _dimension(goal.workspace, goal.dimension)
    top = len(dim.stages) - 1
    if goal_index is not None:
        if not goal.from_index < goal_index <= top:
            raise ValidationError(f"goal stage: a stage above {dim.stages[goal.from_index].name}")
        goal.goal_index = goal_index
    if stretch_index is not None:
        if not goal.goal_index <= stretch_index <= top:
            raise ValidationError("stretch stage: at or above the goal's stage")
        goal.stretch_index = stretch_index
    if goal_date is not None:
        goal.goal_date = goal_date
    if stretch_date is not None:
        goal.stretch_date = stretch_date
    if status is not None:
        if status not in Goal.Status.values:
            raise ValidationError(f"status: one of {', '.join(Goal.Status.values)}")
        if status == Goal.Status.ACCEPTED and goal.status != Goal.Status.ACCEPTED:
            goal.accepted_by, goal.accepted_on = user, timezone.now()
        goal.status = status
    goal.save()
    return goal


def customer_accepts(contact, pk) -> Goal:
    """A contact accepts one of their customer's goals in the portal (``portal.goal_set``).
    Only goals staff accepted are offered; another customer's goal is not found."""
    from becoming.portal.actions import record

    goal = Goal.objects.filter(workspace=contact.workspace, customer=contact.customer, pk=pk,
                               status=Goal.Status.ACCEPTED).first()
    if goal is None:
        raise Goal.DoesNotExist("no such goal")
    if goal.customer_accepted_on is None:
        goal.customer_accepted_by, goal.customer_accepted_on = contact, timezone.now()
        goal.save(update_fields=["customer_accepted_by", "customer_accepted_on", "updated"])
        record(contact, "portal.goal_set", f"goal-{goal.pk}", value=float(goal.goal_index))
    return goal


# -- progress and risk ------------------------------------------------------------------------

def progress(goal: Goal, today: dt.date | None = None) -> dict[str, Any]:
    """Where a goal stands: the customer's stage now, reached or not, missed or due."""
    today = today or dt.date.today()
    current = (goal.customer.stages or {}).get(goal.dimension)
    current = int(current) if current is not None else goal.from_index
    steps = max(1, goal.goal_index - goal.from_index)
    reached = current >= goal.goal_index
    return {"current": current, "reached": reached,
            "percent": max(0, min(100, round(100 * (current - goal.from_index) / steps))),
            "missed": bool(not reached and goal.goal_date and goal.goal_date < today),
            "due_soon": bool(not reached and goal.goal_date and today <= goal.goal_date
                             <= today + dt.timedelta(days=30)),
            "stretch_reached": goal.stretch_index is not None and current >= goal.stretch_index}


def with_progress(goals, today: dt.date | None = None) -> list[dict[str, Any]]:
    from becoming.transformation.actions import current_model

    goals = list(goals)
    model = current_model(goals[0].workspace) if goals else None
    dims = {d.key: d for d in model.dimensions} if model else {}
    out = []
    for goal in goals:
        dim = dims.get(goal.dimension)
        if dim is None:
            continue
        stage_name = lambda i, dim=dim: dim.stages[i].name if i is not None and i < len(dim.stages) else "—"  # noqa: E731
        p = progress(goal, today)
        out.append({"goal": goal, "dimension": dim, **p, "current_name": stage_name(p["current"]),
                    "goal_name": stage_name(goal.goal_index), "from_name": stage_name(goal.from_index),
                    "stretch_name": stage_name(goal.stretch_index)})
    return out


def at_risk(workspace, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Accepted goals not reached whose date has passed (missed) or is within 30 days."""
    today = today or dt.date.today()
    goals = (Goal.objects.filter(workspace=workspace, status=Goal.Status.ACCEPTED,
                                 goal_date__lte=today + dt.timedelta(days=30))
             .select_related("customer").order_by("goal_date"))
    return [g for g in with_progress(goals, today) if g["missed"] or g["due_soon"]]


def goals_list(workspace, status: str = ""):
    qs = Goal.objects.filter(workspace=workspace).select_related("customer")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("goal_date", "customer__external_id", "dimension")
