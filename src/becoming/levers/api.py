"""`/api/v1/levers` and `/api/v1/playbooks`: what the lever pages do, for scripts."""

import datetime as dt
from typing import Annotated, Any

from ninja import Query, Router, Schema
from pydantic import Field

from becoming.api.auth import require
from becoming.api.schemas import PAGE_MAX, Error

router = Router(tags=["levers"])
TaskId = Annotated[int, Field(ge=1, le=2**62)]


class Suggestion(Schema):
    customer_id: str = Field(description="The customer's external id")
    action: str = Field(max_length=200, description="The action's signal type, e.g. engage.meeting")
    dimension: str = Field(max_length=100)
    days: int | None = Field(default=None, ge=0, le=365,
                             description="Accept: days until the task is due; snooze: days asleep")


class PlaybookText(Schema):
    text: str = Field(max_length=256 * 1024, description="The playbook's YAML")


class TaskOut(Schema):
    id: int
    customer_id: str
    title: str
    action: str
    dimension: str
    due: dt.date
    status: str


def _task(t) -> dict:
    return {"id": t.pk, "customer_id": t.customer.external_id, "title": t.title, "action": t.action,
            "dimension": t.dimension, "due": t.due, "status": t.status}


@router.get("/levers/effects", response={200: dict[str, Any], 400: Error})
def lever_effects(request, actions: str = "", window: str = "90d", lookback: str = "30d",
                  start: dt.date | None = Query(None, alias="from"),
                  end: dt.date | None = Query(None, alias="to"), every: str = "1m",
                  by: list[str] = Query([])):
    """Per action and dimension: treated, control, moved up, adjusted uplift, 95% interval."""
    from .actions.effects import cached_effects

    names = [a.strip() for a in actions.split(",") if a.strip()] or None
    result = cached_effects(request.workspace, actions=names, window=window, lookback=lookback,
                            start=start, end=end, every=every, by=tuple(by))
    assert result is not None
    return {"rows": result["rows"], "dates": [d.isoformat() for d in result["dates"]],
            "window_days": result["window_days"], "lookback_days": result["lookback_days"]}


@router.get("/levers/next-actions", response={200: list[dict[str, Any]], 400: Error})
def next_actions(request, customer: str | None = None, k: int = Query(5, ge=1, le=100),
                 offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """Each customer's best next actions by expected gain, with the reason."""
    from .actions.nba import COLUMNS
    from .actions.nba import next_actions as rank

    rows = rank(request.workspace, customer, k) or []
    return [{c: r[c] for c in COLUMNS} for r in rows[offset:offset + limit]]


@router.get("/levers/queue", response={200: list[dict[str, Any]], 400: Error})
def work_queue(request, offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """The work queue: top actions across customers not yet accepted, snoozed or dismissed."""
    from .actions.queue import work_queue as queue

    keep = ("customer_id", "customer_name", "action", "label", "dimension", "expected_gain", "reason")
    return [{k: r[k] for k in keep} for r in queue(request.workspace)[offset:offset + limit]]


@router.post("/levers/queue/accept", response={200: TaskOut, 400: Error})
def accept(request, body: Suggestion):
    """Accept a suggestion: a task with a due date (default in 7 days)."""
    require(request, "member")
    from .actions import queue

    extra = {"due_days": body.days} if body.days is not None else {}
    return _task(queue.accept(request.workspace, body.customer_id, body.action, body.dimension, **extra))


@router.post("/levers/queue/snooze", response={200: dict[str, Any], 400: Error})
def snooze(request, body: Suggestion):
    """Snooze a suggestion for some days (default 14)."""
    require(request, "member")
    from .actions import queue

    extra = {"days": body.days} if body.days else {}
    made = queue.snooze(request.workspace, body.customer_id, body.action, body.dimension, **extra)
    return {"until": made.until.isoformat() if made.until else None}


@router.post("/levers/queue/dismiss", response={200: dict[str, Any], 400: Error})
def dismiss(request, body: Suggestion):
    """Dismiss a suggestion for good."""
    require(request, "member")
    from .actions import queue

    queue.dismiss(request.workspace, body.customer_id, body.action, body.dimension)
    return {"dismissed": True}


@router.get("/levers/tasks", response={200: list[TaskOut], 400: Error})
def tasks(request, status: str = Query("open", pattern="^(open|done|)$"),
          offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """Tasks accepted from the queue or created by playbooks, soonest due first."""
    from .actions import queue

    return [_task(t) for t in queue.tasks(request.workspace, status)[offset:offset + limit]]


@router.post("/levers/tasks/{task_id}/done", response={200: TaskOut, 400: Error})
def task_done(request, task_id: TaskId):
    """Mark a task done; it becomes a levers.task_done signal."""
    require(request, "member")
    from .actions import queue

    return _task(queue.complete_task(request.workspace, task_id))


@router.post("/playbooks/validate", response={200: dict[str, Any], 400: Error})
def validate_playbook(request, body: PlaybookText):
    """Check a playbook against this workspace; problems come back with their lines."""
    from .actions.playbooks import validate

    spec = validate(body.text, request.workspace)
    return {"key": spec.key, "name": spec.name, "trigger": spec.trigger, "steps": len(spec.steps),
            "holdout": spec.holdout}


@router.post("/playbooks/dry-run", response={200: dict[str, Any], 400: Error})
def dry_run(request, body: PlaybookText):
    """Who the playbook would enrol today; nothing is stored."""
    from .actions.playbooks import dry_run as run

    result = run(request.workspace, body.text)
    return {**result, "on": result["on"].isoformat(),
            "customers": [{k: c[k] for k in ("customer_id", "name", "holdout")} for c in result["customers"]]}


@router.post("/playbooks/apply", response={200: dict[str, Any], 400: Error})
def apply_playbook(request, body: PlaybookText):
    """Save the playbook's next version and enrol today's matches (as the CLI's apply)."""
    require(request, "member")
    from .actions.playbooks import apply

    return apply(request.workspace, body.text)
